"""Account commands: user accounts, API and display tokens, the audit log."""
from __future__ import annotations

import secrets
import sys
from datetime import date

import click

from accounts import audit as audit_log
from accounts import tokens, users
from cli.context import CommandError, audited, cli_actor, with_database
from core.clock import cli_time
from core.db import Database
from tasks.importer import TRACKING_AGENCY

ROLES = click.Choice(("admin", "staff", "leader"))


def users_table(infos: list[users.UserInfo]) -> str:
    lines = [f"{'ID':>4}  {'NAME':<20}  {'ROLE':<7}  {'CREATED (UTC)':<19}  {'LAST LOGIN':<19}  "
             f"{'DISABLED':<19}  PERSON"]
    for u in infos:
        lines.append(f"{u.id:>4}  {u.name:<20}  {u.role:<7}  {cli_time(u.created_at):<19}  "
                     f"{cli_time(u.last_login_at):<19}  {cli_time(u.disabled_at):<19}  {u.label}")
    return "\n".join(lines)


def tokens_table(infos: list[tokens.TokenInfo], displays: list[tokens.DisplayInfo]) -> str:
    """A plain-text table of tokens (times are UTC); display tokens have ids d1, d2 ...

    KIND: submissions (an agency's data), tracking (the task tracking system's imports), display.
    """
    lines = [f"{'ID':>4}  {'KIND':<11}  {'AGENCY':<10}  {'CREATED (UTC)':<19}  "
             f"{'LAST USED':<19}  {'REVOKED':<19}  NAME"]
    for t in infos:
        kind = "tracking" if t.scope == tokens.TASKS else "submissions"
        lines.append(f"{t.id:>4}  {kind:<11}  {t.agency:<10}  {cli_time(t.created_at):<19}  "
                     f"{cli_time(t.last_used_at):<19}  {cli_time(t.revoked_at):<19}  {t.name}"
                     .rstrip())
    for d in displays:
        lines.append(f"{'d' + str(d.id):>4}  {'display':<11}  {'':<10}  "
                     f"{cli_time(d.created_at):<19}  {cli_time(d.last_used_at):<19}  "
                     f"{cli_time(d.revoked_at):<19}  {d.name}")
    return "\n".join(lines)


