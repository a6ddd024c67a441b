"""The assistant's pytest suites, one folder per kind (unit, actions, integration, faults, ...),
plus the staff's scripted conversations (conversations/), test stories and held-out NLU sets."""
