"""The README's session client, step by step: the sign-in form's token, the _csrf_token cookie,
and X-CSRFToken on a session POST to the API (none: 403)."""
from __future__ import annotations

import re
from typing import Any

from accounts import users

CSV = b"indicator,region,period,value\nIIP,VN,2020-07,4.2\n"


def test_session_post_needs_the_cookie_token_in_the_header(web_app: Any) -> None:
    users.add(web_app.server.extensions["ops_db"], "canbo-api", "staff", "correct horse battery")
    client = web_app.server.test_client()
    form = client.get("/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    refused = client.post("/login", data={"username": "canbo-api",
                                          "password": "correct horse battery"})
    assert refused.status_code == 400  # the form's token is required to sign in
    signed = client.post("/login", data={"username": "canbo-api",
                                         "password": "correct horse battery",
                                         "csrf_token": before})
    assert signed.status_code == 303
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None and cookie.value != before  # a new token for the new session

    url = "/api/v1/submissions?agency=BTC&filename=x.csv"
    bare = client.post(url, data=CSV, content_type="text/csv")
    assert bare.status_code == 403 and bare.get_json() == {"error": "missing or wrong CSRF token"}
    wrong_origin = client.post(url, data=CSV, content_type="text/csv",
                               headers={"X-CSRFToken": cookie.value,
                                        "Origin": "https://elsewhere.example"})
    assert wrong_origin.status_code == 403
    sent = client.post(url, data=CSV, content_type="text/csv",
                       headers={"X-CSRFToken": cookie.value})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["created"] == 1
