"""/submit: staff and administrators send an agency's CSV or XLSX file, see what it would change,
then confirm. A skeleton and the preview's view; callbacks/submit.py fills them."""
from __future__ import annotations

from typing import Any

from dash import dcc, html
from flask import current_app, has_request_context

from core.bilingual import Bilingual
from layouts.components import page_head
from reporting.preview import STATUSES, Preview, PreviewRow
from web.access import current_principal
from web.access.paths import SUBMITTERS
from web.i18n import norm, number, t
from web.pages import chosen_lang

SHOWN = 200  # preview entries drawn: a 10,000-row file is counted in full, shown in part
_ORDER = {"refused": 0, "revised": 1, "new": 2, "unchanged": 3}


def layout(**_query: str) -> html.Div:
    principal = current_principal() if has_request_context() else None
    if principal is None or principal.role not in SUBMITTERS:
        # The guard refuses /submit itself; this covers moving to it inside the app.
        return html.Div(className="pg pg-submit", children=[
            html.Div(t("submit.forbidden", chosen_lang()), id="submit-forbidden",
                     className="empty")])
    limit = current_app.config["OPS_SETTINGS"].max_upload_bytes
    return html.Div(className="pg pg-submit", children=[
        page_head("submit-title", "submit-meta", "submit-badges", t("submit.title", "vi")),
        html.Section(className="pg-panel sb-form", children=[
            html.Div(className="field sb-agency", children=[
                html.Label(id="submit-l-agency", className="field-label"),
                dcc.Dropdown(id="submit-agency", options=[], clearable=False, className="dd")]),
            # No `accept` filter: a wrong file gets a message instead of silently nothing.
            dcc.Upload(id="submit-upload", multiple=False, className="sb-drop",
                       className_active="sb-drop sb-drop-active",
                       children=html.Div(id="submit-drop-text", className="sb-drop-text")),
            html.Button(id="submit-confirm", n_clicks=0, disabled=True,
                        className="control btn sb-confirm"),
        ]),
        html.Div(id="submit-result", className="sb-result", role="status"),
        html.Section(id="submit-preview", className="sb-preview"),
        dcc.Store(id="submit-limit", data=limit),
        dcc.Store(id="submit-file"),
        dcc.Store(id="submit-token"),
    ])


def both(text: str, lang: str) -> list[Any]:
    """A reason in the reader's language first and the other one under it (the ingest's
    reasons are Bilingual; plain text is shown once)."""
    if not isinstance(text, Bilingual) or text.vi == text.en:
        return [html.Span(str(text))]
    first, second = (text.en, text.vi) if norm(lang) == "en" else (text.vi, text.en)
    return [html.Span(first), html.Span(second, className="sb-other-lang")]


def message(text: str, lang: str, tone: str = "bad") -> html.Div:
    return html.Div(both(text, lang), className=f"sb-message tone-{tone}")


def _value(value: float | None, lang: str) -> str:
    if value is None:
        return ""
    decimals = len(f"{value:.6f}".rstrip("0").partition(".")[2])
    return number(value, lang, decimals)


def _row(r: PreviewRow, lang: str) -> html.Tr:
    if r.status == "refused":
        what = [html.Td(r.raw, colSpan=4, className="sb-raw"),
                html.Td([html.B(r.field), *both(r.reason, lang)], className="sb-reason")]
    else:
        shown = _value(r.value, lang)
        if r.status == "revised":
            shown = f"{_value(r.old, lang)} → {shown}"
        what = [html.Td(r.indicator), html.Td(r.region), html.Td(r.period),
                html.Td(shown, className="num"), html.Td("")]
    return html.Tr([html.Td(str(r.row), className="num"),
                    html.Td(t(f"submit.st.{r.status}", lang), className=f"sb-st sb-{r.status}"),
                    *what], className=f"sb-{r.status}-row")


def preview_view(preview: Preview, lang: str, filename: str, agency: str) -> list[Any]:
    """Counts of each class, then the entries, refused and revised first."""
    chips = [html.Span([html.B(str(preview.count(s))), " ", t(f"submit.st.{s}", lang)],
                       className=f"chip sb-chip sb-{s}", id=f"submit-count-{s}")
             for s in STATUSES]
    rows = preview.rows  # file order when all fit; else the rows that need a look first
    if len(rows) > SHOWN:
        rows = sorted(rows, key=lambda r: (_ORDER[r.status], r.row))[:SHOWN]
    head = html.Tr([html.Th(t(f"submit.col.{c}", lang),
                            className="num" if c in ("row", "value") else "")
                    for c in ("row", "status", "indicator", "region", "period", "value")]
                   + [html.Th(f"{t('submit.col.field', lang)} · {t('submit.col.reason', lang)}")])
    note = t("submit.shown", lang).format(shown=len(rows), total=len(preview.rows)) \
        if len(preview.rows) > len(rows) else ""
    return [html.Div(className="pg-panel", children=[
        html.Div(className="panel-head", children=[
            html.H2(t("submit.preview", lang), className="panel-title"),
            html.Div(f"{agency} · {filename}", className="panel-note sb-what")]),
        html.Div(chips, className="sb-chips"),
        html.Div(note, className="panel-note") if note else None,
        html.Div(html.Table([html.Thead(head), html.Tbody([_row(r, lang) for r in rows])],
                            className="data-table compact sb-table", id="submit-table"),
                 className="table-wrap sb-table-wrap"),
    ])]
