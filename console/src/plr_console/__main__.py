"""python -m plr_console serve | add-user NAME --role ROLE [--password-stdin]"""
from __future__ import annotations

import argparse
import getpass
import sys
import time

from .settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plr_console", description="the LRS helpdesk's staff console")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the console (CONSOLE_PORT, loopback)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    add = commands.add_parser("add-user", help="add a staff account (or replace its password with --replace)")
    add.add_argument("username")
    add.add_argument("--role", default="viewer", choices=("viewer", "caseworker", "admin"))
    add.add_argument("--replace", action="store_true",
                     help="set a new password and role for an existing account, and enable it if it was disabled")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"The console cannot start: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        import uvicorn

        from .app import create_app

        host, port = args.host or settings.host, args.port or settings.port
        print(f"Staff console on http://{host}:{port}/staff/", flush=True)
        # Proxy headers only from loopback (the web page's server, nginx): how TLS in front is seen.
        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                    access_log=False, log_level="warning")
        return 0
    from .accounts import AccountError, Accounts
    from .store import Store

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password (12 characters or more): ")
        if getpass.getpass("The same password again: ") != password:
            print("The two passwords differ; nothing was changed.", file=sys.stderr)
            return 1
    try:
        Accounts(Store(settings.database), time.time).add(args.username, password, args.role, replace=args.replace)
    except AccountError as exc:
        print(f"{exc}; nothing was changed.", file=sys.stderr)
        return 1
    print(f"Account {args.username} ({args.role}) saved in {settings.database}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
