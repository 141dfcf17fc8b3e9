"""Schema and set-up commands: migrate, init."""
from __future__ import annotations

from pathlib import Path

import click

from cli.context import CommandError, Env, audited, pass_env


@click.command()
@audited
@pass_env
def migrate(env: Env) -> None:
    """Upgrade the database schema to the current revision (every deploy)."""
    from data import migrate as migrations

    database = env.database()
    before = migrations.current(database)
    migrations.upgrade(database)
    click.echo(f"database at revision {migrations.current(database)} (was {before or 'none'})")


@click.command()
@click.option("--years", type=click.IntRange(1, 20), default=None,
              help="years of simulated history (1-20)")
@click.option("--seed", "seed_value", type=int, default=None, help="random seed (deterministic)")
@click.option("--force", is_flag=True, help="rebuild even if it exists")
@click.option("--empty", is_flag=True,
              help="reference data only (catalogue, agencies, provinces, KPI facts, cameras,"
                   " bridge points), no simulated history: for production")
@audited
@pass_env
def init(env: Env, years: int | None, seed_value: int | None, force: bool, empty: bool) -> None:
    """Migrate, then load reference data and history."""
    from data import prepare

    counts = prepare.init_database(
        env.database(), years=env.settings.seed_years if years is None else years,
        seed=env.settings.seed if seed_value is None else seed_value, force=force, empty=empty,
        progress=True)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@click.command()
@click.option("--out", required=True, metavar="FILE", type=click.Path(path_type=Path),
              help="the new file (SQLite: a database file; PostgreSQL: a pg_dump archive)")
@pass_env
def backup(env: Env, out: Path) -> None:
    """A consistent copy of the database while the app runs."""
    from data import backup as backups

    try:
        made = backups.backup(env.settings, out)
    except backups.BackupError as exc:
        raise CommandError(str(exc)) from exc
    click.echo(f"backup of the {made.backend} database: {made.path} ({made.size_bytes} bytes, "
               f"{made.seconds:.1f} s)")


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that already holds tables")
@audited
@pass_env
def restore(env: Env, file: Path, force: bool) -> None:
    """Load a backup into an empty database."""
    from data import backup as backups

    try:
        done = backups.restore(env.settings, file, force=force)
    except backups.BackupError as exc:
        raise CommandError(str(exc)) from exc
    click.echo(f"restored {done.path} into the {done.backend} database: {done.tables} tables"
               + (" (replaced)" if done.replaced else "") + f", {done.seconds:.1f} s")


COMMANDS: list[click.Command] = [migrate, init, backup, restore]
