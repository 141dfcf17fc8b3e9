"""Displays: the presenter controls in the header, /displays (status) and /admin/displays.

Skeletons only: texts, tables and messages come from callbacks/displays.py.
"""
from __future__ import annotations

from datetime import datetime

from dash import dcc, html

from core.clock import VN_TZ

STATUS_MS = 2_000  # /displays refresh: a lost screen shows within LOST_AFTER + 2 s
PRESENT_MS = 2_000  # presenter heartbeat and follower count (timeout 15 s)

# Texts of the displays' screens (key -> (Vietnamese, English)); kept here, beside the
# layouts, rather than in web/i18n.py, so the displays are one module of their own.
TEXTS: dict[str, tuple[str, str]] = {
    "present": ("Trình chiếu", "Present"),
    "present.stop": ("Dừng trình chiếu", "Stop presenting"),
    "present.takeover": ("Tiếp quản trình chiếu", "Take over"),
    "present.by": ("{name} đang trình chiếu", "{name} is presenting"),
    "present.on": ("Đang trình chiếu · {n} màn hình theo dõi", "Presenting · {n} displays following"),
    "present.lag": ("chậm: {names}", "lagging: {names}"),
    "present.taken": ("{name} đã tiếp quản trình chiếu", "{name} took over presenting"),
    "present.refused": ("Không có quyền trình chiếu", "Not allowed to present"),
    "st.title": ("Màn hình và điểm cầu", "Displays and bridge points"),
    "st.counts": ("{c} kết nối · {l} mất kết nối · {n} chưa kết nối",
                  "{c} connected · {l} lost · {n} never connected"),
    "st.place": ("Điểm cầu", "Place"),
    "st.name": ("Màn hình", "Display"),
    "st.mode": ("Chế độ", "Mode"),
    "st.state": ("Trạng thái", "State"),
    "st.showing": ("Đang hiển thị", "Showing"),
    "st.since": ("Từ", "Since"),
    "st.screen": ("Kích thước", "Screen size"),
    "st.error": ("Lỗi gần nhất", "Last error"),
    "state.connected": ("Kết nối", "Connected"),
    "state.lost": ("Mất kết nối từ {t}", "Lost since {t}"),
    "state.never": ("Chưa kết nối", "Never connected"),
    "mode.follow": ("Theo người trình chiếu", "Follow presenter"),
    "mode.playlist": ("Danh sách trang", "Playlist"),
    "mode.page": ("Một trang", "One page"),
    "st.forbidden": ("Trang này dành cho cán bộ Trung tâm", "This page is for the centre's staff"),
    "adm.title": ("Quản lý màn hình", "Manage displays"),
    "adm.create": ("Tạo màn hình", "Create display"),
    "adm.change": ("Thay đổi màn hình", "Change display"),
    "adm.apply": ("Áp dụng", "Apply"),
    "adm.revoke": ("Thu hồi liên kết", "Revoke link"),
    "adm.name": ("Tên", "Name"),
    "adm.place": ("Vị trí", "Place"),
    "adm.mode": ("Chế độ", "Mode"),
    "adm.playlist": ("Danh sách trang", "Playlist"),
    "adm.page": ("Trang (đường dẫn)", "Page (path)"),
    "adm.created": ("Đã tạo {name}. Liên kết chỉ hiện một lần, hãy mở trên màn hình:",
                    "{name} created. The link is shown once; open it on the screen:"),
    "adm.applied": ("Đã cập nhật {name}", "{name} updated"),
    "adm.revoked": ("Đã thu hồi {name}", "{name} revoked"),
    "adm.playlists": ("Danh sách trang", "Playlists"),
    "adm.pl.help": ("Mỗi dòng một mục: ĐƯỜNG-DẪN GIÂY [provinces=all|01,04] [param=region]",
                    "One item a line: PATH SECONDS [provinces=all|01,04] [param=region]"),
    "adm.pl.save": ("Lưu danh sách", "Save playlist"),
    "adm.pl.saved": ("Đã lưu {name}; màn hình áp dụng từ mục kế tiếp",
                     "{name} saved; screens take it up at their next item"),
    "adm.pick": ("Chọn màn hình", "Choose a display"),
    "adm.none": ("(mặc định)", "(default)"),
    "ov.bridge_lost": ("Điểm cầu mất kết nối", "Bridge points lost"),
}


