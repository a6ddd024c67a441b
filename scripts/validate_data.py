"""`rasa data validate` with one honest exception.

Rasa warns that a response "is not used in any story or rule" when only a custom action sends
it (re-prompts, read-backs, outcomes). Such a warning is accepted only when the action code
really names that response (literally, or by an f-string prefix such as "utter_invalid_");
every other warning or error fails the check.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
# Rasa 3.6's importer adds the retrieval intent `faq` from the NLU data to the merged domain and
# then reports it as duplicated; declaring it or not only changes which warning appears.
KNOWN_IMPORTER_NOISE = "The following duplicated intents have been found across multiple domain files: faq"
UNUSED = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")


def names_sent_by_actions() -> Tuple[Set[str], Set[str]]:
    """Literal response names and f-string prefixes found in actions/*.py."""
    literals, prefixes = set(), set()
    for path in (ROOT / "actions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("utter_"):
                literals.add(node.value)
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if head.startswith("utter_"):
                    prefixes.add(head)
    return literals, prefixes


def main() -> int:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate", "--domain", "domain", "--data", "data",
         "--config", "config.yml"],
        cwd=ROOT, capture_output=True, text=True,
        # Rasa's own SQLAlchemy 1.4 use warns about 2.0; that is not about our data.
        env={**__import__("os").environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
    )
    output = result.stdout + result.stderr
    literals, prefixes = names_sent_by_actions()
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line and " ERROR " not in line and "WARNING" not in line:
            continue
        if line.rstrip().endswith(KNOWN_IMPORTER_NOISE):
            continue
        unused = UNUSED.search(line)
        if unused and (unused.group(1) in literals or unused.group(1).startswith(tuple(prefixes))):
            continue
        problems.append(line.strip())
    if result.returncode != 0:
        problems.append(f"rasa data validate exited with {result.returncode}")
    for problem in problems:
        print(problem)
    print(f"rasa data validate: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
