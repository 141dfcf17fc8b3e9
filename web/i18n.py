"""Vietnamese-first texts and number/date formatting (Babel), switchable to English."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

# One entry per text on the screens: key -> (Vietnamese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Trung tâm Thông tin, Chỉ đạo, Điều hành của Chính phủ",
                  "Government Information and Operations Centre"),
    "app.short": ("TT Thông tin, Chỉ đạo, Điều hành", "Operations Centre"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.indicators": ("Chỉ tiêu", "Indicators"),
    "nav.savings": ("Tiết kiệm", "Savings"),
    "nav.reporting": ("Báo cáo", "Reporting"),
    "nav.cameras": ("Camera thủy điện", "Dam cameras"),
    "as_of": ("Số liệu đến", "Data as of"),
    "stale_since": ("Mất kết nối từ", "Stale since"),
    "simulated": ("Dữ liệu mô phỏng", "Simulated data"),
    "demo": ("Dữ liệu minh họa", "Demonstration data"),
    "lang.switch": ("English", "Tiếng Việt"),
    "unit.bn_vnd_year": ("tỷ đồng/năm", "bn VND/yr"),
    "unit.bn_vnd": ("tỷ đồng", "bn VND"),
    "period": ("Kỳ", "Period"),
    "target": ("Mục tiêu", "Target"),
    "vs_prev": ("so kỳ trước", "vs previous"),
    "vs_year": ("so cùng kỳ", "vs last year"),
    "no_data": ("Chưa có số liệu", "No data yet"),
}


def norm(lang: str | None) -> str:
    """A supported language code, Vietnamese when unknown."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None) -> str:
    """The text for a key in a language (the key itself when missing, so gaps show)."""
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[0] if norm(lang) == "vi" else pair[1]


def number(value: float | None, lang: str | None, decimals: int = 0) -> str:
    """9.900 / 30,5 in Vietnamese; 9,900 / 30.5 in English."""
    if value is None:
        return "—"
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=fmt, locale=norm(lang))


def percent(value: float | None, lang: str | None, decimals: int = 1) -> str:
    """A percentage given in percent points (30.5 -> '30,5 %' in Vietnamese)."""
    if value is None:
        return "—"
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value / 100, format=fmt, locale=norm(lang))


def signed(value: float | None, lang: str | None, decimals: int = 1) -> str:
    """A change with its sign: +1,2 / −0,4."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number(abs(value), lang, decimals)


def when(moment: datetime | str | None, lang: str | None) -> str:
    """Date and time as each language writes it (22/11/2026 10:05 in Vietnamese)."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return format_datetime(moment, "dd/MM/yyyy HH:mm" if norm(lang) == "vi" else "d MMM yyyy HH:mm",
                           locale=norm(lang))


