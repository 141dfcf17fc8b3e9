"""Server-rendered pages (sign-in, refusals, errors, the admin console): Jinja templates under
web/templates, worded from web/i18n.py in one language at a time.

The language is the reader's choice, as on the Dash pages: `?lang=vi|en` (the pages' own switch,
remembered in the LANG_COOKIE), else that cookie, which the Dash pages' switch also writes
(assets/ops.js), else Vietnamese.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, has_request_context, render_template, request

from web import i18n

LANG_COOKIE = "ops_lang"
LANG_COOKIE_AGE_S = 400 * 24 * 3600


def page_lang() -> str:
    """The language the request's reader chose (Vietnamese unless they chose English)."""
    asked = request.args.get("lang")
    if asked in i18n.LANGS:
        return asked
    return i18n.norm(request.cookies.get(LANG_COOKIE))


def chosen_lang() -> str:
    """The language chosen on these pages, for a Dash page's first visit (Vietnamese outside a
    request)."""
    return page_lang() if has_request_context() else i18n.DEFAULT_LANG


def _switch_href(lang: str) -> str:
    """This page in the other language (its other query arguments kept, e.g. ?next=)."""
    args = request.args.to_dict()
    args["lang"] = "en" if lang == "vi" else "vi"
    return request.path + "?" + urlencode(args)


def render(template: str, status: int = 200, **context: Any) -> Response:
    """A template answered in the reader's language; never cached (forms carry CSRF tokens and
    the admin console one-time secrets)."""
    lang = page_lang()

    def text(key: str, **values: Any) -> str:
        found = i18n.t(key, lang)
        return found.format(**values) if values else found

    html = render_template(template, lang=lang, t=text, switch_href=_switch_href(lang), **context)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if request.args.get("lang") in i18n.LANGS:
        # Not HttpOnly: the Dash pages' switch writes the same cookie from the browser.
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE_S, samesite="Lax",
                            path="/", secure=request.is_secure)
    return response


def refusal(status: int, key: str) -> Response:
    """The error page for a refusal the catalogue words (403 administrators only, ...)."""
    return error(status, i18n.t(key, page_lang()))


def error(status: int, message: str = "", title: str = "") -> Response:
    """The error page: the status, its name and what happened, in the reader's language."""
    lang = page_lang()
    title = title if f"err.{status}" not in i18n.TEXTS else i18n.t(f"err.{status}", lang)
    if not message and f"err.{status}.msg" in i18n.TEXTS:
        message = i18n.t(f"err.{status}.msg", lang)
    return render("error.html", status, code=status, title=title, message=message)
