"""`python -m data tasks ...`: importing the tracking system's exports, and the counts."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from cli.context import CommandError, audited, with_database
from core.db import Database
from tasks import importer, status
from tasks.reading import MAX_BYTES
from tasks.summary import Filters, summary_in


@click.group("tasks")
def tasks() -> None:
    """Tasks the Government and the Prime Minister assign (Chỉ đạo)."""


@tasks.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@audited
@with_database
def import_file(database: Database, file: Path) -> int:
    """Import a CSV, XLSX or JSON export (one row per task); 1 if any row was refused."""
    try:
        size = file.stat().st_size
        with file.open("rb") as handle:
            payload = handle.read(MAX_BYTES + 1)  # enough to know it is over the limit
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if size > MAX_BYTES:
        result = importer.reject_oversize(database, size, MAX_BYTES, filename=file.name,
                                          channel="cli", actor="cli")
    else:
        result = importer.import_bytes(database, payload, filename=file.name, channel="cli",
                                       actor="cli")
    click.echo(f"Import {result.import_id} ({file.name}): {result.status}")
    if result.file_error:
        click.echo(f"  file refused: {result.file_error}")
        return 1
    click.echo(f"  rows: {result.rows_total}, accepted: {result.accepted} (new {result.created}, "
               f"revised {result.revised}, unchanged {result.unchanged}), refused rows: "
               f"{len({r.row for r in result.refused})}")
    for r in result.refused:
        click.echo(f"  {r.row:>6}  {r.field:<14}  {r.reason_vi} / {r.reason_en}")
    return 1 if result.refused else 0


@tasks.command("summary")
@click.option("--from", "start", required=True, help="first document date, YYYY-MM-DD")
@click.option("--to", "stop", required=True, help="last document date, YYYY-MM-DD")
@click.option("--agency", default="", help="lead agency code")
@with_database
def show_summary(database: Database, start: str, stop: str, agency: str) -> None:
    """The counts of the tasks assigned in a window, as of today (Viet Nam time)."""
    try:
        filters = Filters(date.fromisoformat(start), date.fromisoformat(stop), agency.upper())
    except ValueError as exc:
        raise CommandError(f"dates are YYYY-MM-DD: {exc}") from exc
    with database.sessions() as session:
        counts = summary_in(session, filters, status.today())
    for name, value in counts.items():
        click.echo(f"{name:<18} {value if not isinstance(value, float) else f'{value:.4f}'}")


COMMANDS: list[click.Command] = [tasks]
