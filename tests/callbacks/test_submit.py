"""/submit callbacks as functions (preview, then confirm stores once) and through the guard
(only staff and admin reach the page and its callbacks)."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask import g
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from accounts import audit
from callbacks import submit as cb
from core.db import current
from reporting.models import Observation, Submission
from tests.conftest import csrf_header, login
from tests.helpers import text_of as _text_of
from web import previewtoken
from web.access import Principal

CSV = "indicator,region,period,value,note\nIIP,VN,2020-01,7.5,\nIIP,VN,2020-02,1,5\n"


def text_of(component: Any) -> str:
    return " ".join(_text_of(component).split())


def data_url(text: str | bytes, mime: str = "text/csv") -> str:
    raw = text.encode() if isinstance(text, str) else text
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


INFO = {"name": "iip.csv", "size": 10, "over": False, "at": 1}


@pytest.fixture
def staff(app: Any) -> Any:
    with app.server.test_request_context():
        g.ops_principal = Principal("user", "staff", "canbo", 1, "session")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(cb, "ctx", type("C", (), {"triggered_id": "submit-file"})())
            yield


def stored(code: str = "IIP", period: str = "2020-01") -> list[float]:
    with current().sessions() as s:
        return list(s.scalars(select(Observation.value).where(
            Observation.indicator_code == code, Observation.region_code == "VN",
            Observation.period == period)))


def test_preview_then_confirm_stores_once(staff: None) -> None:
    view, token, cleared = cb.preview(INFO, "BTC", "vi", data_url(CSV), "iip.csv")
    shown = text_of(view)
    assert "1 Mới" in shown and "1 Bị từ chối" in shown and cleared == ""
    assert "giá trị '1,5'?" in shown and "value '1,5'?" in shown  # both languages
    assert token is not None and stored() == []  # nothing stored by the preview

    result, spent, preview, file = cb.confirm(1, data_url(CSV), "iip.csv", "BTC", token, "en")
    assert (spent, preview, file) == (None, [], None) and stored() == [7.5]
    words = text_of(result)
    assert "Stored as submission" in words and "valid rows 1 (1 new" in words
    with current().sessions() as s:
        sub = s.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert (sub.channel, sub.agency_code, sub.payload, sub.status) == \
        ("web", "BTC", CSV.encode(), "partial")
    [event] = audit.recent(current(), 1, kind="submission")
    assert event.actor == "canbo" and f"submission {sub.id} agency=BTC channel=web" in event.detail

    # The same preview cannot be stored twice, even from another process's memory.
    again, spent, preview, _ = cb.confirm(2, data_url(CSV), "iip.csv", "BTC", token, "vi")
    assert "đã được gửi" in text_of(again) and spent is None and preview is cb.no_update
    cb.used = previewtoken.UsedTokens()
    again, *_ = cb.confirm(3, data_url(CSV), "iip.csv", "BTC", token, "en")
    assert f"already been submitted (#{sub.id})" in text_of(again)
    assert stored() == [7.5]

    # A new preview of the same file says what storing it again would do: nothing new.
    view, token2, _ = cb.preview(INFO, "BTC", "en", data_url(CSV), "iip.csv")
    assert "1 Unchanged" in text_of(view) and token2 is not None


def test_changed_file_or_agency_needs_a_new_preview(staff: None) -> None:
    _view, token, _ = cb.preview(INFO, "BTC", "vi", data_url(CSV), "iip.csv")
    other = CSV.replace("7.5", "7.6")
    for contents, agency in ((data_url(other), "BTC"), (data_url(CSV), "BCT")):
        result, *_ = cb.confirm(1, contents, "iip.csv", agency, token, "en")
        assert "changed after the preview" in text_of(result)
    forged = dict(token, sha256="0" * 64)
    result, *_ = cb.confirm(1, data_url(CSV), "iip.csv", "BTC", forged, "en")
    assert "see its preview before confirming" in text_of(result)
    result, *_ = cb.confirm(1, data_url(CSV), "iip.csv", "BTC", None, "vi")
    assert "xem trước rồi mới xác nhận" in text_of(result)
    assert stored() == []


@pytest.mark.parametrize(("contents", "name", "words"), [
    (data_url(CSV), "iip.txt", "Only .csv and .xlsx files are accepted ('iip.txt'"),
    ("data:text/csv;base64,@@@@", "iip.csv", "content could not be read"),
    ("not a data url", "iip.csv", "content could not be read"),
    (data_url(""), "iip.csv", "the file is empty"),
    (data_url("a,b\n1,2\n"), "iip.csv", "missing required column(s): indicator"),
    (data_url(b"PK\x03\x04 not a zip"), "iip.xlsx", "not a readable .xlsx workbook"),
    (data_url("x" * 11), "iip.csv", "11 bytes exceeds the upload limit of 10 bytes"),
])
def test_bad_files_get_a_message_in_both_languages(app: Any, staff: None, contents: str,
                                                   name: str, words: str) -> None:
    app.server.config["OPS_SETTINGS"] = app.server.config["OPS_SETTINGS"].with_(
        max_upload_bytes=10 if "exceeds" in words else 5 * 2**20)
    view, token, _ = cb.preview(INFO, "BTC", "en", contents, name)
    shown = text_of(view)
    assert words in shown and token is None, shown
    assert len(view.children) == 2  # the English text, the Vietnamese under it


def test_over_limit_in_the_browser_and_no_agency(staff: None) -> None:
    view, token, _ = cb.preview(dict(INFO, over=True, size=99_000_000), "BTC", "vi", None, "x.csv")
    assert "99000000 byte vượt giới hạn tải lên" in text_of(view) and token is None
    view, token, _ = cb.preview(INFO, None, "en", data_url(CSV), "iip.csv")
    assert "Choose the sending agency" in text_of(view) and token is None


def test_read_upload_checks_size_before_decoding() -> None:
    body = "A" * 4_000_000 + "!"  # not base64: decoding would fail, the size check comes first
    refused = cb.read_upload(f"data:text/csv;base64,{body}", "big.csv", 1000)
    assert "exceeds the upload limit of 1000 bytes" in refused
    assert cb.decoded_size(base64.b64encode(b"abcd").decode()) == 4


def test_leader_cannot_call_them(app: Any) -> None:
    with app.server.test_request_context():
        g.ops_principal = Principal("user", "leader", "lan", 2, "session")
        with pytest.raises(Forbidden):
            cb.preview(INFO, "BTC", "vi", data_url(CSV), "iip.csv")
        with pytest.raises(Forbidden):
            cb.confirm(1, data_url(CSV), "iip.csv", "BTC", {}, "vi")


def _callback_body(app: Any, prefix: str, contents: str) -> tuple[str, dict[str, Any]]:
    output = next(k for k in app.callback_map if k.startswith(prefix))
    body = {"output": output, "outputs": [
        {"id": "submit-preview", "property": "children"},
        {"id": "submit-token", "property": "data"},
        {"id": "submit-result", "property": "children"}],
        "inputs": [{"id": "submit-file", "property": "data", "value": INFO},
                   {"id": "submit-agency", "property": "value", "value": "BTC"},
                   {"id": "lang", "property": "data", "value": "vi"}],
        "state": [{"id": "submit-upload", "property": "contents", "value": contents},
                  {"id": "submit-upload", "property": "filename", "value": "iip.csv"}],
        "changedPropIds": ["submit-file.data"]}
    return output, body


def test_roles_through_the_guard(app: Any) -> None:
    client = app.server.test_client()
    assert client.get("/submit").status_code == 302  # anonymous: to the sign-in page
    login(client, "leader")
    page = client.get("/submit", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "Gửi số liệu cần tài khoản" in page.get_data(as_text=True)
    _output, body = _callback_body(app, "..submit-preview.children", data_url(CSV))
    answer = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert answer.status_code == 403
    layout = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    assert "nav-submit" not in json.dumps(layout)

    staff = app.server.test_client()
    login(staff, "staff")
    assert staff.get("/submit").status_code == 200
    assert "nav-submit" in staff.get("/_dash-layout").get_data(as_text=True)
    # A file near the upload limit fits in one callback body (base64 is 4/3 of it).
    big = "indicator,region,period,value\n" + "IIP,VN,2020-01,1\n" * 270_000
    assert 4 * 2**20 < len(big) < 5 * 2**20
    _output, body = _callback_body(app, "..submit-preview.children", data_url(big))
    answer = staff.post("/_dash-update-component", json=body, headers=csrf_header(staff))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert "hơn 10000 dòng" in json.dumps(answer.get_json(), ensure_ascii=False)


def test_token_is_for_one_person_and_one_hour(app: Any) -> None:
    with app.server.test_request_context():
        token = previewtoken.issue("a" * 64, "BTC", "canbo")
        assert previewtoken.check(token, "canbo") and not previewtoken.check(token, "other")
        old = int(token["at"]) - previewtoken.TOKEN_TTL_S - 1
        stale = dict(token, at=old, sig=previewtoken._signature("a" * 64, "BTC", "canbo",
                                                                 token["nonce"], old))
        assert not previewtoken.check(stale, "canbo")
        for broken in ({}, dict(token, at="soon"), dict(token, at=1e300), dict(token, sig="é")):
            assert not previewtoken.check(broken, "canbo")


def test_xlsx_is_previewed_like_csv(staff: None) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in (("indicator", "region", "period", "value"), ("IIP", "VN", "2020-01", 6.25)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    view, token, _ = cb.preview(INFO, "BTC", "en", data_url(out.getvalue(), xlsx), "iip.xlsx")
    assert "1 New" in text_of(view) and "6.25" in text_of(view) and token is not None
