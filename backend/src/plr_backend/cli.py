"""Management and staff commands: `python -m plr_backend <command>` (or `plr-backend <command>`).

serve, migrate                         run the service / bring the schema up to date
list, show, set-status, export-csv     the helpdesk's view of requests
retention                              delete old completed/rejected requests (audited); report overdue open ones
dead-letters                           requests an action server could not deliver (refused by this backend)
generate-register, load-register       the synthetic learner register for the identity pre-check

Staff commands print personal data to stdout on purpose (that is their job); logs, on stderr,
never carry it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from . import logs, register, retention
from .crypto import Vault
from .db import Database
from .migrate import SchemaOutOfDate, require_current, upgrade
from .models import LANGUAGES, STATUSES
from .references import normalise_reference
from .schemas import UndeliverableRecord
from .settings import ConfigError, Settings, load_settings
from .store import Conflict, NotFound, RequestStore

log = logging.getLogger("plr_backend.cli")
PENDING = ("received", "in_progress")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): an email
# address such as =1+2@example.com is valid, and a conversation id can be any printable text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "reference",
    "type",
    "status",
    "match",
    "given_name",
    "family_name",
    "previous_family_name",
    "date_of_birth",
    "postcode",
    "uln",
    "contact_email",
    "channel",
    "language",
    "conversation_id",
    "created_at",
    "updated_at",
)


class CommandError(RuntimeError):
    """A clear, expected failure: printed without a traceback, exit status 1."""


def _store(settings: Settings) -> RequestStore:
    require_current(settings.database_url)
    return RequestStore(Database(settings.database_url), Vault(settings.fernet(), settings.hash_key))


def _reference(text: str) -> str:
    reference = normalise_reference(text)
    if reference is None:
        raise CommandError(f"not a reference: {text!r} (they look like PLR-7K3M-9QXD)")
    return reference


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    require_current(settings.database_url)
    host = args.host or settings.bind_host
    port = args.port or settings.port
    log.info(
        "starting",
        extra={
            "event": "serve",
            "host": host,
            "port": port,
            "database": "sqlite" if settings.is_sqlite else "postgresql",
        },
    )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # logs.configure() already routed uvicorn's loggers to our JSON handler
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return 0


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    logging.getLogger("alembic").setLevel(logging.INFO)
    upgrade(settings.database_url)
    require_current(settings.database_url)
    log.info(
        "schema up to date", extra={"event": "migrate", "database": "sqlite" if settings.is_sqlite else "postgresql"}
    )
    return 0


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    statuses = (args.status,) if args.status else PENDING
    created_before = None
    if args.overdue:
        # Open requests past OPEN_REQUEST_MAX_DAYS: the ones the retention report counts.
        statuses = PENDING
        created_before = datetime.now(UTC) - timedelta(days=settings.open_request_max_days)
    cursor: str | None = None
    shown = 0
    print(f"{'reference':<14} {'type':<8} {'status':<12} {'match':<10} {'channel':<7} {'lang':<4} created (UTC)")
    while shown < args.limit:
        items, cursor = store.list(
            type_=args.type,
            limit=min(200, args.limit - shown),
            cursor=cursor,
            statuses=statuses,
            created_before=created_before,
            language=args.language,
        )
        for item in items:
            print(
                f"{item.reference:<14} {item.type:<8} {item.status:<12} {item.match:<10} {item.channel:<7} "
                f"{item.language:<4} {item.created_at:%Y-%m-%d %H:%M}"
            )
        shown += len(items)
        if cursor is None:
            break
    print(f"({shown} shown)")
    return 0


def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    try:
        detail = store.get(_reference(args.reference))
    except NotFound:
        raise CommandError(f"no request {args.reference}") from None
    print(json.dumps(detail.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return 0


def cmd_set_status(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    reference = _reference(args.reference)
    actor = f"staff-cli:{args.actor or getpass.getuser()}"
    try:
        detail = store.change_status(reference, args.status, args.note, actor=actor)
    except NotFound:
        raise CommandError(f"no request {reference}") from None
    except Conflict as exc:
        raise CommandError(str(exc)) from None
    log.info(
        "status changed", extra={"event": "request.status_changed", "reference": reference, "to_status": args.status}
    )
    print(f"{detail.reference}: {detail.history[-1].from_status} -> {detail.status}")
    return 0


def _export_target(path: str) -> contextlib.AbstractContextManager[TextIO]:
    if path == "-":
        return contextlib.nullcontext(sys.stdout)
    # Personal data: readable by its owner only, from the first byte.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return open(descriptor, "w", newline="", encoding="utf-8")


def csv_safe(value: object) -> str:
    """A cell as text that a spreadsheet shows instead of running: formula starts get a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cmd_export_csv(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    statuses = tuple(args.status) if args.status else None
    count = 0
    with _export_target(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        cursor: str | None = None
        while True:
            items, cursor = store.list(
                type_=args.type, limit=200, cursor=cursor, statuses=statuses, language=args.language
            )
            for item in items:
                row = item.model_dump(mode="json")
                writer.writerow([csv_safe(row[c]) for c in EXPORT_COLUMNS])
                count += 1
            if cursor is None:
                break
    log.info("export written", extra={"event": "export", "count": count})
    if args.output != "-":
        print(f"{count} request(s) written to {args.output}")
    return 0


def cmd_retention(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    days = args.days or settings.retention_days
    result = retention.sweep(store, days, settings.open_request_max_days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"retention ({days} days): {verb} {len(result.deleted)} completed/rejected request(s)")
    if not args.dry_run and result.dead_letters_deleted:
        print(f"deleted {result.dead_letters_deleted} undeliverable request(s) older than {days} days")
    report = result.report
    print(
        f"{report.open_overdue} open request(s) older than {settings.open_request_max_days} days"
        + (" (see `list --overdue`)" if report.open_overdue else "")
    )
    print(f"{report.dead_letters} undeliverable request(s) waiting for staff (see `dead-letters`)")
    return 0


def cmd_dead_letters(settings: Settings, args: argparse.Namespace) -> int:
    """Requests the learner was told were saved but this backend refused: staff must follow them up."""
    store = _store(settings)
    cursor: str | None = None
    items: list[UndeliverableRecord] = []
    while len(items) < args.limit:
        page, cursor = store.list_undeliverable(limit=min(200, args.limit - len(items)), cursor=cursor)
        items.extend(page)
        if cursor is None:
            break
    if args.json:
        print(json.dumps([item.model_dump(mode="json") for item in items], indent=2, ensure_ascii=False))
        return 0
    for item in items:
        request = item.request
        name = " ".join(filter(None, (request.get("given_name"), request.get("family_name"))))
        print(
            f"#{item.id} received {item.received_at:%Y-%m-%d %H:%M} UTC, refused with http {item.http_status}"
            + (f" ({item.field})" if item.field else "")
            + f": {request.get('type') or '?'} for {name or '?'}, born {request.get('date_of_birth') or '?'}"
            # Outboxes older than the language field forwarded none: those requests were English.
            + f", language {request.get('language') or 'en'}"
        )
    print(f"({len(items)} undeliverable request(s))")
    return 0


def cmd_generate_register(_settings: Settings | None, args: argparse.Namespace) -> int:
    if args.count < 200:
        raise CommandError("the register needs at least 200 learners")
    rows = register.synthetic_learners(args.count, args.seed, datetime.now(UTC).date())
    written = register.write_csv(rows, Path(args.output))
    print(f"{written} synthetic learners written to {args.output}")
    return 0


def cmd_load_register(settings: Settings, args: argparse.Namespace) -> int:
    require_current(settings.database_url)
    try:
        rows = register.read_csv(Path(args.path), datetime.now(UTC).date())
    except register.RegisterError as exc:
        raise CommandError(str(exc)) from None
    db = Database(settings.database_url)
    loaded = register.load(db, Vault(settings.fernet(), settings.hash_key), rows)
    log.info("register loaded", extra={"event": "register.loaded", "count": loaded})
    print(f"{loaded} learners loaded into the register")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plr-backend", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API (uvicorn)")
    serve.add_argument("--host", help="default: INTERNAL_BIND_HOST, else BIND_HOST")
    serve.add_argument("--port", type=int, help="default: BACKEND_PORT")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("migrate", help="upgrade the database schema to the latest revision").set_defaults(
        handler=cmd_migrate
    )

    listing = commands.add_parser("list", help="list requests (default: pending = received + in_progress)")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--type", choices=("opt_out", "opt_in"))
    listing.add_argument("--language", choices=LANGUAGES, help="en (English) or cy (Welsh); default: both")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--overdue", action="store_true", help="open requests older than OPEN_REQUEST_MAX_DAYS")
    listing.set_defaults(handler=cmd_list)

    show = commands.add_parser("show", help="show one request with its audit history")
    show.add_argument("reference")
    show.set_defaults(handler=cmd_show)

    status = commands.add_parser("set-status", help="change a request's status (audited)")
    status.add_argument("reference")
    status.add_argument("status", choices=("in_progress", "completed", "rejected"))
    status.add_argument("--note")
    status.add_argument("--actor", help="who is making the change (default: the OS user)")
    status.set_defaults(handler=cmd_set_status)

    export = commands.add_parser("export-csv", help="export requests as CSV (personal data: handle with care)")
    export.add_argument("--output", "-o", default="-", help="file path, or - for stdout")
    export.add_argument("--status", action="append", choices=STATUSES, help="repeatable; default: all")
    export.add_argument("--type", choices=("opt_out", "opt_in"))
    export.add_argument("--language", choices=LANGUAGES, help="en (English) or cy (Welsh); default: both")
    export.set_defaults(handler=cmd_export_csv)

    retention = commands.add_parser("retention", help="delete completed/rejected requests older than RETENTION_DAYS")
    retention.add_argument("--days", type=int, help="override RETENTION_DAYS")
    retention.add_argument("--dry-run", action="store_true")
    retention.set_defaults(handler=cmd_retention)

    dead = commands.add_parser("dead-letters", help="requests an outbox could not deliver (personal data)")
    dead.add_argument("--limit", type=int, default=200)
    dead.add_argument("--json", action="store_true", help="every field, as JSON")
    dead.set_defaults(handler=cmd_dead_letters)

    generate = commands.add_parser("generate-register", help="write a synthetic learner register CSV")
    generate.add_argument("--output", "-o", default=str(register.DEFAULT_PATH))
    generate.add_argument("--count", type=int, default=250)
    generate.add_argument("--seed", type=int, default=20261129)
    generate.set_defaults(handler=cmd_generate_register, needs_settings=False)

    load = commands.add_parser("load-register", help="replace the learner register with a CSV")
    load.add_argument("path", nargs="?", default=str(register.DEFAULT_PATH))
    load.set_defaults(handler=cmd_load_register)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "needs_settings", True):
        logs.configure("INFO")
        try:
            return args.handler(None, args)
        except CommandError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    try:
        return args.handler(settings, args)
    except (CommandError, SchemaOutOfDate) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - e.g. the database is down: say so, no traceback with values
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            print(
                "error: cannot reach the database (check DATABASE_URL and that the server is running)", file=sys.stderr
            )
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
