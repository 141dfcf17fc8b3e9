"""Schema and set-up commands: migrate, init."""
from __future__ import annotations

import click

from cli.context import Env, pass_env


@click.command()
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
@pass_env
def init(env: Env, years: int | None, seed_value: int | None, force: bool, empty: bool) -> None:
    """Migrate, then load reference data and history."""
    from data import prepare

    counts = prepare.init_database(
        env.database(), years=env.settings.seed_years if years is None else years,
        seed=env.settings.seed if seed_value is None else seed_value, force=force, empty=empty,
        progress=True)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


COMMANDS: list[click.Command] = [migrate, init]
