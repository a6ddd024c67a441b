"""Check each JSON schema once instead of on every custom action call.

Rasa 3.6 checks every custom action's answer with `jsonschema.validate(result, spec)`, and
jsonschema 4.17 re-validates the *schema itself* against the 2020-12 metaschema on every call
(`check_schema`), which costs several times the validation itself. Under `make bench` load it
was the largest single cost in the Rasa server's CPU (py-spy), and a form turn makes one or two
such calls.

`install()` replaces `jsonschema.validate` with a version that checks a given schema once and
then only validates instances: same result, same exceptions.

It also asks first whether the instance is valid with a cheaper `oneOf`: Rasa's event schema
is a `oneOf` over 23 event kinds, each fixing `event` with a `const`, so every event was checked
against all 23. A branch whose `properties` fix a string `const` that the instance's own
string value differs from cannot match, so leaving it out gives the same number of matching
branches, hence the same verdict, at a fraction of the cost. A valid
answer is then done; an invalid one is validated again as before, so its error is jsonschema's
own.

Rasa imports `validate` inside the method at call time, so installing it once at start-up is
enough: speedups.install() does, from channels/health.py, which every Rasa server of this
project loads (credentials.yml).
"""
from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import jsonschema
from jsonschema import _validators as jsonschema_validators
from jsonschema import exceptions, validators

_original = jsonschema.validate
# Per (validator class, schema): jsonschema's validator, and the one with the cheaper oneOf.
_validators: Dict[Tuple[Any, str], Tuple[Any, Any]] = {}


def _cannot_match(branch: Any, instance: Dict[str, Any]) -> bool:
    properties = branch.get("properties") if isinstance(branch, dict) else None
    if not isinstance(properties, dict):
        return False
    for name, rule in properties.items():
        if isinstance(rule, dict) and "const" in rule and name in instance:
            fixed, given = rule["const"], instance[name]
            if isinstance(fixed, str) and isinstance(given, str) and fixed != given:
                return True
    return False


def _one_of_without_impossible_branches(validator: Any, one_of: Any, instance: Any, schema: Any) -> Any:
    if isinstance(instance, dict) and isinstance(one_of, list):
        one_of = [branch for branch in one_of if not _cannot_match(branch, instance)]
    return jsonschema_validators.oneOf(validator, one_of, instance, schema)


def quick_check(validator_class: Any, schema: Any) -> Any:
    """A validator of `schema` that gives the same verdict with the cheaper oneOf."""
    return validators.extend(validator_class, {"oneOf": _one_of_without_impossible_branches})(schema)


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    key = (cls, json.dumps(schema, sort_keys=True, default=str))
    cached = _validators.get(key) if not args and not kwargs else None
    if cached is None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)  # once per distinct schema, as before on every call
        validator, quick = validator_class(schema, *args, **kwargs), None
        if not args and not kwargs:
            quick = quick_check(validator_class, schema)
            _validators[key] = (validator, quick)
    else:
        validator, quick = cached
    if quick is not None and quick.is_valid(instance):
        return
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    jsonschema.validate = validate