def tx(key: str, lang: str | None) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def present_controls(presents: bool = True) -> html.Div:
    """The header's presenter button (id present-button), status, takeover and stores. A screen
    signed in as a display never presents: its presenter poll starts switched off (`presents`)."""
    return html.Div(className="present control", children=[
        html.Button(tx("present", "vi"), id="present-button", n_clicks=0,
                    className="present-button"),
        html.Button(tx("present.takeover", "vi"), id="present-takeover", n_clicks=0,
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


def status_table(rows: list, lang: str) -> html.Table:
    """One row per place and display: state in words and colour, what it shows, since when."""
    head = html.Tr([html.Th(tx(k, lang)) for k in
                    ("st.place", "st.name", "st.mode", "st.state", "st.showing", "st.since",
                     "st.screen", "st.error")])
    body = []
    for r in rows:
        state = tx(f"state.{r['state']}", lang).format(t=_local_time(r.get("lost_since")))
        body.append(html.Tr(className=f"ds-row ds-{r['state']}", **{"data-place": r["place"],
                                                                      "data-name": r["name"]},
                            children=[
            _cell(f"{r['place']} · {r['place_name']}" if r["place_name"] else r["place"] or "—"),
            _cell(r["name"] or "—"), _cell(tx(f"mode.{r['mode']}", lang) if r["mode"] else "—"),
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
        html.Span(tx(label_key, lang), className="adm-label"), control])


def _select(id: str, options: list | None = None, value: str | None = None) -> dcc.Dropdown:
    return dcc.Dropdown(id=id, options=options or [], value=value, clearable=True, className="dd")


def admin_layout(**_query: str) -> html.Div:
    """/admin/displays: create, change and revoke displays; edit playlists."""
    modes = [{"label": tx(f"mode.{m}", "vi"), "value": m} for m in ("follow", "playlist", "page")]
    return html.Div(className="pg pg-admin-displays", id="admin-displays-page", children=[
        html.H1(tx("adm.title", "vi"), className="pg-title"),
        html.Section(className="pg-panel adm-panel", children=[
            html.H2(tx("adm.create", "vi"), className="panel-title"),
            html.Div(className="adm-row", children=[
                _field("adm.name", dcc.Input(id="adm-new-name", type="text", maxLength=64)),
                _field("adm.place", _select("adm-new-place")),
                _field("adm.mode", _select("adm-new-mode", modes, "playlist")),
                _field("adm.playlist", _select("adm-new-playlist")),
                _field("adm.page", dcc.Input(id="adm-new-page", type="text", maxLength=500)),
                html.Button(tx("adm.create", "vi"), id="adm-create", n_clicks=0, className="btn"),
            ]),
            html.Div(id="adm-create-msg", className="adm-msg", role="status"),
        ]),
        html.Section(className="pg-panel adm-panel", children=[
            html.H2(tx("adm.change", "vi"), className="panel-title"),
            html.Div(className="adm-row", children=[
                _field("adm.name", _select("adm-name")),
                _field("adm.place", _select("adm-place")),
                _field("adm.mode", _select("adm-mode", modes)),
                _field("adm.playlist", _select("adm-playlist")),
                _field("adm.page", dcc.Input(id="adm-page", type="text", maxLength=500)),
                html.Button(tx("adm.apply", "vi"), id="adm-apply", n_clicks=0, className="btn"),
                html.Button(tx("adm.revoke", "vi"), id="adm-revoke", n_clicks=0,
                            className="btn btn-danger"),
            ]),
            html.Div(id="adm-change-msg", className="adm-msg", role="status"),
            html.Div(id="adm-table", className="table-wrap"),
        ]),
        html.Section(className="pg-panel adm-panel", children=[
            html.H2(tx("adm.playlists", "vi"), className="panel-title"),
            html.Div(className="adm-row", children=[
                _field("adm.playlist", dcc.Input(id="adm-pl-name", type="text", maxLength=64,
                                                 value="default", debounce=True)),
                html.Button(tx("adm.pl.save", "vi"), id="adm-pl-save", n_clicks=0, className="btn"),
            ]),
            html.Div(tx("adm.pl.help", "vi"), className="adm-help"),
            dcc.Textarea(id="adm-pl-items", className="adm-pl-items", rows=10),
            html.Div(id="adm-pl-msg", className="adm-msg", role="status"),
        ]),
        dcc.Store(id="adm-refresh", data=0),
    ])
