"""The evaluation scripts: the cross-validation config is config.yml minus the
FallbackClassifier, and the NLU gate fails below its threshold."""
import json
import subprocess
import sys

import yaml

from tests.unit.domain_files import ROOT


def test_crossval_config_is_config_yml_without_the_fallback_classifier(tmp_path):
    target = tmp_path / "config.crossval.yml"
    subprocess.run([sys.executable, "scripts/make_crossval_config.py", "config.yml", str(target)], cwd=ROOT, check=True)
    original = yaml.safe_load((ROOT / "config.yml").read_text())
    generated = yaml.safe_load(target.read_text())
    assert [s for s in original["pipeline"] if s["name"] != "FallbackClassifier"] == generated["pipeline"]
    assert len(generated["pipeline"]) == len(original["pipeline"]) - 1
    assert {k: v for k, v in original.items() if k != "pipeline"} == {k: v for k, v in generated.items()
                                                                      if k != "pipeline"}


def gate(tmp_path, intent, selector, welsh=(0.95, 0.95)):
    """Reports as the gate's own run writes them: one folder per language."""
    for language, (intent_value, selector_value) in (("en", (intent, selector)), ("cy", welsh)):
        (tmp_path / language).mkdir(exist_ok=True)
        (tmp_path / language / "intent_report.json").write_text(json.dumps({"accuracy": intent_value}))
        (tmp_path / language / "response_selection_report.json").write_text(json.dumps({"accuracy": selector_value}))
    return subprocess.run([sys.executable, "scripts/nlu_gate.py", "--skip-run", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)


def test_gate_passes_at_or_above_090_and_prints_the_figures(tmp_path):
    done = gate(tmp_path, 0.96, 0.90)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "held-out en intent accuracy: 0.9600" in done.stdout
    assert "held-out en response selector accuracy: 0.9000" in done.stdout
    assert "held-out cy intent accuracy: 0.9500" in done.stdout
    assert "below target 0.93" in done.stdout


def test_gate_fails_below_090_for_either_figure_in_either_language(tmp_path):
    assert gate(tmp_path, 0.89, 0.99).returncode == 1
    assert gate(tmp_path, 0.99, 0.899).returncode == 1
    assert gate(tmp_path, 0.99, 0.99, welsh=(0.89, 0.99)).returncode == 1
    assert gate(tmp_path, 0.99, 0.99, welsh=(0.99, 0.899)).returncode == 1


def test_gate_fails_when_reports_are_missing(tmp_path):
    done = subprocess.run([sys.executable, "scripts/nlu_gate.py", "--skip-run", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "missing report" in done.stderr


def test_crossval_reports_are_written_from_one_repetition(tmp_path):
    import json as _json

    from scripts import nlu_quality

    rows = [["greet", "greet", "greet", None], ["faq", "faq", "faq/uln_what", "faq/uln_what"],
            ["faq", "faq", "faq/uln_find", "faq/uln_what"],
            ["request_opt_out", "request_opt_in", "request_opt_out", None]]
    folds = [{"seed": 1, "fold": 0, "predictions": rows[:2]}, {"seed": 1, "fold": 1, "predictions": rows[2:]},
             {"seed": 2, "fold": 0, "predictions": [["greet", "faq", "greet", None]]}]
    nlu_quality.write_crossval_reports(folds, 1, tmp_path)
    intents = _json.loads((tmp_path / "intent_report.json").read_text())
    assert intents["accuracy"] == 0.75  # the seed-2 row is not counted
    assert intents["request_opt_out"]["confused_with"] == {"request_opt_in": 1}
    topics = _json.loads((tmp_path / "response_selection_report.json").read_text())
    assert topics["accuracy"] == 0.5
    assert (tmp_path / "intent_confusion_matrix.png").stat().st_size > 1000
    assert all("predictions" not in fold for fold in folds)


def test_crossval_request_intent_figures_pool_each_seeds_folds(tmp_path):
    from scripts import nlu_quality

    out, into, faq = "request_opt_out", "request_opt_in", "faq"
    folds = [
        # seed 1: opt-out said 4 times, right twice (both real opt-outs); opt-in never said
        {"seed": 1, "fold": 0, "predictions": [[out, out, out, None], [faq, out, "faq/opt_out_how", None]]},
        {"seed": 1, "fold": 1, "predictions": [[out, out, out, None], [into, out, into, None]]},
        # seed 2: everything right
        {"seed": 2, "fold": 0, "predictions": [[out, out, out, None], [into, into, into, None]]},
    ]
    figures = nlu_quality.request_intents_by_seed(folds, [1, 2])
    assert figures[out]["precision"]["mean"] == round((2 / 4 + 1.0) / 2, 4)
    assert figures[out]["recall"]["mean"] == 1.0
    assert figures[into]["recall"]["mean"] == 0.5 and figures[into]["precision"]["mean"] == 0.5
    assert figures[out]["precision"]["n"] == 2


def test_intents_only_crossval_keeps_every_step_that_decides_the_intent(tmp_path):
    import yaml as _yaml

    from scripts import make_crossval_config, nlu_quality

    config = make_crossval_config.crossval_config(_yaml.safe_load((ROOT / "config.yml").read_text()))
    stripped = nlu_quality.intent_classifier_only(config)
    names = [step["name"] for step in stripped["pipeline"]]
    assert not any(name.endswith("ResponseSelector") for name in names) and "SpacyEntityExtractor" not in names
    # DIET only finds entities in config.yml: it goes too; the intent classifier stays
    assert [s for s in config["pipeline"] if s["name"] not in nlu_quality.NOT_FOR_INTENTS
            and s.get("intent_classification") is not False] == stripped["pipeline"]
    assert "DIETClassifier" not in names and stripped["policies"] == config["policies"]
    assert "nlu_components.sentence_intent_classifier.SentenceIntentClassifier" in names
    with_diet_intents = {**config, "pipeline": [{"name": "DIETClassifier", "epochs": 1}]}
    assert nlu_quality.intent_classifier_only(with_diet_intents)["pipeline"] == with_diet_intents["pipeline"]
    report = {"measured_at": "now", "cross_validation": {
        "folds": 5, "seeds": [1], "intents_only": True, "response_accuracy": None,
        "intent_accuracy": {"mean": 0.8, "sd": 0.0, "n": 5}, "intent_macro_f1": {"mean": 0.7, "sd": 0.0, "n": 5}}}
    assert "| response-selector accuracy | not measured (--intents-only)" in nlu_quality.render(report)
    # no FAQ topics predicted: no response-selection report rather than one that scores 0
    rows = [["faq", "faq", "faq/uln_what", None], ["greet", "greet", "greet", None]]
    folds = [{"seed": 1, "fold": 0, "predictions": rows}]
    nlu_quality.write_crossval_reports(folds, 1, tmp_path)
    assert (tmp_path / "intent_report.json").exists() and not (tmp_path / "response_selection_report.json").exists()
