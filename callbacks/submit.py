"""/submit callbacks: the agencies, the preview (a dry run of the ingest) and the confirmation.

The preview signs a token for the exact bytes, agency and person it previewed (HMAC with the
app's secret key) and the page keeps it in a store; confirming needs that token, the same file
and agency, and a token not used before: each preview stores at most once.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import dash
from dash import Input, Output, State, ctx, no_update
from flask import current_app

from accounts import audit, users
from core.bilingual import Bilingual
from core.db import current
from layouts.submit import message, preview_view
from reporting import ingest, queries
from reporting.files import MAX_ROWS
from web import previewtoken
from web.access import Principal, client_address, require
from web.access.paths import SUBMITTERS
from web.i18n import norm, number, t

SUFFIXES = (".csv", ".xlsx")


def _text(key: str, **values: Any) -> Bilingual:
    """A catalogue text in both languages, for the messages shown like the ingest's own."""
    return Bilingual(t(key, "vi").format(**values), t(key, "en").format(**values))


def decoded_size(b64: str) -> int:
    """The bytes a base64 text decodes to, from its length alone."""
    pad = 2 if b64.endswith("==") else 1 if b64.endswith("=") else 0
    return max(0, len(b64) * 3 // 4 - pad)


def read_upload(contents: Any, filename: Any, limit: int) -> tuple[bytes, str, str] | Bilingual:
    """(payload, filename, content type) from dcc.Upload's data URL, or why it is refused.

    The size is checked on the base64 text's length before anything is decoded.
    """
    name = filename if isinstance(filename, str) else ""
    if PurePosixPath(name.lower()).suffix not in SUFFIXES:
        return _text("submit.wrong_type", name=name[:80])
    if not isinstance(contents, str):
        return _text("submit.undecodable")
    head, comma, body = contents.partition(",")
    if not comma or not head.startswith("data:") or not head.endswith(";base64"):
        return _text("submit.undecodable")
    size = decoded_size(body)
    if size > limit:
        return ingest.oversize(size, limit)
    try:
        payload = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return _text("submit.undecodable")
    return payload, name, head[5:].removesuffix(";base64")


def _limit() -> int:
    return int(current_app.config["OPS_SETTINGS"].max_upload_bytes)


used = previewtoken.UsedTokens()


# --- callbacks --------------------------------------------------------------------------------

def _own_agency(principal: Principal, agencies: list[dict[str, Any]]) -> str | None:
    """The agency a person's recorded unit names (its code or either name), if one does."""
    info = users.get(current(), principal.id) if principal.kind == "user" else None
    unit = (info.unit if info is not None else "").strip().casefold()
    if not unit:
        return None
    for a in agencies:
        if unit in (a["code"].casefold(), a["name_vi"].casefold(), a["name_en"].casefold()):
            return str(a["code"])
    return None


def labels(lang: str | None, agency: str | None) -> tuple[Any, ...]:
    lang = norm(lang)
    principal = require(*SUBMITTERS)
    agencies = queries.submitting_agencies()
    options = [{"label": f"{a['code']} · {a['name_vi' if lang == 'vi' else 'name_en']}",
                "value": a["code"]} for a in agencies]
    value = no_update if agency else _own_agency(principal, agencies)
    limit = _limit()
    size = f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit} B"
    return (t("submit.title", lang), t("submit.meta", lang).format(size=size,
                                                                  rows=number(MAX_ROWS, lang)),
            t("submit.agency", lang), t("submit.agency_hint", lang), options, value,
            t("submit.drop", lang), t("submit.confirm", lang))


def preview(info: Any, agency: Any, lang: str | None, contents: Any,
            filename: Any) -> tuple[Any, Any, Any]:
    """Outputs: the preview, the token (None: nothing to confirm), the last result (cleared when
    the file or agency changes)."""
    lang = norm(lang)
    principal = require(*SUBMITTERS)
    cleared = no_update if ctx.triggered_id == "lang" else ""
    if not isinstance(info, dict):
        return [], None, no_update  # no file (the last one was stored): its result stays
    limit = _limit()
    if info.get("over"):
        size = info.get("size")
        return message(ingest.oversize(size if isinstance(size, int) else None, limit),
                       lang), None, cleared
    if not isinstance(agency, str) or not agency:
        return message(_text("submit.need_agency"), lang), None, cleared
    upload = read_upload(contents, filename, limit)
    if isinstance(upload, str):
        return message(upload, lang), None, cleared
    payload, name, content_type = upload
    try:
        found = ingest.dry_run(current(), payload, filename=name, agency=agency,
                               content_type=content_type, max_bytes=limit)
    except ingest.UnknownAgency:
        return message(_text("submit.unknown_agency", code=agency[:16]), lang), None, cleared
    if found.file_error:
        return message(found.file_error, lang), None, cleared
    view = preview_view(found, lang, name, agency)
    if not found.storable:
        return [message(_text("submit.nothing"), lang), *view], None, cleared
    return view, previewtoken.issue(found.sha256, agency, principal.actor), cleared


