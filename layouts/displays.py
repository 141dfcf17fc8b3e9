"""Displays: the presenter controls in the header, /displays (status) and /admin/displays.

Skeletons only: texts, tables and messages come from callbacks/displays.py.
"""
from __future__ import annotations

from datetime import datetime

from dash import dcc, html

from core.clock import VN_TZ
from displays.playlists import WALL
from web.i18n import t

STATUS_MS = 2_000  # /displays refresh: a lost screen shows within LOST_AFTER + 2 s
PRESENT_MS = 2_000  # presenter heartbeat and follower count (timeout 15 s)


def present_controls(presents: bool = True) -> html.Div:
    """The header's presenter button (id present-button), status, takeover and stores. A screen
    signed in as a display never presents: its presenter poll starts switched off (`presents`)."""
    return html.Div(className="present control", children=[
        html.Button(t("ds.present", "vi"), id="present-button", n_clicks=0,
                    className="present-button"),
        html.Button(t("ds.present.takeover", "vi"), id="present-takeover", n_clicks=0,
                    className="present-takeover", style={"display": "none"}),
        html.Span(id="present-status", className="present-status", role="status"),
        dcc.Store(id="present-req"), dcc.Store(id="present-state"), dcc.Store(id="present-loc"),
        dcc.Store(id="present-pub"), dcc.Store(id="present-flag"),
        html.Span(id="present-sink", hidden=True),
        dcc.Interval(id="present-tick", interval=PRESENT_MS, disabled=not presents),
    ])


def _local_time(stamp: str | None) -> str:
    """An ISO UTC time as the centre's clock shows it (Viet Nam time, hh:mm:ss)."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return moment.astimezone(VN_TZ).strftime("%H:%M:%S")


def _cell(text: str, cls: str = "") -> html.Td:
    return html.Td(text, className=cls)


def _place(row: dict) -> str:
    """'BP03 · Điểm cầu Bộ Tài chính'; the centre's wall by its name alone (its code is 'wall')."""
    if row["place"] == WALL and row["place_name"]:
        return row["place_name"]
    return f"{row['place']} · {row['place_name']}" if row["place_name"] else row["place"] or "—"


def status_table(rows: list, lang: str) -> html.Table:
    """One row per place and display: state in words and colour, what it shows, since when."""
    head = html.Tr([html.Th(t(f"ds.{k}", lang)) for k in
                    ("st.place", "st.name", "st.mode", "st.state", "st.showing", "st.since",
                     "st.screen", "st.error")])
    body = []
    for r in rows:
        state = t(f"ds.state.{r['state']}", lang).format(t=_local_time(r.get("lost_since")))
        body.append(html.Tr(className=f"ds-row ds-{r['state']}", **{"data-place": r["place"],
                                                                      "data-name": r["name"]},
                            children=[
            _cell(_place(r)),
            _cell(r["name"] or "—"), _cell(t(f"ds.mode.{r['mode']}", lang) if r["mode"] else "—"),
            _cell(state, f"ds-state ds-state-{r['state']}"), _cell(r.get("showing") or "—", "ds-showing"),
            _cell(_local_time(r.get("showing_since")) or "—"), _cell(r.get("screen") or "—"),
            _cell(r.get("last_error") or "", "ds-error"),
        ]))
    return html.Table(className="ds-table", children=[html.Thead(head), html.Tbody(body)])


def status_layout(**_query: str) -> html.Div:
    """/displays: the wall and the 57 bridge points, connected / lost / never, and what each shows."""
    return html.Div(className="pg pg-displays", id="displays-page", children=[
        dcc.Interval(id="ds-tick", interval=STATUS_MS),
        html.H1(id="ds-title", className="pg-title"),
        html.Div(id="ds-counts", className="ds-counts"),
        html.Div(id="ds-table", className="table-wrap"),
    ])


def _field(label_key: str, control: object, lang: str = "vi") -> html.Label:
    return html.Label(className="adm-field", children=[
        html.Span(t(label_key, lang), className="adm-label"), control])


def _select(id: str, options: list | None = None, value: str | None = None) -> dcc.Dropdown:
    return dcc.Dropdown(id=id, options=options or [], value=value, clearable=True, className="dd")


def admin_layout(**_query: str) -> html.Div:
    """/admin/displays: create, change and revoke displays; edit playlists."""
    modes = [{"label": t(f"ds.mode.{m}", "vi"), "value": m} for m in ("follow", "playlist", "page")]
    return html.Div(className="pg pg-admin-displays", id="admin-displays-page", children=[
        html.H1(t("ds.adm.title", "vi"), className="pg-title"),
        html.Section(className="pg-panel adm-panel", children=[
            html.H2(t("ds.adm.create", "vi"), className="panel-title"),
            html.Div(className="adm-row", children=[
                _field("ds.adm.name", dcc.Input(id="adm-new-name", type="text", maxLength=64)),
                _field("ds.adm.place", _select("adm-new-place")),
                _field("ds.adm.mode", _select("adm-new-mode", modes, "playlist")),
                _field("ds.adm.playlist", _select("adm-new-playlist")),
                _field("ds.adm.page", dcc.Input(id="adm-new-page", type="text", maxLength=500)),
                html.Button(t("ds.adm.create", "vi"), id="adm-create", n_clicks=0, className="btn"),
            ]),
            html.Div(id="adm-create-msg", className="adm-msg", role="status"),
        ]),
        html.Section(className="pg-panel adm-panel", children=[
            html.H2(t("ds.adm.change", "vi"), className="panel-title"),
            html.Div(className="adm-row", children=[
                _field("ds.adm.name", _select("adm-name")),
                _field("ds.adm.place", _select("adm-place")),
                _field("ds.adm.mode", _select("adm-mode", modes)),
                _field("ds.adm.playlist", _select("adm-playlist")),
                _field("ds.adm.page", dcc.Input(id="adm-page", type="text", maxLength=500)),
                html.Button(t("ds.adm.apply", "vi"), id="adm-apply", n_clicks=0, className="btn"),
                html.Button(t("ds.adm.revoke", "vi"), id="adm-revoke", n_clicks=0,
                            className="btn btn-danger"),
            ]),
            html.Div(id="adm-change-msg", className="adm-msg", role="status"),
            html.Div(id="adm-table", className="table-wrap"),
        ]),
        html.Section(className="pg-panel adm-panel", children=[
            html.H2(t("ds.adm.playlists", "vi"), className="panel-title"),
            html.Div(className="adm-row", children=[
                _field("ds.adm.playlist", dcc.Input(id="adm-pl-name", type="text", maxLength=64,
                                                 value="default", debounce=True)),
                html.Button(t("ds.adm.pl.save", "vi"), id="adm-pl-save", n_clicks=0, className="btn"),
            ]),
            html.Div(t("ds.adm.pl.help", "vi"), className="adm-help"),
            dcc.Textarea(id="adm-pl-items", className="adm-pl-items", rows=10),
            html.Div(id="adm-pl-msg", className="adm-msg", role="status"),
        ]),
        dcc.Store(id="adm-refresh", data=0),
    ])
