"""What every command gets: the settings, a database opened on demand, and one way to fail."""
from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from core.db import Database
from settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A failure the user can act on: printed as one `error: ...` line, exit status 1."""

    def show(self, file: Any = None) -> None:  # click prints "Error: ..." by default
        click.echo(f"error: {self.format_message()}", err=True)


@dataclass
class Env:
    """The settings of this run and its database, opened the first time a command asks for it."""

    settings: Settings
    _database: Database | None = field(default=None, repr=False)

    def database(self) -> Database:
        if self._database is None:
            self._database = Database(self.settings.sqlalchemy_url)
        return self._database

    def current_database(self) -> Database:
        """The database, refusing one whose schema is not at the current revision."""
        from data import migrate

        database = self.database()
        try:
            migrate.require_current(database)
        except migrate.SchemaNotCurrent as exc:
            raise CommandError(str(exc)) from exc
        return database

    @property
    def actor(self) -> str:
        """Who runs this command, for the audit log: the operating-system user (cli:root)."""
        try:
            return f"cli:{getpass.getuser()}"
        except (KeyError, OSError):  # no name for this uid (a bare container)
            return "cli:?"

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


pass_env = click.make_pass_decorator(Env)


def with_database(func: F) -> F:
    """Give the command the current-revision database as its first argument."""

    @functools.wraps(func)
    @pass_env
    def wrapper(env: Env, *args: Any, **kwargs: Any) -> Any:
        return func(env.current_database(), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def cli_actor() -> str:
    """The running command's actor (cli:<os user>), for the domain functions that audit."""
    env = click.get_current_context().find_object(Env)
    return env.actor if env is not None else "cli"


def _command_text(ctx: click.Context) -> str:
    """The command as given: its path and the values of its arguments and options."""
    words = [ctx.command_path]
    for name, value in ctx.params.items():
        if value in (None, False, "", ()):
            continue
        words.append(f"--{name.replace('_', '-')}" if value is True else
                     f"--{name.replace('_', '-')}={value}")
    return " ".join(words)


def audited(func: F) -> F:
    """Every write from the command line goes to the audit log: who (the operating-system user)
    and the command, once it has run (a refused or failed command changed nothing)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        ctx = click.get_current_context()
        env = ctx.find_object(Env)
        if env is not None:
            from accounts import audit

            audit.record(env.database(), "cli", env.actor, _command_text(ctx))
        return result

    return wrapper  # type: ignore[return-value]

