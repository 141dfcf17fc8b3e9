"""What every command gets: the settings, a database opened on demand, and one way to fail."""
from __future__ import annotations

import functools
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
