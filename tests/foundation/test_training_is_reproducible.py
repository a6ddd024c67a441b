"""Training twice from the same data gives the same intent ranking (fixed seeds).

The first model is the one `make train` built; the second is `rasa train nlu` of the same
files with an empty cache. NLU-only is enough since no NLU component learns from the stories:
the pipeline has no sparse featurizers, which were the ones fed the stories' intent and action
names, and the classifiers train on examples with text alone. It skips TED, whose
reproducibility does not show in a ranking. Both run with the fixed hash seed and
deterministic TensorFlow ops that scripts/train.sh sets.
"""
import os
import subprocess

from rasa.core.agent import Agent

from tests.conftest import ROOT, run

MESSAGES = [
    "hello",
    "what is a uln",
    "who can see my learning record",
    "i want to stop sharing my record",
    "can i opt back in",
    "are you a robot",
    "bye",
    "um how do i find my unique learner number",
    "what can you do",
    "my qualifications are wrong",
]


def ranking(agent, text):
    parsed = run(agent.parse_message(text))
    return [(item["name"], round(item["confidence"], 4)) for item in parsed["intent_ranking"]]


def test_same_data_same_ranking(agent, tmp_path):
    out = tmp_path / "models"
    subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "train", "nlu", "--config", "config.yml", "--nlu", "data/nlu",
         "--domain", "domain", "--out", str(out), "--fixed-model-name", "again", "--quiet"],
        cwd=ROOT, check=True, capture_output=True,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(tmp_path / "cache"), "PYTHONHASHSEED": "0",
             "TF_DETERMINISTIC_OPS": "1"},
    )
    again = Agent.load(str(out / "again.tar.gz"))
    for text in MESSAGES:
        first, second = ranking(agent, text), ranking(again, text)
        assert [name for name, _ in first] == [name for name, _ in second], text
        for (_, a), (_, b) in zip(first, second):
            assert abs(a - b) <= 1e-3, (text, first, second)