def day(moment: date | str | None, lang: str | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = date.fromisoformat(moment[:10])
    return format_date(moment, "dd/MM/yyyy" if norm(lang) == "vi" else "d MMM yyyy",
                       locale=norm(lang))


def period_label(label: str, lang: str | None) -> str:
    """2026-10 -> 'T10/2026' or 'Oct 2026'; 2026-Q3 -> 'Quý III/2026' or 'Q3 2026'."""
    lang = norm(lang)
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        y, m = label.split("-")
        if lang == "vi":
            return f"T{int(m)}/{y}"
        return format_date(date(int(y), int(m), 1), "MMM yyyy", locale="en")
    if "-Q" in label:
        y, q = label.split("-Q")
        roman = ("I", "II", "III", "IV")[int(q) - 1]
        return f"Quý {roman}/{y}" if lang == "vi" else f"Q{q} {y}"
    if len(label) == 10:
        return day(label, lang)
    return label


# --- overview (the wall) and the shared components: appended, one block per screen ---------
TEXTS.update({
    "ov.sim": ("MÔ PHỎNG", "SIMULATED"),
    "ov.overdue": ("QUÁ HẠN", "OVERDUE"),
    "ov.savings": ("Chi phí xã hội tiết kiệm được", "Social cost saved"),
    "ov.savings.total": ("Tổng mỗi năm", "Total per year"),
    "ov.savings.more_than": ("hơn", "more than"),
    "ov.savings.about": ("khoảng", "about"),
    "ov.savings.growth": ("Tăng từ", "Up from"),
    "ov.savings.since_launch": ("Lũy kế từ khi vận hành (ước tính)", "Saved since launch (estimate)"),
    "ov.savings.estimate_note": (
        "Ước tính: mức tiết kiệm/năm mới nhất của từng hệ thống × thời gian kể từ ngày vận hành",
        "Estimate: each system's latest annual saving × time since its launch"),
    "ov.source": ("Nguồn", "Source"),
    "ov.sys.public_service_portal": ("Cổng Dịch vụ công quốc gia", "National public service portal"),
    "ov.sys.document_axis": ("Trục liên thông văn bản", "National document axis"),
    "ov.sys.e_cabinet": ("Hệ thống e-Cabinet", "e-Cabinet"),
    "ov.sys.reporting_system": ("Hệ thống thông tin báo cáo", "Reporting information system"),
    "ov.coverage": ("Kết nối báo cáo", "Reporting coverage"),
    "ov.cov.ministries": ("Bộ, cơ quan", "Ministries, agencies"),
    "ov.cov.localities": ("Địa phương", "Localities"),
    "ov.cov.indicators": ("Chỉ tiêu cung cấp", "Indicators supplied"),
    "ov.cov.ref": ("Năm 2021", "In 2021"),
    "ov.cov.ref_text": ("{m} bộ · {l} địa phương · {i}/{n} chỉ tiêu",
                        "{m} ministries · {l} localities · {i}/{n} indicators"),
    "ov.cov.active": ("gửi báo cáo trong 100 ngày qua", "reported in the last 100 days"),
    "ov.portal": ("Cổng Dịch vụ công quốc gia", "National public service portal"),
    "ov.portal.services": ("Dịch vụ tích hợp", "Services integrated"),
    "ov.portal.of": ("trên {n} thủ tục", "of {n} procedures"),
    "ov.portal.dossiers": ("Hồ sơ trực tuyến", "Online dossiers"),
    "ov.portal.payments": ("Thanh toán trực tuyến", "Online payments"),
    "ov.portal.payments_value": ("{v} tỷ đồng", "{v} bn VND"),
    "ov.live": ("Trực tuyến hôm nay", "Live today"),
    "ov.live.edocs": ("Văn bản qua Trục liên thông", "Documents over the axis"),
    "ov.live.dossiers": ("Hồ sơ trực tuyến", "Online dossiers"),
    "ov.live.payments": ("Giao dịch thanh toán", "E-payments"),
    "ov.live.power": ("Công suất hệ thống điện", "Power system output"),
    "ov.live.last": ("Cập nhật", "Updated"),
    "ov.indicators": ("Chỉ tiêu kinh tế – xã hội chủ yếu", "Headline socio-economic indicators"),
    "ov.alerts": ("Cảnh báo", "Alerts"),
    "ov.alerts.none": ("Không có cảnh báo", "No alerts"),
    "ov.alerts.threshold": ("Vượt ngưỡng", "Past threshold"),
    "ov.alerts.late": ("Chậm báo cáo", "Late reports"),
    "ov.alerts.cameras": ("Camera mất tín hiệu", "Cameras offline"),
    "ov.alerts.cameras_ok": ("Camera: {n} trực tuyến", "Cameras: {n} live"),
    "ov.alerts.more": ("+{n} nữa", "+{n} more"),
    "unit:%": ("%", "%"),
    "unit:% kế hoạch": ("% kế hoạch", "% of plan"),
    "unit:nghìn tỷ đồng": ("nghìn tỷ đồng", "trillion VND"),
    "unit:tỷ USD": ("tỷ USD", "bn USD"),
    "unit:doanh nghiệp": ("doanh nghiệp", "firms"),
    "unit:văn bản": ("văn bản", "documents"),
    "unit:hồ sơ": ("hồ sơ", "dossiers"),
    "unit:giao dịch": ("giao dịch", "payments"),
    "unit:MW": ("MW", "MW"),
    "short:GDP_GROWTH": ("Tăng trưởng GDP", "GDP growth"),
    "short:CPI_YOY": ("CPI so cùng kỳ", "CPI, y/y"),
    "short:EXPORTS": ("Xuất khẩu", "Exports"),
    "short:FDI_DISBURSED": ("FDI giải ngân", "FDI disbursed"),
    "short:BUDGET_REV": ("Thu ngân sách (lũy kế)", "Budget revenue (YTD)"),
    "short:PUBINV_DISB": ("Giải ngân đầu tư công", "Public investment disbursed"),
    "short:NEW_ENTERPRISES": ("Doanh nghiệp thành lập mới", "New enterprises"),
    "short:UNEMPLOYMENT": ("Tỷ lệ thất nghiệp", "Unemployment rate"),
    "short:IIP": ("Sản xuất công nghiệp (IIP)", "Industrial production (IIP)"),
    "short:RETAIL_SALES": ("Bán lẻ hàng hóa, dịch vụ", "Retail sales"),
})
