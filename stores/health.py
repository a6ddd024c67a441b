"""Health of the shared stores in this process: live checks, failure counts and ALERT logs.

A store calls `failed()` when an operation still fails after its retries and `ok()` when one
succeeds. The first failure after a good spell logs one `ALERT <component> ...` line at ERROR
(and again every `REPEAT_SECONDS` while it lasts), recovery logs `RECOVERED <component>`, so an
outage is visible in the logs without flooding them. The health route (channels/health.py)
runs the registered live checks and reports these counts. Only exception class names are
logged: a database error's text can quote the SQL parameters, i.e. a learner's details.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional

logger = logging.getLogger("plr.health")
REPEAT_SECONDS = 60.0

Check = Callable[[], Awaitable[None]]


@dataclass
class ComponentState:
    failures: int = 0
    failing_since: Optional[float] = None
    last_failure: Optional[float] = None
    last_error: Optional[str] = None
    last_alert: float = 0.0
    backend: str = ""


_states: Dict[str, ComponentState] = {}
_checks: Dict[str, Check] = {}


def _state(component: str) -> ComponentState:
    return _states.setdefault(component, ComponentState())


def error_name(exc: BaseException) -> str:
    """`OperationalError/OperationalError` style: the exception and its cause, names only."""
    names = [type(exc).__name__]
    inner = getattr(exc, "orig", None) or exc.__cause__
    if inner is not None and type(inner).__name__ not in names:
        names.append(type(inner).__name__)
    return "/".join(names)


def register(component: str, backend: str, check: Check) -> None:
    _state(component).backend = backend
    _checks[component] = check


def failed(component: str, exc: BaseException, operation: str) -> None:
    state = _state(component)
    now = time.time()
    state.failures += 1
    state.last_failure = now
    state.last_error = error_name(exc)
    if state.failing_since is None:
        state.failing_since = now
    if now - state.last_alert >= REPEAT_SECONDS or state.last_alert < state.failing_since:
        state.last_alert = now
        logger.error("ALERT %s unavailable: %s failed (%s); messages are refused with a 'technical "
                     "problem' answer until it is back", component, operation, state.last_error)


def ok(component: str) -> None:
    state = _states.get(component)
    if state is not None and state.failing_since is not None:
        logger.warning("RECOVERED %s after %.0f s", component, time.time() - state.failing_since)
        state.failing_since = None


async def report(timeout: float = 3.0) -> Dict[str, Any]:
    """Run every live check (each within `timeout`) and describe every component."""
    components: Dict[str, Any] = {}
    for component, check in list(_checks.items()):
        state = _state(component)
        try:
            await asyncio.wait_for(check(), timeout)
        except Exception as exc:  # any failure of a check is the answer we want
            failed(component, exc, "health check")
            live = f"failing ({error_name(exc)})"
        else:
            ok(component)
            live = "ok"
        components[component] = {
            "status": live,
            "backend": state.backend,
            "failures_since_start": state.failures,
            "last_failure": state.last_failure,
            "last_error": state.last_error,
        }
    return components


def reset_for_tests() -> None:
    _states.clear()
    _checks.clear()
