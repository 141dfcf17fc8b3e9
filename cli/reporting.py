"""Reporting-database commands: ingest a submission, withdraw a wrong value."""
from __future__ import annotations

from pathlib import Path

import click

from cli.context import CommandError, Env, audited, cli_actor, pass_env, with_database
from core.db import Database
from reporting import ingest as ingesting
from reporting.withdraw import WithdrawError
from reporting.withdraw import withdraw as withdraw_value


def format_report(result: ingesting.IngestResult, agency: str, filename: str) -> str:
    """A readable report of one submission for the terminal."""
    lines = [f"Submission {result.submission_id} from {agency} ({filename}): {result.status}"]
    if result.file_error:
        lines.append(f"  file refused: {result.file_error}")
        return "\n".join(lines)
    lines.append(f"  rows: {result.rows_total}, accepted: {result.accepted} (new "
                 f"{result.created}, revised {result.revised}, unchanged {result.unchanged}), "
                 f"rejected: {result.rows_rejected}")
    if result.period:
        punctual = "on time" if result.on_time else "late"
        lines.append(f"  period: {result.period}, due {result.due_at:%Y-%m-%d %H:%M} UTC, "
                     f"{punctual}")
    if result.rejected:
        width = max(len(r.field) for r in result.rejected)
        lines.append(f"  {'ROW':>5}  {'FIELD':<{width}}  REASON")
        lines += [f"  {r.row:>5}  {r.field:<{width}}  {r.reason}" for r in result.rejected]
    return "\n".join(lines)


def _read_file(path: Path, max_bytes: int) -> bytes:
    # Read one byte past the limit: enough to know it is too large without loading it all.
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


@click.command()
@click.argument("file")
@click.option("--agency", required=True, help="agency code, e.g. BTC or T34_01")
@audited
@pass_env
def ingest(env: Env, file: str, agency: str) -> int:
    """Validate and store a CSV, JSON or XLSX submission (exit 1 if any row is rejected)."""
    database: Database = env.current_database()
    max_bytes = env.settings.max_upload_bytes
    path = Path(file)
    try:
        size = path.stat().st_size
        payload = _read_file(path, max_bytes)
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
    try:
        if size > max_bytes:
            arrival = ingesting.unread_arrival(agency, "cli", path.name)
            result = ingesting.reject_oversize(database, arrival, size, max_bytes)
        else:
            result = ingesting.ingest_bytes(database, payload, filename=path.name, agency=agency,
                                            channel="cli", max_bytes=max_bytes)
    except ingesting.UnknownAgency as exc:
        raise CommandError(str(exc)) from exc
    click.echo(format_report(result, agency, path.name))
    return 1 if (result.file_error or result.rejected) else 0


@click.command()
@click.argument("indicator")
@click.argument("region")
@click.argument("period")
@click.option("--reason", required=True, help="why the value is withdrawn (audited)")
@click.option("--by", default="", help="on whose request (kept with the reason; the audit log names the operating-system user)")
@click.option("--all", "everything", is_flag=True,
              help="withdraw every revision of the key: no value stays current")
@audited
@with_database
def withdraw(database: Database, indicator: str, region: str, period: str, reason: str,
             by: str, everything: bool) -> None:
    """Withdraw a wrong value (a revision; audited): the previous revision is current again.
    INDICATOR e.g. CPI_YOY, REGION VN or a province code, PERIOD e.g. 2099-12."""
    try:
        # The audit names who ran the command (the operating-system user); --by is only what
        # they say, kept beside the reason.
        if by:
            reason = f"{reason} (theo yêu cầu của / requested by {by})"
        done = withdraw_value(database, indicator, region, period, reason, actor=cli_actor(),
                              everything=everything)
    except WithdrawError as exc:
        raise CommandError(str(exc)) from exc
    now = (f"revision {done.restored_revision} (value {done.restored_value:g}) is current again"
           if done.restored_revision is not None else "no value of the key is current")
    click.echo(f"withdrawn: {done.indicator} {done.region} {done.period} value {done.value:g} "
               f"(revision {done.withdrawn_revision}; withdrawal is revision {done.revision}); "
               f"{now}")


COMMANDS: list[click.Command] = [ingest, withdraw]
