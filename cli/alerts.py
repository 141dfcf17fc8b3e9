"""Commands of the alerts side: the production evaluator and a look at the alerts."""
from __future__ import annotations

import contextlib
import logging
import signal
from typing import Any

import click

from cli.context import CommandError, Env, pass_env


@click.group("alerts")
def alerts_group() -> None:
    """Alerts: the evaluator (one per deployment) and the alert list."""


@alerts_group.command("run")
@click.option("--once", is_flag=True, help="one evaluation, then exit (prints what changed)")
@pass_env
def run(env: Env, once: bool) -> int:
    """Evaluate the conditions every OPS_ALERT_INTERVAL seconds and mail (OPS_SMTP_URL)."""
    from alerts.evaluator import Evaluator, standalone_server

    database = env.current_database()
    evaluator = Evaluator(standalone_server(env.settings, database), database, env.settings)
    if once:
        result = evaluator.run_once()
        if not result.held:
            raise CommandError("another evaluator holds the lease; nothing done")
        out, sent = result.outcome, result.delivery
        click.echo(f"opened {len(out.opened)}, reopened {len(out.reopened)}, resolved "
                   f"{len(out.resolved)}, escalated {len(out.escalated)}; mail sent {sent.sent}, "
                   f"retried {sent.retried}, failed {sent.failed}")
        return 0
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def stop(*_args: Any) -> None:
        evaluator.stop(timeout=0)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        evaluator.run_forever()  # until SIGTERM or Ctrl-C
    return 0


@alerts_group.command("list")
@click.option("--state", type=click.Choice(["open", "acknowledged", "resolved"]), default=None)
@click.option("--kind", default=None, help="threshold, late, camera, display or feed")
@pass_env
def list_alerts(env: Env, state: str | None, kind: str | None) -> int:
    """The newest alerts (100), live ones by default."""
    from alerts import store

    rows = store.search(env.current_database(), state=state, kind=kind, limit=100)
    click.echo(f"{'ID':>6}  {'STATE':<12}  {'SEV':<8}  {'OPENED (UTC)':<19}  KEY")
    for a in rows:
        click.echo(f"{a['id']:>6}  {a['state']:<12}  {a['severity']:<8}  "
                   f"{(a['opened_at'] or '-')[:19].replace('T', ' '):<19}  {a['key']}")
    return 0


COMMANDS: list[click.Command] = [alerts_group]
