"""Live-feed commands: run the simulator, roll per-tick rows up."""
from __future__ import annotations

import logging

import click

from cli.context import Env, audited, pass_env, with_database
from core.db import Database


@click.command()
@click.option("--ticks", type=int, default=0, help="stop after N ticks (0: forever)")
@pass_env
def simulate(env: Env, ticks: int) -> None:
    """Run the live feed simulator against the database."""
    from feeds import simulator

    database = env.current_database()
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    simulator.run(database, interval=env.settings.feed_interval, ticks=ticks)


@click.command()
@click.option("--max-hours", type=int, default=10_000, help="feed-hours per run")
@audited
@with_database
def rollup(database: Database, max_hours: int) -> None:
    """Roll per-tick live rows older than 48 h into hourly rows."""
    from feeds import rollup as rolling

    result = rolling.run(database, max_hours=max_hours)
    click.echo(f"rolled up {result.hours} feed-hours ({result.rows_rolled} per-tick rows, "
               f"{result.submissions_dropped} simulator files)"
               + ("; more remain, run again" if result.remaining else ""))


COMMANDS: list[click.Command] = [simulate, rollup]
