"""Display commands: the wall and bridge points, their modes and playlists."""
from __future__ import annotations

import sys

import click

from cli.context import CommandError, audited, cli_actor, with_database
from core.clock import cli_time
from core.db import Database
from displays import playlists, registry


def displays_table(views: list[registry.DisplayView]) -> str:
    lines = [f"{'NAME':<20}  {'PLACE':<6}  {'MODE':<8}  {'PLAYLIST':<12}  {'TOKEN':<5}  "
             f"{'CREATED (UTC)':<19}  {'REVOKED':<19}  PAGE"]
    for v in views:
        lines.append(f"{v.name:<20}  {v.place or '-':<6}  {v.mode:<8}  {v.playlist or '-':<12}  "
                     f"{'d' + str(v.token_id):<5}  {cli_time(v.created_at):<19}  "
                     f"{cli_time(v.revoked_at):<19}  {v.page or '-'}")
    return "\n".join(lines)


def _settable(func: click.Command | object) -> object:
    """The options `create` and `set` share."""
    for option in reversed([
        click.option("--place", help="BP01..BP57 or wall"),
        click.option("--mode", type=click.Choice(playlists.MODES)),
        click.option("--playlist", help="a playlist name (empty: the default playlist)"),
        click.option("--page", help="a page path with its query, e.g."
                                    " /indicators/GDP_GROWTH?region=01"),
    ]):
        func = option(func)
    return func


@click.group()
def display() -> None:
    """Displays: the wall and bridge points (modes, playlists)."""


@display.command("create")
@click.argument("name")
@_settable
@click.option("--base-url", default="", help="prefix of the printed link")
@audited
@with_database
def display_create(database: Database, name: str, place: str | None, mode: str | None,
                   playlist: str | None, page: str | None, base_url: str) -> None:
    """Register a display; prints its /display/<token> link last."""
    try:
        view, secret = registry.create(database, name, place=place or "",
                                       mode=mode or "playlist", playlist=playlist or "",
                                       page=page or "", actor=cli_actor())
    except registry.DisplayError as exc:
        raise CommandError(str(exc)) from exc
    click.echo(f"display {view.name} (token d{view.token_id}, mode {view.mode}) created; the"
               " link is shown once, open it on the screen:")
    click.echo(f"{base_url.rstrip('/')}/display/{secret}")


@display.command("set")
@click.argument("name")
@_settable
@audited
@with_database
def display_set(database: Database, name: str, place: str | None, mode: str | None,
                playlist: str | None, page: str | None) -> None:
    """Change a display's place, mode, playlist or page."""
    if place is None and mode is None and playlist is None and page is None:
        raise CommandError("give at least one of --place, --mode, --playlist, --page")
    try:
        view = registry.update(database, name, place=place, mode=mode, playlist=playlist,
                               page=page, actor=cli_actor())
    except registry.DisplayError as exc:
        raise CommandError(str(exc)) from exc
    click.echo(displays_table([view]))


@display.command("list")
@with_database
def display_list(database: Database) -> None:
    """List displays (never the token)."""
    click.echo(displays_table(registry.list_displays(database)))


@display.command("revoke")
@click.argument("name")
@audited
@with_database
def display_revoke(database: Database, name: str) -> None:
    """Revoke a display; its screen shows 'link revoked'."""
    try:
        view = registry.revoke(database, name, actor=cli_actor())
    except registry.DisplayError as exc:
        raise CommandError(str(exc)) from exc
    click.echo(f"display {view.name} revoked at {cli_time(view.revoked_at)} UTC")


@display.command("playlist")
@click.argument("playlist_name", required=False)
@click.option("--stdin", "from_stdin", is_flag=True,
              help="read items, one a line: URL SECONDS [provinces=all|01,04] [param=region]")
@audited
@with_database
def display_playlist(database: Database, playlist_name: str | None, from_stdin: bool) -> None:
    """List playlists, or save PLAYLIST_NAME from lines on stdin."""
    try:
        if from_stdin:
            if not playlist_name:
                raise registry.DisplayError("name: give the playlist's name")
            items = registry.parse_lines(sys.stdin.read(),
                                         set(registry.province_codes(database)))
            registry.save_playlist(database, playlist_name, items, actor=cli_actor())
    except registry.DisplayError as exc:
        raise CommandError(str(exc)) from exc
    for name, items in registry.playlists(database).items():
        click.echo(f"[{name}]")
        click.echo("\n".join(i.line() for i in items))


COMMANDS: list[click.Command] = [display]
