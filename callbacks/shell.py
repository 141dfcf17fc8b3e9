"""Shell callbacks: clock and kiosk mode run in the browser; language switch and labels."""
from __future__ import annotations

import dash
from dash import Input, Output, State

from web.i18n import norm, t


def toggle_lang(n_clicks: int | None, lang: str | None) -> str:
    """Flip between Vietnamese and English on each click."""
    if not n_clicks:
        return norm(lang)
    return "en" if norm(lang) == "vi" else "vi"


def shell_texts(lang: str | None) -> tuple[str, str, list, str]:
    from layouts.shell import nav_links

    lang = norm(lang)
    return t("app.title", lang), t("lang.switch", lang), nav_links(lang), t("logout", lang)


def register(app: dash.Dash) -> None:
    app.callback(Output("lang", "data"), Input("lang-switch", "n_clicks"), State("lang", "data"),
                 prevent_initial_call=True)(toggle_lang)
    app.callback(Output("app-title", "children"), Output("lang-switch", "children"),
                 Output("nav", "children"), Output("logout-link", "children"),
                 Input("lang", "data"))(shell_texts)
    # The clock ticks in the browser: no server round trip every second.
    app.clientside_callback(
        dash.ClientsideFunction(namespace="ops", function_name="clock"),
        Output("clock-time", "children"), Output("clock-date", "children"),
        Input("clock-tick", "n_intervals"), State("lang", "data"),
    )
    # No output: it only mirrors the choice into the cookie the server-rendered pages read.
    app.clientside_callback(
        dash.ClientsideFunction(namespace="ops", function_name="rememberLang"),
        Input("lang", "data"),
    )
    app.clientside_callback(
        dash.ClientsideFunction(namespace="ops", function_name="kiosk"),
        Output("shell", "className"), Input("url", "search"),
    )
