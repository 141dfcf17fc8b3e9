"""The one evaluator: a lease keeps a second one idle, two started by mistake still make one
alert per condition and one mail; the sources are read through the domain queries; the CLI."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from alerts import conditions
from alerts.conditions import Detected
from alerts.evaluator import Evaluator, standalone_server, take_lease
from alerts.models import Alert, AlertOutbox
from cli.main import main
from core.db import Database
from settings import Settings

T0 = datetime(2026, 12, 1, 3, 0, 0)


def camera_down() -> Detected:
    return Detected(conditions.cameras([{"id": "hoa-binh", "state": "OFFLINE"}], False),
                    {"camera"})


def evaluators(settings: Settings, database: Database, n: int) -> list[Evaluator]:
    server = standalone_server(settings, database)
    return [Evaluator(server, database, settings, holder=f"ev{i}") for i in range(n)]


def count(database: Database, model: type) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_lease_one_holder_until_it_expires(database: Database) -> None:
    ttl = timedelta(seconds=15)
    assert take_lease(database, "a", T0, ttl)
    assert not take_lease(database, "b", T0 + timedelta(seconds=5), ttl)
    assert take_lease(database, "a", T0 + timedelta(seconds=10), ttl)  # renewed to T0+25 s
    assert not take_lease(database, "b", T0 + timedelta(seconds=24), ttl)
    assert take_lease(database, "b", T0 + timedelta(seconds=26), ttl)  # a stopped: taken over


def test_two_evaluators_one_alert_and_one_mail(settings: Settings, database: Database) -> None:
    settings = settings.with_(smtp_url="smtp://127.0.0.1:9", alert_recipients="*=duty@x.vn")
    first, second = evaluators(settings, database, 2)
    start = threading.Barrier(2)
    held: list[bool] = []

    def run(ev: Evaluator) -> None:
        start.wait()
        held.append(ev.run_once(T0, camera_down()).held)

    threads = [threading.Thread(target=run, args=(ev,)) for ev in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(held) == [False, True]
    assert count(database, Alert) == 1 and count(database, AlertOutbox) == 1
    # The holder stops; after the lease expires the other one carries on with the same alert.
    later = T0 + first.ttl + timedelta(seconds=1)
    assert second.run_once(later, camera_down()).held
    assert count(database, Alert) == 1 and count(database, AlertOutbox) == 1


def test_sources_read_through_the_domain_queries(settings: Settings, database: Database) -> None:
    # A reference database: agencies and live feeds, no submissions and no readings yet.
    [ev] = evaluators(settings, database, 1)
    result = ev.run_once()
    assert result.held and result.outcome is not None
    with database.sessions() as s:
        keys = set(s.scalars(select(Alert.key)))
    assert "feed:power" in keys
    assert any(k.startswith("late:") for k in keys)
    assert any(k.startswith("dam-silent:") for k in keys)  # dams without a reading yet
    assert {"threshold", "late", "feed", "camera", "display", "task", "dam-level", "dam-spill",
            "dam-silent"} >= {k.split(":")[0] for k in keys}


def test_cli_run_once_and_list(cli_env: Database, capsys: object) -> None:
    assert main(["alerts", "run", "--once"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.startswith("opened ")
    assert main(["alerts", "list", "--kind", "feed"]) == 0
    assert "feed:power" in capsys.readouterr().out  # type: ignore[attr-defined]


def test_a_pass_that_changes_an_alert_refreshes_the_walls_list(settings: Settings,
                                                               database: Database) -> None:
    """The walls' shared list is kept for WALL_TTL, but a pass that opens or resolves an alert
    drops it: the next wall poll shows the change, not one WALL_TTL later."""
    from alerts import store

    (ev,) = evaluators(settings, database, 1)
    with ev.server.app_context():
        assert store.wall_alerts() == []  # kept for every wall
    assert ev.run_once(T0, camera_down()).outcome.opened
    with ev.server.app_context():
        assert [a["kind"] for a in store.wall_alerts()] == ["camera"]
    cleared = Detected(conditions.cameras([{"id": "hoa-binh", "state": "ONLINE"}], False),
                       {"camera"})
    assert ev.run_once(T0 + timedelta(seconds=5), cleared).outcome.resolved
    with ev.server.app_context():
        assert store.wall_alerts() == []
