"""Check each JSON schema once instead of on every custom action call.

Rasa 3.6 checks every custom action's answer with `jsonschema.validate(result, spec)`, and
jsonschema 4.17 re-validates the *schema itself* against the 2020-12 metaschema on every call
(`check_schema`). py-spy on the Rasa server under 10 learners: ~22 % of its CPU; measured here
23.7 ms per call against 3.2 ms with the check done once. A form turn makes one or two such calls
(`make bench`, 10 learners: 15.3 msg/s before, 21.6 with this and stores/history.py).

`install()` replaces `jsonschema.validate` with a version that checks a given schema once and
then only validates instances: same result, same exceptions. Rasa imports `validate` inside the
method at call time, so installing it once at start-up is enough: speedups.install() does, from
channels/health.py, which every Rasa server of this project loads (credentials.yml).
"""
from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import jsonschema
from jsonschema import exceptions, validators

_original = jsonschema.validate
_validators: Dict[Tuple[Any, str], Any] = {}


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    key = (cls, json.dumps(schema, sort_keys=True, default=str))
    validator = _validators.get(key) if not args and not kwargs else None
    if validator is None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)  # once per distinct schema, as before on every call
        validator = validator_class(schema, *args, **kwargs)
        if not args and not kwargs:
            _validators[key] = validator
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    jsonschema.validate = validate
