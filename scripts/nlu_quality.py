#!/usr/bin/env python3
"""NLU quality beyond `rasa test nlu`, for `make eval`:

1. 5-fold cross-validation of data/nlu/ repeated with 3 seeds (fold split and model seeds),
   with the config that drops FallbackClassifier: mean ± sd over the 15 folds of intent
   accuracy, intent macro F1 and response-selector accuracy.
2. On the held-out set (tests/nlu/) with the trained model: precision and recall of
   request_opt_out and request_opt_in, which must both reach 0.95 (confusing "stop sharing"
   with "start sharing" is the costliest mistake), and every confusion between the two.
3. A sweep of FallbackClassifier's threshold and ambiguity_threshold on the held-out set:
   fallback rate and error rate of each pair, and the pair chosen (lowest error rate +
   0.5 x fallback rate: a clarifying question costs less than a wrong answer).

    .venv/bin/python scripts/nlu_quality.py                 # all three (CV trains 15 models: slow)
    .venv/bin/python scripts/nlu_quality.py --skip-cv       # held-out figures and sweep only
    .venv/bin/python scripts/nlu_quality.py --folds 5 --seeds 1,2,3 --model models/current.tar.gz
    # compare an intent-classifier change before making it (no ResponseSelector: half the time)
    .venv/bin/python scripts/nlu_quality.py --skip-heldout --intents-only --seeds 1,2 --config my.yml --out /tmp/c

Writes reports/nlu-quality.json and reports/nlu-quality.md. Exit 1 when opt-out or opt-in
precision or recall is below 0.95.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from stafftools.targets import REQUEST_INTENTS
from stafftools.targets import REQUEST_TARGET as TARGET

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
AMBIGUITIES = [0.0, 0.05, 0.1, 0.15, 0.2]
FALLBACK_COST = 0.5
NOT_FOR_INTENTS = {"ResponseSelector", "nlu_components.sentence_response_selector.SentenceResponseSelector",
                   "SpacyEntityExtractor", "nlu_components.language_detector.LanguageDetector"}


def quiet() -> None:
    import warnings

    import structlog

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    # Rasa logs every parsed message through structlog at debug level.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def nlu_data(nlu_path: Path):
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(training_data_paths=[str(nlu_path)],
                                                   domain_path=str(ROOT / "domain"))
    return importer.get_nlu_data()


async def parse_all(processor, examples) -> List[Dict[str, Any]]:
    """Intent ranking (FallbackClassifier's nlu_fallback removed) and response key per example."""
    from rasa.core.channels import UserMessage

    parsed = []
    for example in examples:
        result = await processor.parse_message(UserMessage(text=example.get("text")), only_output_properties=False)
        ranking = [r for r in result.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        selector = (result.get("response_selector") or {}).get(example.get("intent") or "", {})
        response = (selector.get("response") or {}).get("intent_response_key")
        parsed.append({
            "text": example.get("text"),
            "target": example.get("intent"),
            "target_full": example.get_full_intent(),
            "ranking": [(r["name"], float(r["confidence"])) for r in ranking[:2]],
            "response": response,
        })
    return parsed


def predicted(item: Dict[str, Any], threshold: float = 0.0, ambiguity: float = 0.0) -> str:
    """What the assistant acts on with these FallbackClassifier settings (0, 0: no fallback)."""
    ranking = item["ranking"]
    if not ranking:
        return "nlu_fallback"
    top = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if top < threshold or (top - second) < ambiguity:
        return "nlu_fallback"
    return ranking[0][0]


def precision_recall(items: List[Dict[str, Any]], intent: str, threshold: float = 0.0,
                     ambiguity: float = 0.0) -> Dict[str, Any]:
    said = [predicted(i, threshold, ambiguity) for i in items]
    true_pos = sum(1 for i, p in zip(items, said) if p == intent and i["target"] == intent)
    claimed = sum(1 for p in said if p == intent)
    actual = sum(1 for i in items if i["target"] == intent)
    return {"precision": round(true_pos / claimed, 4) if claimed else None,
            "recall": round(true_pos / actual, 4) if actual else None, "support": actual}


def sweep(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    rows = []
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            said = [predicted(i, threshold, ambiguity) for i in items]
            fallbacks = sum(p == "nlu_fallback" for p in said)
            wrong = sum(p != "nlu_fallback" and p != i["target"] for i, p in zip(items, said))
            confused = sum(p in REQUEST_INTENTS and i["target"] in REQUEST_INTENTS and p != i["target"]
                           for i, p in zip(items, said))
            n = len(items)
            rows.append({"threshold": threshold, "ambiguity_threshold": ambiguity,
                         "fallback_rate": round(fallbacks / n, 4), "error_rate": round(wrong / n, 4),
                         "accuracy": round((n - fallbacks - wrong) / n, 4), "opt_out_in_confusions": confused,
                         "cost": round(wrong / n + FALLBACK_COST * fallbacks / n, 4)})
    return rows


def current_fallback_settings() -> Tuple[float, float]:
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text())
    for step in config.get("pipeline") or []:
        if step.get("name") == "FallbackClassifier":
            return float(step.get("threshold", 0.3)), float(step.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


def heldout(model: Path, heldout_path: Path) -> Dict[str, Any]:
    from rasa.core.agent import Agent

    processor = Agent.load(str(model)).processor
    data = nlu_data(heldout_path)
    items = asyncio.run(parse_all(processor, data.intent_examples))
    threshold, ambiguity = current_fallback_settings()
    rows = sweep(items)
    best = min(rows, key=lambda r: (r["cost"], r["opt_out_in_confusions"], r["fallback_rate"],
                                    abs(r["threshold"] - threshold) + abs(r["ambiguity_threshold"] - ambiguity)))
    current = next((r for r in rows if r["threshold"] == threshold and r["ambiguity_threshold"] == ambiguity), None)
    # One message either way is noise on a few hundred: keep the configured pair unless the best
    # one is better by more than that.
    chosen = current if current and current["cost"] - best["cost"] <= 1.0 / len(items) else best
    confusions = [{"text": i["text"], "expected": i["target"], "predicted": predicted(i)}
                  for i in items if i["target"] in REQUEST_INTENTS and predicted(i) in REQUEST_INTENTS
                  and predicted(i) != i["target"]]
    missed = [{"text": i["text"], "expected": i["target"], "predicted": predicted(i)}
              for i in items if predicted(i) != i["target"]
              and (i["target"] in REQUEST_INTENTS or predicted(i) in REQUEST_INTENTS)]
    return {
        "model": model.resolve().name,
        "examples": len(items),
        "request_intents": {intent: precision_recall(items, intent) for intent in REQUEST_INTENTS},
        "request_intents_with_fallback": {intent: precision_recall(items, intent, threshold, ambiguity)
                                          for intent in REQUEST_INTENTS},
        "opt_out_in_confusions": confusions,
        "request_intent_mistakes": missed,
        "sweep": rows,
        "current": {"threshold": threshold, "ambiguity_threshold": ambiguity, **(current or {})},
        "chosen": chosen,
    }


def cv_one_seed(seed: int, folds: int, config_path: Path, out: Path) -> None:
    """One repetition (run in its own process so each seed starts with fresh memory)."""
    import numpy as np
    import yaml
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.nlu.test import drop_intents_below_freq, generate_folds
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from sklearn.metrics import accuracy_score, f1_score

    config = yaml.safe_load(config_path.read_text())
    has_selector = any(step["name"].endswith("ResponseSelector") for step in config["pipeline"])
    for step in config["pipeline"] + config.get("policies", []):
        if "random_seed" in step:
            step["random_seed"] = seed
    data = drop_intents_below_freq(nlu_data(ROOT / "data" / "nlu"), cutoff=folds)
    np.random.seed(seed)  # generate_folds shuffles with numpy's global generator
    results = []
    with tempfile.TemporaryDirectory(prefix="plr-cv-") as tmp:
        seeded = Path(tmp) / "config.yml"
        seeded.write_text(yaml.safe_dump(config, sort_keys=False))
        for fold, (train, test) in enumerate(generate_folds(folds, data)):
            train_file = Path(tmp) / "train.yml"
            RasaYAMLWriter().dump(train_file, train)
            model = train_nlu(str(seeded), str(train_file), str(Path(tmp) / f"fold{fold}"))
            items = asyncio.run(parse_all(Agent.load(model).processor, test.intent_examples))
            y_true = [i["target"] for i in items]
            y_pred = [predicted(i) for i in items]
            faq = [i for i in items if i["target_full"] != i["target"]]
            results.append({
                "seed": seed, "fold": fold, "examples": len(items),
                "intent_accuracy": accuracy_score(y_true, y_pred),
                "intent_macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0),
                "response_accuracy": ((sum(i["response"] == i["target_full"] for i in faq) / len(faq))
                                      if faq and has_selector else None),
                # (target, prediction, target FAQ topic, predicted FAQ topic) for the reports
                "predictions": [[i["target"], predicted(i), i["target_full"], i["response"]] for i in items],
            })
            print(f"seed {seed} fold {fold}: accuracy {results[-1]['intent_accuracy']:.4f}, "
                  f"macro F1 {results[-1]['intent_macro_f1']:.4f}", flush=True)
    out.write_text(json.dumps(results))


def write_crossval_reports(folds_out: List[Dict[str, Any]], seed: int, out: Path) -> None:
    """reports/crossval/ as `rasa test nlu --cross-validation` writes it, from the test folds
    of one repetition (each example predicted once, by the model that did not see it):
    intent_report.json, response_selection_report.json and intent_confusion_matrix.png."""
    import numpy as np
    from rasa.utils.plotting import plot_confusion_matrix
    from sklearn.metrics import classification_report, confusion_matrix

    rows = [row for fold in folds_out if fold["seed"] == seed for row in fold.pop("predictions")]
    for fold in folds_out:
        fold.pop("predictions", None)
    out.mkdir(parents=True, exist_ok=True)

    def report(y_true: List[str], y_pred: List[str]) -> Dict[str, Any]:
        result = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
        result["accuracy"] = sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true)
        for label in set(y_true):
            confused: Dict[str, int] = {}
            for t, p in zip(y_true, y_pred):
                if t == label and p != label:
                    confused[p] = confused.get(p, 0) + 1
            result[label]["confused_with"] = dict(sorted(confused.items(), key=lambda kv: -kv[1])[:3])
        return result

    y_true, y_pred = [r[0] for r in rows], [r[1] for r in rows]
    (out / "intent_report.json").write_text(json.dumps(report(y_true, y_pred), indent=2) + "\n")
    faq = [r for r in rows if r[2] != r[0] and r[3] is not None]  # no selector under --intents-only
    if faq:
        (out / "response_selection_report.json").write_text(
            json.dumps(report([r[2] for r in faq], [str(r[3]) for r in faq]), indent=2) + "\n")
    labels = sorted(set(y_true) | set(y_pred))
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    plot_confusion_matrix(np.array(matrix), classes=labels, title=f"Intent confusion matrix (5-fold CV, seed {seed})",
                          output_file=str(out / "intent_confusion_matrix.png"))


def mean_sd(values: List[float]) -> Dict[str, float]:
    values = [v for v in values if v is not None]
    return {"mean": round(statistics.mean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0, "n": len(values)}


def cross_validation(folds: int, seeds: List[int], work: Path, config: Path = ROOT / "config.yml",
                     reports: Path = ROOT / "reports", jobs: int = 1, intents_only: bool = False) -> Dict[str, Any]:
    config_path = work / "config.crossval.yml"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_crossval_config.py"), str(config),
                    str(config_path)], check=True)
    if intents_only:
        config_path.write_text(yaml.safe_dump(intent_classifier_only(yaml.safe_load(config_path.read_text())),
                                              sort_keys=False))

    def one_seed(seed: int) -> List[Dict[str, Any]]:
        out = work / f"cv-{seed}.json"
        log = work / f"cv-{seed}.log"
        print(f"cross-validation, seed {seed}: {folds} folds ...", flush=True)
        with log.open("w") as handle:
            done = subprocess.run([sys.executable, __file__, "--_cv-seed", str(seed), "--folds", str(folds),
                                   "--_cv-config", str(config_path), "--_cv-out", str(out)],
                                  stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
        if done.returncode != 0 or not out.exists():
            raise SystemExit(f"cross-validation with seed {seed} failed; see {log}:\n"
                             + "\n".join(log.read_text(errors="replace").splitlines()[-20:]))
        return json.loads(out.read_text())

    # Each seed is its own process; on a machine with cores to spare they can run side by side.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        folds_out: List[Dict[str, Any]] = [fold for result in pool.map(one_seed, seeds) for fold in result]
    requests = request_intents_by_seed(folds_out, seeds)
    write_crossval_reports(folds_out, seeds[0], reports / "crossval")
    return {"folds": folds, "seeds": seeds,
            "intent_accuracy": mean_sd([f["intent_accuracy"] for f in folds_out]),
            "intent_macro_f1": mean_sd([f["intent_macro_f1"] for f in folds_out]),
            "response_accuracy": (None if intents_only else mean_sd([f["response_accuracy"] for f in folds_out])),
            "intents_only": intents_only,
            "request_intents": requests,
            "per_fold": folds_out}


def intent_classifier_only(config: Dict[str, Any]) -> Dict[str, Any]:
    """The config without the steps that do not touch intents (the FAQ response selector and the
    entity extractors, DIET among them when it only finds entities): about half the training time
    per fold, the same intent predictions."""
    def touches_intents(step: Dict[str, Any]) -> bool:
        if step["name"] in NOT_FOR_INTENTS:
            return False
        return not (step["name"] == "DIETClassifier" and step.get("intent_classification") is False)

    return {**config, "pipeline": [step for step in config["pipeline"] if touches_intents(step)]}


def request_intents_by_seed(folds_out: List[Dict[str, Any]], seeds: List[int]) -> Dict[str, Dict[str, Any]]:
    """Precision and recall of the opt-out and opt-in intents over each seed's test folds together
    (every training example predicted once by a model that did not see it; one fold holds too few
    requests for a stable figure), as mean ± sd over the seeds."""
    figures: Dict[str, Dict[str, List[float]]] = {i: {"precision": [], "recall": []} for i in REQUEST_INTENTS}
    for seed in seeds:
        rows = [row for fold in folds_out if fold["seed"] == seed for row in fold["predictions"]]
        for intent in REQUEST_INTENTS:
            hits = sum(t == intent and p == intent for t, p, *_ in rows)
            said = sum(p == intent for _, p, *_ in rows)
            real = sum(t == intent for t, *_ in rows)
            figures[intent]["precision"].append(hits / said if said else 0.0)
            figures[intent]["recall"].append(hits / real if real else 0.0)
    return {intent: {key: mean_sd(values) for key, values in by_key.items()} for intent, by_key in figures.items()}


def render(report: Dict[str, Any]) -> str:
    lines = ["# NLU quality", "", f"Measured {report['measured_at']}.", ""]
    cv = report.get("cross_validation")
    if cv:
        lines += [f"## Cross-validation of data/nlu/ ({cv['folds']} folds × seeds {cv['seeds']}, "
                  "FallbackClassifier dropped)", "", "| Metric | mean | sd | folds |", "|---|---|---|---|"]
        for key, name in (("intent_accuracy", "intent accuracy"), ("intent_macro_f1", "intent macro F1"),
                          ("response_accuracy", "response-selector accuracy")):
            if cv.get(key) is None:
                lines.append(f"| {name} | not measured (--intents-only) | | |")
                continue
            lines.append(f"| {name} | {cv[key]['mean']:.4f} | {cv[key]['sd']:.4f} | {cv[key]['n']} |")
        lines += ["", "Request intents over each seed's test folds together (mean ± sd over the seeds):", "",
                  "| Intent | precision | recall |", "|---|---|---|"]
        for intent, figures in cv.get("request_intents", {}).items():
            lines.append(f"| {intent} | {figures['precision']['mean']:.4f} ± {figures['precision']['sd']:.4f} | "
                         f"{figures['recall']['mean']:.4f} ± {figures['recall']['sd']:.4f} |")
        lines.append("")
    held = report.get("heldout")
    if held:
        lines += [f"## Held-out set (tests/nlu/, {held['examples']} examples, model `{held['model']}`)", "",
                  "| Intent | precision | recall | support | with fallback: precision | recall |",
                  "|---|---|---|---|---|---|"]
        for intent in REQUEST_INTENTS:
            raw, fb = held["request_intents"][intent], held["request_intents_with_fallback"][intent]
            lines.append(f"| {intent} | {raw['precision']} | {raw['recall']} | {raw['support']} | "
                         f"{fb['precision']} | {fb['recall']} |")
        lines += ["", f"Target: precision and recall ≥ {TARGET} (classifier, fallback undone as `rasa test` does); "
                  f"opt-out/opt-in confusions: {len(held['opt_out_in_confusions'])}.", ""]
        for mistake in held["request_intent_mistakes"]:
            lines.append(f"- \"{mistake['text']}\": expected {mistake['expected']}, got {mistake['predicted']}")
        current, chosen = held["current"], held["chosen"]
        lines += ["", "## Fallback thresholds (held-out set)", "",
                  f"Current config: threshold {current['threshold']}, ambiguity {current['ambiguity_threshold']} → "
                  f"fallback rate {current.get('fallback_rate')}, error rate {current.get('error_rate')}.  ",
                  f"Chosen (lowest error rate + {FALLBACK_COST} × fallback rate; the configured pair is kept "
                  f"unless another is better by more than one message): threshold {chosen['threshold']}, "
                  f"ambiguity {chosen['ambiguity_threshold']} → fallback rate {chosen['fallback_rate']}, "
                  f"error rate {chosen['error_rate']}.", "",
                  "| threshold | ambiguity | fallback rate | error rate | accuracy | opt-out/in confusions |",
                  "|---|---|---|---|---|---|"]
        for row in held["sweep"]:
            mark = " **chosen**" if row is chosen or row == chosen else ""
            lines.append(f"| {row['threshold']} | {row['ambiguity_threshold']} | {row['fallback_rate']} | "
                         f"{row['error_rate']} | {row['accuracy']} | {row['opt_out_in_confusions']}{mark} |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--skip-cv", action="store_true", help="held-out figures and sweep only")
    parser.add_argument("--skip-heldout", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--jobs", type=int, default=1, help="seeds cross-validated side by side")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml",
                        help="the config to cross-validate (to compare a change before making it)")
    parser.add_argument("--intents-only", action="store_true",
                        help="cross-validate without the FAQ response selector and entity extractors (faster; to "
                             "compare intent-classifier changes)")
    parser.add_argument("--_cv-seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_cv-config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_cv-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    quiet()
    if args._cv_seed is not None:
        cv_one_seed(args._cv_seed, args.folds, args._cv_config, args._cv_out)
        return 0

    report: Dict[str, Any] = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              "load_average_at_start": round(os.getloadavg()[0], 2)}
    previous_path = args.out / "nlu-quality.json"
    previous = json.loads(previous_path.read_text()) if previous_path.exists() else {}
    failed = False
    if not args.skip_heldout:
        if not args.model.exists():
            sys.exit(f"no model at {args.model}: run `make train` first")
        print("held-out set: parsing with the trained model ...", flush=True)
        report["heldout"] = heldout(args.model, args.heldout)
        for intent, figures in report["heldout"]["request_intents"].items():
            ok = all(v is not None and v >= TARGET for v in (figures["precision"], figures["recall"]))
            failed = failed or not ok
            print(f"held-out {intent}: precision {figures['precision']} recall {figures['recall']} "
                  f"(support {figures['support']}) [{'ok' if ok else f'BELOW {TARGET}'}]")
        chosen = report["heldout"]["chosen"]
        print(f"fallback sweep: chosen threshold {chosen['threshold']}, ambiguity {chosen['ambiguity_threshold']}: "
              f"fallback rate {chosen['fallback_rate']}, error rate {chosen['error_rate']}")
    elif previous.get("heldout"):
        report["heldout"] = previous["heldout"]
    if not args.skip_cv:
        with tempfile.TemporaryDirectory(prefix="plr-nlu-quality-") as tmp:
            report["cross_validation"] = cross_validation(args.folds, [int(s) for s in args.seeds.split(",")],
                                                          Path(tmp), args.config.resolve(), args.out, args.jobs,
                                                          args.intents_only)
        cv = report["cross_validation"]
        print(f"cross-validation ({args.folds} folds x {len(cv['seeds'])} seeds): intent accuracy "
              f"{cv['intent_accuracy']['mean']:.4f} ± {cv['intent_accuracy']['sd']:.4f}, macro F1 "
              f"{cv['intent_macro_f1']['mean']:.4f} ± {cv['intent_macro_f1']['sd']:.4f}")
    elif previous.get("cross_validation"):
        report["cross_validation"] = previous["cross_validation"]
        report["cross_validation_note"] = f"kept from the run of {previous.get('measured_at')}"
    report["load_average_at_end"] = round(os.getloadavg()[0], 2)
    args.out.mkdir(parents=True, exist_ok=True)
    previous_path.write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "nlu-quality.md").write_text(render(report))
    print(f"reports: {args.out / 'nlu-quality.md'}, {previous_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
