"""Command line: python -m data init | ingest | token | user | display | simulate."""
from __future__ import annotations

import argparse
import sys

from settings import from_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p_init = sub.add_parser("init", help="create the database: schema, reference data, history")
    p_init.add_argument("--years", type=int, default=None, help="years of simulated history (1-20)")
    p_init.add_argument("--seed", type=int, default=None, help="random seed (deterministic)")
    p_init.add_argument("--force", action="store_true", help="rebuild even if it exists")

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

    from data import displays as displays_cli

    displays_cli.add_parser(sub)

    p_sim = sub.add_parser("simulate", help="run the live feed simulator against the database")
    p_sim.add_argument("--ticks", type=int, default=0, help="stop after N ticks (0: forever)")

    args = parser.parse_args(argv)
    settings = from_env()

    from data.db import Database

    database = Database(settings.sqlalchemy_url)
    if args.command == "init":
        from data import seed

        years = args.years if args.years is not None else settings.seed_years
        seed_value = args.seed if args.seed is not None else settings.seed
        if not 1 <= years <= 20:
            parser.error("--years must be between 1 and 20")
        counts = seed.init_database(database, years=years, seed=seed_value, force=args.force,
                                    progress=True)
        print(", ".join(f"{k}: {v}" for k, v in counts.items()))
        return 0
    if args.command == "ingest":
        from data import ingest

        return ingest.cli_ingest(database, args.file, args.agency)
    if args.command == "token":
        from data import tokens
        from data.db import create_schema

        create_schema(database.engine)  # the display-token table may be newer than the database

        return tokens.cli(database, args)
    if args.command == "user":
        from data import users
        from data.db import create_schema

        create_schema(database.engine)  # the account tables may be newer than the database
        return users.cli(database, args)
    if args.command == "display":
        from data import displays
        from data.db import create_schema

        create_schema(database.engine)  # the display tables may be newer than the database
        return displays.cli(database, args)
    if args.command == "simulate":
        from data import feeds

        feeds.run(database, interval=settings.feed_interval, ticks=args.ticks)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
