"""The root of the command tree and the one place that turns failures into exit codes."""
from __future__ import annotations

import sys

import click

from cli.context import Env
from settings import load_or_exit


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.pass_context
def root(ctx: click.Context) -> None:
    """Ops Centre: the database side (schema, data, accounts, displays, feeds)."""
    env = Env(load_or_exit())  # bad OPS_* variables: one line, exit 2
    ctx.obj = env
    ctx.call_on_close(env.close)


def _register() -> None:
    """Each domain's commands; imported here so `--help` lists every one."""
    from cli import accounts, alerts, briefings, dams, displays, feeds, reporting, schema, tasks

    for module in (schema, reporting, accounts, displays, feeds, tasks, dams, briefings, alerts):
        for command in module.COMMANDS:
            root.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run one command: 0 on success, 1 on a failure (one `error:` line), 2 on bad input."""
    _register()
    try:
        result = root.main(args=argv, prog_name="python -m data", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        click.echo("error: aborted", err=True)
        return 1
    except click.ClickException as exc:  # usage errors exit 2, CommandError 1
        exc.show()
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the CLI reports, it never prints a traceback
        from sqlalchemy.exc import SQLAlchemyError

        kind = "database error" if isinstance(exc, SQLAlchemyError) else "error"
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300] if str(exc) else ""
        click.echo(f"{kind}: {exc.__class__.__name__}: {detail}", err=True)
        return 1
    return result if isinstance(result, int) else 0  # a command may return its exit status


if __name__ == "__main__":
    sys.exit(main())
