"""`python -m data briefing ...`: make a briefing PDF now, or the day's scheduled one if due."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from alerts.outbox import MailConfig
from cli.context import CommandError, Env, audited, pass_env, with_database
from core.db import Database


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint="--date") from None


@click.group("briefing")
def briefing() -> None:
    """The leaders' briefing PDF (A4, Vietnamese)."""


@briefing.command("make")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="the meeting date (default: today)")
@click.option("--pages", default="", metavar="LIST",
              help="e.g. overview,indicator:GDP_GROWTH,reporting,savings "
                   "(default: the overview sections and the ten wall indicators)")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the PDF file to write")
@audited
@with_database
@pass_env
def make(env: Env, database: Database, day: str | None, pages: str, out: Path) -> None:
    """Build a briefing now and write it to --out."""
    from briefings import sources
    from briefings.build import PagesError, make_briefing

    when = _day(day)
    try:
        made, _ = make_briefing(database, when, pages or None, out,
                                sources=sources.for_settings(database, env.settings))
    except PagesError as exc:
        raise click.BadParameter(str(exc), param_hint="--pages") from None
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"{out}: {made.page_count} pages, {made.size / 1024:.0f} KiB "
               f"({', '.join(made.pages)})")


@briefing.command("run-due")
@with_database
@pass_env
def run_due(env: Env, database: Database) -> None:
    """Make today's scheduled briefing if OPS_BRIEFING_AT has passed and nobody made it."""
    from briefings import schedule, sources, store

    at = schedule.parse_at(env.settings.briefing_at)
    made = schedule.run_due(database, env.settings.data_dir, at,
                            sources.for_settings(database, env.settings),
                            env.settings.briefing_pages,
                            MailConfig.from_settings(env.settings.smtp_url,
                                                     env.settings.alert_recipients))
    if made is None:
        click.echo("nothing due (not yet time, or already made)")
        return
    row = store.get(database, made)
    if row is None or row["status"] != "done":
        raise CommandError(f"briefing {made} failed: {(row or {}).get('error')}")
    click.echo(f"briefing {made} of {row['date']}: {row['page_count']} pages")


@briefing.command("list")
@with_database
def list_(database: Database) -> None:
    """The briefings kept, newest first."""
    from briefings import store

    for row in store.recent(database):
        click.echo(f"{row['id']:>5}  {row['date']}  {row['status']:<8} {row['progress']:>3}%  "
                   f"{row['page_count']:>3} pages  {row['size'] / 1024:>6.0f} KiB  "
                   f"{row['trigger']}")


COMMANDS: list[click.Command] = [briefing]
