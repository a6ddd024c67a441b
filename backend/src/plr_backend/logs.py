"""Structured JSON logs that can only carry fields we chose.

A formatter that copies every `extra` would let a careless call log a name or a date of birth;
this one keeps only the whitelisted keys below, and none of them is personal. Requests are
identified by their reference only. (A library such as python-json-logger would copy every
extra, which is exactly what we do not want, so the 30 lines live here.)
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

# The only extra fields a log line may carry.
ALLOWED_FIELDS = (
    "event",
    "reference",
    "outcome",
    "method",
    "route",
    "status",
    "duration_ms",
    "from_status",
    "to_status",
    "type",
    "channel",
    "language",
    "match",
    "count",
    "error",
    "actor",
    "days",
    "host",
    "port",
    "database",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ALLOWED_FIELDS:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            # Exception messages can quote input (SQL parameters, parsed values): class name only.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The access log prints the raw path and query string, which a client may fill with anything.
    logging.getLogger("uvicorn.access").disabled = True
    # SQL echo would print statements with parameters; never below WARNING.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    # Alembic announces its context on every schema check; only `migrate` wants to hear it.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def uvicorn_log_config(level: str) -> dict:
    """Hand uvicorn a config that routes its loggers to ours instead of its own formatters."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            "uvicorn": {"level": level, "propagate": True},
            "uvicorn.error": {"level": level, "propagate": True},
            "uvicorn.access": {"level": "CRITICAL", "propagate": False},
        },
    }
