"""The action server: rasa-sdk's app with a shared-secret check and errors that hold no tracker.

rasa-sdk's own error handler answers with the whole request body (the tracker, with every
personal slot) and logs the request; ours answers with a fixed message. Rasa sends the secret
in the `X-PLR-Action-Token` header (endpoints.yml `action_endpoint.headers`), compared in
constant time; a `?token=` in the query string is not accepted (proxies and error messages
quote URLs). Only /health is open without it.

Run: python -m actions.server --port 5055
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger("actions.server")
OPEN_PATHS = {"/health", "/health/outbox"}
TOKEN_HEADER = "X-PLR-Action-Token"


def build_app(package: str = "actions", token: str = "") -> Sanic:
    from rasa_sdk.endpoint import create_app

    app = create_app(package, cors_origins=[])

    @app.on_request
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorised"}, status=401)
        return None

    async def no_tracker_in_errors(request: Request, exception: Exception) -> HTTPResponse:
        # The action's name is safe to log; the request (a tracker) is not.
        action = (request.json or {}).get("next_action") if request.content_type == "application/json" else None
        logger.error("action failed: %s (%s)", action, type(exception).__name__)
        return response.json({"error": "the action failed"}, status=500)

    @app.get("/health/outbox")
    async def outbox_health(request: Request) -> HTTPResponse:
        """How many requests wait in the outbox: counts only, no request's contents, so that a
        monitor (or `make run`'s status line) sees a backend outage building up."""
        from actions.submit import outbox

        box = outbox()
        oldest = box.oldest_waiting_age()
        return response.json({"pending": box.count("pending"), "dead_letter": box.count("dead_letter"),
                              "oldest_waiting_seconds": None if oldest is None else round(oldest)})

    app.error_handler.add(Exception, no_tracker_in_errors)
    return app


def main() -> None:
    from dotenv import load_dotenv

    from actions.settings import PROJECT_ROOT

    load_dotenv(os.environ.get("PLR_ENV_FILE", PROJECT_ROOT / ".env"), override=False)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    # The action server is internal: only the Rasa servers call it (docs/deploy.md).
    parser.add_argument("--host", default=os.environ.get("INTERNAL_BIND_HOST") or "127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if not token or token.startswith("__"):
        raise SystemExit("ACTION_SERVER_TOKEN is not set: run `make setup` to create .env.")
    app = build_app("actions", token)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
