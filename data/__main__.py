"""Command line: python -m data migrate | init | ingest | token | user | display | audit | simulate | rollup | withdraw | backup | restore."""
from __future__ import annotations

import argparse
import sys

from settings import Settings, load_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="upgrade the database schema to the current revision")
    p_init = sub.add_parser("init", help="migrate, then load reference data and history")
    p_init.add_argument("--years", type=int, default=None, help="years of simulated history (1-20)")
    p_init.add_argument("--seed", type=int, default=None, help="random seed (deterministic)")
    p_init.add_argument("--force", action="store_true", help="rebuild even if it exists")
    p_init.add_argument("--empty", action="store_true",
                        help="reference data only (catalogue, agencies, provinces, KPI facts,"
                             " cameras, bridge points), no simulated history: for production")

    p_ing = sub.add_parser("ingest", help="validate and store a CSV, JSON or XLSX submission")
    p_ing.add_argument("file")
    p_ing.add_argument("--agency", required=True, help="agency code, e.g. BTC or T34_01")

    p_tok = sub.add_parser("token", help="agency API tokens and display tokens")
    tok_sub = p_tok.add_subparsers(dest="token_command", required=True)
    p_tc = tok_sub.add_parser("create", help="create a token and print it once")
    who = p_tc.add_mutually_exclusive_group(required=True)
    who.add_argument("--agency", help="an agency API token for submissions")
    who.add_argument("--display", metavar="NAME",
                     help="a read-only display token; prints the /display/<token> URL")
    p_tc.add_argument("--base-url", default="", help="prefix of the printed display URL")
    tok_sub.add_parser("list", help="list tokens with last use (never the secret)")
    p_tr = tok_sub.add_parser("revoke", help="revoke a token by id (display tokens: d1, d2 ...)")
    p_tr.add_argument("id")

    p_usr = sub.add_parser("user", help="user accounts (roles: admin, staff, leader)")
    usr_sub = p_usr.add_subparsers(dest="user_command", required=True)
    p_ua = usr_sub.add_parser("add", help="add an account")
    p_ua.add_argument("name")
    p_ua.add_argument("--role", required=True, choices=("admin", "staff", "leader"))
    p_ua.add_argument("--password-stdin", action="store_true",
                      help="read the password from the first line of stdin (else one is generated"
                           " and printed once)")
    usr_sub.add_parser("list", help="list accounts (never the password hash)")
    p_ud = usr_sub.add_parser("disable", help="disable an account; its sessions end at once")
    p_ud.add_argument("name")
    usr_sub.add_parser("enable", help="enable a disabled account").add_argument("name")
    p_ur = usr_sub.add_parser("role", help="change an account's role")
    p_ur.add_argument("name")
    p_ur.add_argument("role", choices=("admin", "staff", "leader"))
    usr_sub.add_parser("reset-password", help="generate a new password, printed once"
                       ).add_argument("name")

    p_aud = sub.add_parser("audit", help="the audit log, newest first, 50 a page")
    p_aud.add_argument("--actor", help="user name, agency:CODE, display:ID or cli")
    p_aud.add_argument("--action", help="a kind (login, admin ...) or an admin action ('user add')")
    p_aud.add_argument("--from", dest="day_from", help="first day, YYYY-MM-DD (Viet Nam time)")
    p_aud.add_argument("--to", dest="day_to", help="last day, YYYY-MM-DD (Viet Nam time)")
    p_aud.add_argument("--page", type=int, default=1)

    from data import displays as displays_cli

    displays_cli.add_parser(sub)

    p_sim = sub.add_parser("simulate", help="run the live feed simulator against the database")
    p_sim.add_argument("--ticks", type=int, default=0, help="stop after N ticks (0: forever)")

    p_ru = sub.add_parser("rollup", help="roll per-tick live rows older than 48 h into hourly rows")
    p_ru.add_argument("--max-hours", type=int, default=10_000, help="feed-hours per run")

    p_wd = sub.add_parser("withdraw", help="withdraw a wrong value (a revision; audited)")
    from data import withdraw

    withdraw.add_arguments(p_wd)

    p_bak = sub.add_parser("backup", help="a consistent copy of the database while the app runs")
    p_bak.add_argument("--out", required=True, metavar="FILE",
                       help="the new file (SQLite: a database file; PostgreSQL: a pg_dump archive)")
    p_res = sub.add_parser("restore", help="load a backup into an empty database")
    p_res.add_argument("file")
    p_res.add_argument("--force", action="store_true",
                       help="replace a database that already holds tables")

    args = parser.parse_args(argv)
    settings = load_or_exit()  # bad OPS_* variables: one line, exit 2
    try:
        return _run(parser, args, settings)
    except Exception as exc:  # noqa: BLE001 - the CLI reports, it never prints a traceback
        from sqlalchemy.exc import SQLAlchemyError

        kind = "database error" if isinstance(exc, SQLAlchemyError) else "error"
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300] if str(exc) else ""
        print(f"{kind}: {exc.__class__.__name__}: {detail}", file=sys.stderr)
        return 1


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    from data import migrate
    from data.db import Database

    if args.command in ("backup", "restore"):  # before opening: neither creates the database
        return _backup_or_restore(args, settings)
    database = Database(settings.sqlalchemy_url)
    try:
        if args.command == "migrate":
            before = migrate.current(database)
            migrate.upgrade(database)
            print(f"database at revision {migrate.current(database)} (was {before or 'none'})")
            return 0
        if args.command == "init":
            from data import seed

            years = args.years if args.years is not None else settings.seed_years
            seed_value = args.seed if args.seed is not None else settings.seed
            if not 1 <= years <= 20:
                parser.error("--years must be between 1 and 20")
            counts = seed.init_database(database, years=years, seed=seed_value,
                                        force=args.force, empty=args.empty, progress=True)
            print(", ".join(f"{k}: {v}" for k, v in counts.items()))
            return 0
        try:
            migrate.require_current(database)  # only `migrate` and `init` change the schema
        except migrate.SchemaNotCurrent as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.command == "ingest":
            from data import ingest

            return ingest.cli_ingest(database, args.file, args.agency)
        if args.command == "token":
            from data import tokens

            return tokens.cli(database, args)
        if args.command == "user":
            from data import users

            return users.cli(database, args)
        if args.command == "rollup":
            from data import rollup

            result = rollup.run(database, max_hours=args.max_hours)
            print(f"rolled up {result.hours} feed-hours ({result.rows_rolled} per-tick rows, "
                  f"{result.submissions_dropped} simulator files)"
                  + ("; more remain, run again" if result.remaining else ""))
            return 0
        if args.command == "display":
            from data import displays

            return displays.cli(database, args)
        if args.command == "audit":
            from data import audit

            return audit.cli(database, args)
        if args.command == "withdraw":
            from data import withdraw

            return withdraw.cli(database, args)
        if args.command == "simulate":
            import logging

            from data import feeds

            logging.basicConfig(level=logging.INFO,
                                format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            feeds.run(database, interval=settings.feed_interval, ticks=args.ticks)
            return 0
    finally:
        database.dispose()
    return 2


def _backup_or_restore(args: argparse.Namespace, settings: Settings) -> int:
    from data import backup

    try:
        if args.command == "backup":
            made = backup.backup(settings, args.out)
            print(f"backup of the {made.backend} database: {made.path} ({made.size_bytes} bytes, "
                  f"{made.seconds:.1f} s)")
        else:
            done = backup.restore(settings, args.file, force=args.force)
            print(f"restored {done.path} into the {done.backend} database: {done.tables} tables"
                  + (" (replaced)" if done.replaced else "") + f", {done.seconds:.1f} s")
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