def confirm(n_clicks: int | None, contents: Any, filename: Any, agency: Any, token: Any,
            lang: str | None) -> tuple[Any, Any, Any, Any]:
    """Outputs: the result, the token (always spent: None) and, once stored, the preview and
    the file cleared (what was stored is no preview any more)."""
    outcome = _confirm(n_clicks, contents, filename, agency, token, lang)
    if isinstance(outcome, tuple):
        return outcome[0], None, [], None
    return outcome, None, no_update, no_update


def _confirm(n_clicks: int | None, contents: Any, filename: Any, agency: Any, token: Any,
             lang: str | None) -> Any:
    """The refusal's message, or (the result's message,) once stored."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    lang = norm(lang)
    principal = require(*SUBMITTERS)
    if not previewtoken.check(token, principal.actor):
        return message(_text("submit.no_preview"), lang)
    limit = _limit()
    upload = read_upload(contents, filename, limit)
    if isinstance(upload, str):
        return message(upload, lang)
    payload, name, content_type = upload
    if hashlib.sha256(payload).hexdigest() != token["sha256"] or agency != token["agency"]:
        return message(_text("submit.stale"), lang)
    database = current()
    since = datetime.fromtimestamp(int(token["at"]) - 1, UTC).replace(tzinfo=None)
    earlier = ingest.submitted_since(database, agency, token["sha256"], "web", since)
    if earlier is not None or not used.claim(str(token["nonce"])):
        which = f" (#{earlier})" if earlier is not None else ""
        return message(_text("submit.used", which=which), lang)
    result = ingest.ingest_bytes(database, payload, filename=name, agency=agency, channel="web",
                                 content_type=content_type, max_bytes=limit)
    audit.record(database, "submission", principal.actor,
                 f"submission {result.submission_id} agency={agency} channel=web "
                 f"status={result.status} accepted={result.accepted} "
                 f"rejected={len(result.rejected)}", client_address())
    done = Bilingual(_done(result, "vi"), _done(result, "en"))
    tone = "good" if result.status in ("accepted", "partial", "duplicate") else "bad"
    return (message(done, lang, tone),)


def _done(result: ingest.IngestResult, lang: str) -> str:
    return t("submit.done", lang).format(
        id=result.submission_id, status=t(f"submit.status.{result.status}", lang),
        accepted=result.accepted, new=result.created, revised=result.revised,
        unchanged=result.unchanged, refused=result.rows_rejected)


def register(app: dash.Dash) -> None:
    app.callback(Output("submit-title", "children"), Output("submit-meta", "children"),
                 Output("submit-l-agency", "children"), Output("submit-agency", "placeholder"),
                 Output("submit-agency", "options"), Output("submit-agency", "value"),
                 Output("submit-drop-text", "children"), Output("submit-confirm", "children"),
                 Input("lang", "data"), State("submit-agency", "value"))(labels)
    app.clientside_callback(
        dash.ClientsideFunction(namespace="submit", function_name="gate"),
        Output("submit-upload", "contents"), Output("submit-file", "data"),
        Input("submit-upload", "contents"), State("submit-upload", "filename"),
        State("submit-limit", "data"), prevent_initial_call=True)
    app.clientside_callback(
        dash.ClientsideFunction(namespace="submit", function_name="confirmable"),
        Output("submit-confirm", "disabled"), Input("submit-token", "data"))
    app.callback(Output("submit-preview", "children"), Output("submit-token", "data"),
                 Output("submit-result", "children"),
                 Input("submit-file", "data"), Input("submit-agency", "value"),
                 Input("lang", "data"), State("submit-upload", "contents"),
                 State("submit-upload", "filename"), prevent_initial_call=True)(preview)
    app.callback(Output("submit-result", "children", allow_duplicate=True),
                 Output("submit-token", "data", allow_duplicate=True),
                 Output("submit-preview", "children", allow_duplicate=True),
                 Output("submit-file", "data", allow_duplicate=True),
                 Input("submit-confirm", "n_clicks"), State("submit-upload", "contents"),
                 State("submit-upload", "filename"), State("submit-agency", "value"),
                 State("submit-token", "data"), State("lang", "data"),
                 prevent_initial_call=True)(confirm)