class _Errors:
    """Turn a domain's own error into the CLI's one-line failure."""

    def __init__(self, *kinds: type[Exception]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is not None and isinstance(exc, self.kinds):
            raise CommandError(str(exc)) from exc
        return False


@click.group()
def user() -> None:
    """User accounts (roles: admin, staff, leader)."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=ROLES)
@click.option("--full-name", default="", help="the person's full name, shown wherever they act")
@click.option("--unit", default="", help="the person's unit (vụ, cục, văn phòng ...)")
@click.option("--password-stdin", is_flag=True,
              help="read the password from the first line of stdin (else one is generated and"
                   " printed once)")
@audited
@with_database
def user_add(database: Database, name: str, role: str, full_name: str, unit: str,
             password_stdin: bool) -> None:
    """Add an account."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else secrets.token_urlsafe(18)
    with _Errors(users.UserError):
        info = users.add(database, name, role, password, full_name=full_name, unit=unit,
                         actor=cli_actor())
    click.echo(f"user {info.name} ({info.role}) created")
    if not password_stdin:
        click.echo(f"password (shown once, store it now): {password}")


@user.command("list")
@with_database
def user_list(database: Database) -> None:
    """List accounts (never the password hash)."""
    click.echo(users_table(users.list_users(database)))


@user.command("disable")
@click.argument("name")
@audited
@with_database
def user_disable(database: Database, name: str) -> None:
    """Disable an account; its sessions end at once."""
    with _Errors(users.UserError):
        info = users.disable(database, name, actor=cli_actor())
    click.echo(f"user {info.name} disabled at {cli_time(info.disabled_at)} UTC")


@user.command("enable")
@click.argument("name")
@audited
@with_database
def user_enable(database: Database, name: str) -> None:
    """Enable a disabled account."""
    with _Errors(users.UserError):
        info = users.enable(database, name, actor=cli_actor())
    click.echo(f"user {info.name} enabled")


@user.command("role")
@click.argument("name")
@click.argument("role", type=ROLES)
@audited
@with_database
def user_role(database: Database, name: str, role: str) -> None:
    """Change an account's role."""
    with _Errors(users.UserError):
        info = users.set_role(database, name, role, actor=cli_actor())
    click.echo(f"user {info.name} is now {info.role}")


@user.command("reset-password")
@click.argument("name")
@audited
@with_database
def user_reset_password(database: Database, name: str) -> None:
    """Generate a new password, printed once."""
    with _Errors(users.UserError):
        info, password = users.reset_password(database, name, actor=cli_actor())
    click.echo(f"user {info.name}: new password (shown once, store it now): {password}")


@click.group()
def token() -> None:
    """Agency API tokens (submissions), the task tracking system's token, display tokens."""


@token.command("create")
@click.option("--agency", help="an agency API token for submissions (POST /api/v1/submissions,"
                               " /api/v1/dams/readings)")
@click.option("--tracking", metavar="[NAME]", is_flag=False, flag_value="tracking",
              help="the task tracking system's token: POST /api/v1/tasks and the tasks API's"
                   " reads only (NAME: a label, default 'tracking')")
@click.option("--display", metavar="NAME",
              help="a read-only display token; prints the /display/<token> URL")
@click.option("--base-url", default="", help="prefix of the printed display URL")
@audited
@with_database
def token_create(database: Database, agency: str | None, tracking: str | None,
                 display: str | None, base_url: str) -> None:
    """Create a token and print it once."""
    if sum(1 for given in (agency, tracking, display) if given) != 1:
        raise click.UsageError("give one of --agency CODE, --tracking [NAME] or --display NAME")
    with _Errors(tokens.TokenError):
        if tracking:
            token_id, secret = tokens.create(database, TRACKING_AGENCY, scope=tokens.TASKS,
                                             name=tracking, actor=cli_actor())
            click.echo(f"tracking token {token_id} ({tracking}; imports tasks only) "
                       "(shown once, store it now):")
            click.echo(secret)
            return
        if display:
            token_id, secret = tokens.create_display(database, display, actor=cli_actor())
            click.echo(f"display token d{token_id} for {display} (shown once, store it now);"
                       " open this URL on the screen:")
            click.echo(f"{base_url.rstrip('/')}/display/{secret}")
            return
        token_id, secret = tokens.create(database, agency or "", actor=cli_actor())
    click.echo(f"token {token_id} for {agency} (shown once, store it now):")
    click.echo(secret)


@token.command("list")
@with_database
def token_list(database: Database) -> None:
    """List tokens with last use (never the secret)."""
    click.echo(tokens_table(tokens.list_tokens(database), tokens.list_display_tokens(database)))


@token.command("revoke")
@click.argument("ident", metavar="ID")
@audited
@with_database
def token_revoke(database: Database, ident: str) -> None:
    """Revoke a token by id (display tokens: d1, d2 ...)."""
    key = ident.strip().lower()
    number = key[1:] if key.startswith("d") else key
    if not number.isdigit():
        raise CommandError(f"bad token id '{ident}'")
    with _Errors(tokens.TokenError):
        if key.startswith("d"):
            shown = tokens.revoke_display(database, int(number), actor=cli_actor())
            click.echo(f"display token d{shown.id} ({shown.name}) revoked at "
                       f"{cli_time(shown.revoked_at)} UTC")
            return
        info = tokens.revoke(database, int(number), actor=cli_actor())
    owner = f"the tracking system ({info.name})" if info.scope == tokens.TASKS else info.agency
    click.echo(f"token {info.id} of {owner} revoked at {cli_time(info.revoked_at)} UTC")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


@click.command()
@click.option("--actor", help="user name, agency:CODE, display:ID or cli")
@click.option("--action", help="a kind (login, admin ...) or an admin action ('user add')")
@click.option("--from", "day_from", help="first day, YYYY-MM-DD (Viet Nam time)")
@click.option("--to", "day_to", help="last day, YYYY-MM-DD (Viet Nam time)")
@click.option("--page", type=int, default=1)
@with_database
def audit(database: Database, actor: str | None, action: str | None, day_from: str | None,
          day_to: str | None, page: int) -> None:
    """The audit log, newest first, 50 a page."""
    with _Errors(ValueError):
        found = audit_log.search(database, actor=actor or "", action=action or "",
                                 day_from=_day(day_from), day_to=_day(day_to), page=page)
    click.echo(f"{'TIME (UTC)':<19}  {'ACTOR':<20}  {'KIND':<15}  {'ADDRESS':<15}  DETAIL")
    for e in found.rows:
        click.echo(f"{cli_time(e.time):<19}  {e.actor:<20}  {e.kind:<15}  {e.address:<15}  "
                   f"{e.detail}")
    click.echo(f"page {found.page}/{found.pages}, {found.total} events")


COMMANDS: list[click.Command] = [user, token, audit]
