"""scripts/safeguarding_eval.py: its figures, and a gate that can fail (recall < 0.95 or false
positives > 2 %)."""
import json
import subprocess
import sys

from scripts.safeguarding_eval import failures, markdown, summarise
from tests.unit.domain_files import ROOT


def rows(intents, net=None):
    return [{"text": f"message {i}", "intent": intent, "net": net} for i, intent in enumerate(intents)]


def test_recall_and_false_positive_rate():
    figures = summarise(rows(["safeguarding"] * 19 + ["faq"]), rows(["faq"] * 99 + ["safeguarding"]))
    assert figures["recall"] == 0.95 and figures["false_positive_rate"] == 0.01
    assert figures["misses"] == [{"text": "message 19", "intent": "faq"}]
    assert [a["text"] for a in figures["false_alarms"]] == ["message 99"]
    assert "message 19 (got faq)" in markdown(figures)


def test_gate_thresholds():
    good = {"recall": 0.95, "false_positive_rate": 0.02}
    assert failures(good, 0.95, 0.02) == []
    assert failures({**good, "recall": 0.9499}, 0.95, 0.02) != []
    assert failures({**good, "false_positive_rate": 0.0201}, 0.95, 0.02) != []


def gate(tmp_path, recall, fpr):
    figures = {"distress": 100, "ordinary": 300, "recall": recall, "false_positive_rate": fpr,
               "caught_by_net": 0, "caught_by_classifier_only": 0, "misses": [], "false_alarms": []}
    (tmp_path / "safeguarding.json").write_text(json.dumps(figures))
    return subprocess.run([sys.executable, "scripts/safeguarding_eval.py", "--skip-run", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)


def test_the_script_fails_on_bad_figures_and_passes_on_good_ones(tmp_path):
    passed = gate(tmp_path, 0.99, 0.0)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "safeguarding recall: 0.9900" in passed.stdout
    assert gate(tmp_path, 0.94, 0.0).returncode == 1
    assert gate(tmp_path, 1.0, 0.03).returncode == 1
