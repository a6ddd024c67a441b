#!/usr/bin/env python3
"""How well nlu_components/language_detector.py tells Welsh from English.

Reports, on the held-out sets, the share of Welsh phrasings (tests/nlu_cy/) marked Welsh and the
share of English ones (tests/nlu/, with the safeguarding look-alikes) wrongly marked Welsh, and
lists the misses: reports/language.{json,md}. `--sweep` prints the same figures on the training
phrasings for a grid of settings; the detector's defaults were chosen there, never on held-out.

    .venv/bin/python scripts/language_eval.py --out reports
    .venv/bin/python scripts/language_eval.py --sweep
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Dict, List

from nlu_components.language_detector import LanguageDetector
from testkit.nlu_files import (
    HELDOUT_DIR,
    WELSH_HELDOUT_DIR,
    examples_by_intent,
    training_examples,
    welsh_training_examples,
)

ROOT = Path(__file__).resolve().parent.parent


def texts(examples: Dict[str, List[str]]) -> List[str]:
    return [text for values in examples.values() for text in values]


def safeguarding_lookalikes() -> List[str]:
    import yaml

    found: List[str] = []
    for path in sorted((HELDOUT_DIR / "safeguarding").glob("*.yml")):
        found.extend(str(m) for m in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("messages") or [])
    return found


def figures(detector: LanguageDetector, welsh: List[str], english: List[str]) -> Dict:
    missed = [t for t in welsh if detector.language_of(t) != "cy"]
    wrong = [t for t in english if detector.language_of(t) == "cy"]
    return {"welsh": len(welsh), "welsh_detected": 1 - len(missed) / max(len(welsh), 1), "welsh_missed": missed,
            "english": len(english), "english_marked_welsh": len(wrong) / max(len(english), 1),
            "english_wrong": wrong}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--sweep", action="store_true", help="settings grid on the training phrasings")
    args = parser.parse_args()

    if args.sweep:
        welsh, english = texts(welsh_training_examples()), texts(training_examples())
        for threshold, min_words, marker in itertools.product((0.7, 0.8, 0.9, 0.95), (1, 2, 3), (0.1, 0.25)):
            result = figures(LanguageDetector({"threshold": threshold, "min_words": min_words,
                                               "marker_threshold": marker}), welsh, english)
            print(f"threshold {threshold} min_words {min_words} marker {marker}: Welsh detected "
                  f"{result['welsh_detected']:.3f}, English marked Welsh {result['english_marked_welsh']:.4f}")
        return 0

    welsh = texts(examples_by_intent(sorted(WELSH_HELDOUT_DIR.glob("*.yml"))))
    english = texts(examples_by_intent(sorted(HELDOUT_DIR.glob("*.yml")))) + safeguarding_lookalikes()
    result = figures(LanguageDetector({}), welsh, english)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "language.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    lines = ["# Language detection on the held-out sets", "",
             f"- Welsh phrasings marked Welsh: {result['welsh_detected']:.3f} of {result['welsh']}",
             f"- English phrasings marked Welsh: {result['english_marked_welsh']:.4f} of {result['english']}", "",
             "Welsh missed: " + "; ".join(result["welsh_missed"]), "",
             "English marked Welsh: " + ("; ".join(result["english_wrong"]) or "none")]
    (args.out / "language.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[2:4]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
