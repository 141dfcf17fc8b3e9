"""The wall panel and /tasks callbacks on a seeded app: the figures come from the summary, the
URL follows the filters, the task view shows the history."""
from __future__ import annotations

from datetime import date
from typing import Any

from callbacks import tasks as page
from callbacks import tasks_panel
from pagestate.tasks import TasksState, parse
from reporting import geo
from tasks import status
from tasks import summary as queries


def _text(component: Any) -> str:
    """Every string inside a component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def test_wall_panel_shows_the_year_to_date(ctx: None) -> None:
    today = status.today()
    now, _then = queries.year_to_date(today)
    body = _text(tasks_panel.update_panel(0, "vi"))
    assert "Nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao" in body
    assert f"{now['assigned']:,}".replace(",", ".") in body
    assert "Quá hạn / đã đến hạn" in body
    assert "Tasks assigned by the Government" in _text(tasks_panel.update_panel(0, "en"))


def test_page_filters_are_the_url_and_the_list_is_overdue_first(ctx: None) -> None:
    out = page.page_view(TasksState(agency="BCT", key="1"), "vi")
    search = out[12]
    assert search == "?agency=BCT&key=1"
    assert out[9].startswith("/api/v1/tasks/export.csv?") and "status=open_overdue" in out[9]
    listing = _text(out[5])
    first = date(status.today().year, 1, 1).isoformat()
    found = queries.listing(first, status.today().isoformat(), "BCT", "", True, "",
                            status.OPEN_OVERDUE, 1, page.PAGE, status.today().isoformat())
    if found["tasks"]:
        assert found["tasks"][0]["content"][:40] in listing
    else:
        assert "Không có nhiệm vụ nào" in listing


def test_task_view_has_its_history(ctx: None) -> None:
    found = queries.listing("2019-03-07", "2019-03-07", "", "", None, "17/NQ-CP", "", 1, 5,
                            status.today().isoformat())
    task_id = found["tasks"][0]["id"]
    view = _text(page.task_view(str(task_id), "vi"))
    assert "17/NQ-CP" in view and "Lịch sử cập nhật" in view
    assert "Không tìm thấy" in _text(page.task_view("999999999", "vi"))
    assert "Không tìm thấy" in _text(page.task_view("x'1", "vi"))


def test_url_state_reads_what_the_issue_writes() -> None:
    state = parse({"agency": "bct", "status": "overdue", "page": "x", "from": "2024-13-01"})
    assert (state.agency, state.status, state.page, state.start) == ("BCT", "open_overdue", 1, "")
    assert state.search() == "?agency=BCT&status=open_overdue"


def test_overdue_key_tasks_are_wall_alerts_naming_the_agency(ctx: None) -> None:
    """Key tasks past their deadline are one alert per lead agency (`task:BCT`), naming it."""
    from alerts import sources

    found = queries.overdue_key(status.today().isoformat(), 3)
    assert found["total"] > 0  # the simulated year leaves some key tasks overdue
    detected = sources.gather(feed_stale_after=600)
    assert "task" in detected.checked
    raised = {c.subject: c for c in detected.conditions if c.kind == "task"}
    by_agency = queries.overdue_key_by_agency(status.today().isoformat())
    assert sum(x["count"] for x in by_agency) == found["total"]
    first = found["tasks"][0]
    alert = raised[first["agency"]]
    assert alert.key == f"task:{first['agency']}" and alert.agency == first["agency"]
    assert "nhiệm vụ trọng tâm quá hạn" in alert.title


def test_province_map_shows_the_ranked_overdue_share_and_drills(ctx: None) -> None:
    """The map colours each province by its agency's overdue share (the ranking's figures);
    a click on a province sets the agency filter to that province's agency."""
    import dash
    import plotly.graph_objects as go
    import pytest

    out = page.page_view(TasksState(start="2020-01-01"), "vi")
    title, fig = out[-2], go.Figure(out[-1])  # a plain figure dict, valid as plotly has it
    assert "34 tỉnh" in title
    first = status.today().replace(year=2020, month=1, day=1).isoformat()
    ranked = queries.ranking(first, status.today().isoformat(), "", None, "",
                             status.today().isoformat())
    shares = {r["agency"]: r["overdue_share_all"] for r in ranked}
    values = next(t for t in fig.data if t.name == "values")
    drawn = dict(zip(values.locations, values.z, strict=True))
    hanoi = shares["T34_01"]  # Hà Nội, province code 01, leads simulated tasks
    assert drawn["01"] == pytest.approx(hanoi * 100)
    assert set(drawn) <= {f["id"] for f in geo.provinces()["features"]}
    assert len(drawn) == 34  # every province leads some simulated tasks since 2020
    assert page.map_drill({"points": [{"location": "01"}]}) == "T34_01"
    with pytest.raises(dash.exceptions.PreventUpdate):
        page.map_drill({"points": [{"location": "ZZ"}]})
    selected = go.Figure(page.page_view(TasksState(agency="T34_01", start="2020-01-01"),
                                        "vi")[-1])
    outline = next(t for t in selected.data if t.name == "selected")
    assert list(outline.locations) == ["01"]


def test_the_page_reads_in_one_session_what_each_query_answers(ctx: None) -> None:
    """queries.page (one session; the counts from the ranking when no key or document filter
    narrows it) answers as the separate queries do."""
    today = status.today()
    on, first = today.isoformat(), "2019-01-01"
    back = queries.year_ago(today).isoformat()
    before = queries.year_ago(date.fromisoformat(first)).isoformat()
    for agency, theme, key, document, shown in (
            ("", "", None, "", status.OPEN_OVERDUE), ("T34_01", "", None, "", status.DONE_LATE),
            ("", "Chuyển đổi số", None, "", ""), ("BCT", "", True, "", status.OPEN_IN_TIME),
            ("", "", None, "17/NQ-CP", ""), ("BYT", "", False, "", status.NO_DEADLINE)):
        read = queries.page(first, on, agency, theme, key, document, shown, 1, 20, on)
        assert read["ranking"] == queries.ranking(first, on, theme, key, document, on)
        assert read["list"] == queries.listing(first, on, agency, theme, key, document, shown,
                                               1, 20, on)
        assert read["now"] == queries.summary(first, on, agency, theme, on)
        assert read["then"] == queries.summary(before, back, agency, theme, back)
        assert read["agencies"] == queries.agencies() and read["themes"] == queries.themes()
