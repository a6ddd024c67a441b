#!/usr/bin/env python3
"""`rasa run` with the HTTP API's token taken from the environment, not the command line.

`rasa run --auth-token X` shows the token to every local user in `ps` and /proc/<pid>/cmdline,
and with it every conversation (and a model swap). Rasa 3.6 reads the token only from that
argument, so this entry point runs Rasa's own command line (`rasa.__main__.main`, the same
parsing, logging, plugins and server start as `rasa run`) with `run` as its command, and
hands the token in from `RASA_API_TOKEN` just before `rasa.cli.run.run` starts the server.

The token is also wrapped so that Rasa's `provided == token` check (rasa.server.requires_auth,
which takes `?token=` from the query string) compares in constant time: a `str` subclass's
`__eq__` is tried before `str.__eq__` when it is the right-hand operand.

Usage: python scripts/rasa_server.py [rasa run options, without --auth-token]
With `--enable-api`, RASA_API_TOKEN must be set: an API without a token would be open.
"""
from __future__ import annotations

import hmac
import os
import sys


class ConstantTimeToken(str):
    """A token whose equality test takes the same time wherever the first difference is."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return False
        return hmac.compare_digest(self.encode(), other.encode())

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __repr__(self) -> str:  # never print the token itself
        return "ConstantTimeToken(***)"


def main() -> None:
    if "--auth-token" in sys.argv or any(arg.startswith("--auth-token=") for arg in sys.argv):
        raise SystemExit("Give the API token in RASA_API_TOKEN, not on the command line.")
    token = (os.environ.get("RASA_API_TOKEN") or "").strip()
    if "--enable-api" in sys.argv and (not token or token.startswith("__")):
        raise SystemExit("RASA_API_TOKEN is not set: the HTTP API would have no token. Run `make setup`.")

    import rasa.cli.run as cli_run
    from rasa.__main__ import main as rasa_main

    original_run = cli_run.run

    def run(args):
        if token:
            args.auth_token = ConstantTimeToken(token)
        return original_run(args)

    # rasa.cli.run.add_subparser binds `func=run` when rasa's parser is built, inside main().
    cli_run.run = run
    sys.argv = ["rasa", "run", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
