"""The frame around every page: header with title, clock, as-of time, language and navigation."""
from __future__ import annotations

import dash
from dash import dcc, html
from flask import has_request_context

from layouts.displays import present_controls
from web.access import Principal, current_principal
from web.i18n import t
from web.pages import chosen_lang


def _principal() -> Principal | None:
    """Who the page is built for (None outside a request: tests, benches)."""
    return current_principal() if has_request_context() else None


def nav_links(lang: str) -> list[html.A]:
    """Navigation built from the page registry: the pages the signed-in role may open."""
    from layouts import PAGES

    principal = _principal()
    role = principal.role if principal is not None else ""
    return [html.A(t(p.nav_key, lang), href=p.path, className="nav-link", id=f"nav-{p.module}")
            for p in PAGES if p.in_nav and (not p.roles or role in p.roles)]


def _is_display() -> bool:
    """Whether this page is built for a screen signed in as a display (not a person)."""
    principal = _principal()
    return principal is not None and principal.kind == "display"


def header(lang: str = "vi") -> html.Header:
    return html.Header(className="shell-header", children=[
        html.Div(className="brand", children=[
            html.Img(src=dash.get_asset_url("emblem.svg"), className="emblem", alt=""),
            html.Div([html.Div(t("app.title", lang), id="app-title", className="title"),
                      html.Div(id="data-as-of", className="as-of")]),
        ]),
        html.Nav(nav_links(lang), id="nav", className="nav"),
        html.Div(className="header-right", children=[
            present_controls(presents=not _is_display()),
            html.Button(t("lang.switch", lang), id="lang-switch", className="lang-switch",
                        n_clicks=0),
            html.A(t("logout", lang), href="/logout", id="logout-link", className="logout control"),
            html.Div(className="clock", children=[
                html.Div(id="clock-time", className="clock-time"),
                html.Div(id="clock-date", className="clock-date"),
            ]),
        ]),
    ])


def app_shell() -> html.Div:
    """The whole page: stores, location, header and the page container."""
    return html.Div(id="shell", className="shell", children=[
        dcc.Location(id="url", refresh="callback-nav"),
        # Language is remembered in the browser across visits and restarts.
        # A first visit starts in the language chosen on the sign-in page (web.pages).
        dcc.Store(id="lang", storage_type="local", data=chosen_lang()),
        dcc.Interval(id="clock-tick", interval=1000),
        header("vi"),
        html.Main(dash.page_container, id="page", className="page"),
    ])
