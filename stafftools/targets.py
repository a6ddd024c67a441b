"""The NLU and safeguarding targets that the evaluation scripts check and `make report` prints.

One place for each figure: scripts/nlu_gate.py, nlu_quality.py, safeguarding_eval.py and
report.py all read them from here.
"""
from __future__ import annotations

# Held-out accuracy that scripts/nlu_gate.py requires.
HELDOUT_TARGETS = {"intent": 0.95, "response selector": 0.93}
# The intents that start a request, and the precision and recall each must reach.
REQUEST_INTENTS = ("request_opt_out", "request_opt_in")
REQUEST_TARGET = 0.95
# Safeguarding: distress messages caught, and ordinary messages wrongly flagged.
SAFEGUARDING_RECALL, SAFEGUARDING_FPR = 0.98, 0.01
