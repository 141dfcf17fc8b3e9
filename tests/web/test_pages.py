"""Server-rendered pages: one language at a time, the reader's choice, as the Dash pages do."""
from __future__ import annotations

import json

from tests.conftest import login
from web.i18n import t


def test_login_page_in_vietnamese_first_then_english_when_chosen(web_app) -> None:
    client = web_app.server.test_client()
    html = client.get("/login?next=/savings").get_data(as_text=True)
    assert t("login.user", "vi") in html and t("login.user", "en") not in html
    assert '<html lang="vi">' in html
    switched = client.get("/login?next=/savings&lang=en")
    html = switched.get_data(as_text=True)
    assert '<html lang="en">' in html and "User name" in html and "Tên đăng nhập" not in html
    assert 'action="/login?next=%2Fsavings"' in html  # the switch keeps where to go next
    assert client.get_cookie("ops_lang").value == "en"
    # Remembered: the next page in English without asking again.
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html and "Đăng nhập" not in html


def test_error_pages_follow_the_language(web_app) -> None:
    client = web_app.server.test_client()
    login(client, "staff")
    page = client.get("/no/such/page/../x")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert t("err.404", "vi") in page.get_data(as_text=True)
    client.set_cookie("ops_lang", "en")
    html = client.get("/no/such/page/../x").get_data(as_text=True)
    assert "Not found" in html and t("err.404", "vi") not in html


def test_a_first_dash_visit_starts_in_the_language_chosen_at_sign_in(web_app) -> None:
    client = web_app.server.test_client()
    login(client, "staff")
    client.set_cookie("ops_lang", "en")
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert '"id": "lang"' in layout and '"data": "en"' in layout


def test_every_text_the_pages_name_is_in_the_catalogue() -> None:
    """A missing key would show as the key itself: every one the templates and the access
    package name is in web/i18n.py, in both languages."""
    import re
    from pathlib import Path

    from web.i18n import TEXTS

    web = Path(__file__).resolve().parents[2] / "web"
    named = set()
    for path in [*web.glob("templates/**/*.html"), *web.glob("**/*.py")]:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'\bt\(\s*"([a-z0-9_.]+)"', text))
        named |= {k for k in re.findall(r'"((?:deny|login|err|admin|audit|revoked)\.[a-z0-9_.]+)"',
                                         text) if not k.endswith(".html")}
    named = {k for k in named if not k.endswith(".")}  # t("admin." ~ action): both listed too
    assert len(named) > 60
    missing = sorted(k for k in named if k not in TEXTS)
    assert missing == []
    assert all(all(TEXTS[k]) for k in named)
