"""Commands of the dams: readings from a CSV or JSON file, and the hourly roll-up."""
from __future__ import annotations

from pathlib import Path

import click

from cli.context import CommandError, audited, with_database
from core.db import Database


@click.group("dams")
def dams() -> None:
    """The dams behind the cameras: readings in, roll-up."""


@dams.command("ingest")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="The sending agency's code (e.g. EVN).")
@audited
@with_database
def ingest_file(database: Database, file: Path, agency: str) -> int:
    """Store the readings of FILE (CSV with a header, or JSON); refused rows are listed."""
    from dams.ingest import MAX_BYTES, ingest

    try:
        with file.open("rb") as handle:
            payload = handle.read(MAX_BYTES + 1)  # the ingest refuses more: never read a whole disk
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
    kind = "application/json" if file.suffix.lower() == ".json" else "text/csv"
    result = ingest(database, payload, agency=agency.strip().upper(), channel="cli",
                    operator_only=False, filename=file.name, content_type=kind)
    click.echo(f"batch {result.batch_id}: {result.status}, {result.accepted} of "
               f"{result.rows_total} readings stored ({result.replaced} replaced)")
    for refusal in result.refused:
        where = f"row {refusal.row}" if refusal.row else "file"
        click.echo(f"  {where}: {refusal.text('vi')} / {refusal.text('en')}")
    return 0 if result.status == "accepted" else 1


@dams.command("rollup")
@audited
@with_database
def rollup(database: Database) -> None:
    """Roll readings older than 48 h up into hourly means (bounded run)."""
    from dams import rollup as roll

    result = roll.run(database)
    click.echo(f"{result.hours} dam-hours rolled up ({result.rows_rolled} readings)"
               + ("; more remain, run again" if result.remaining else ""))


COMMANDS: list[click.Command] = [dams]
