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
    "nav.displays": ("Màn hình", "Displays"),
    "as_of": ("Số liệu đến", "Data as of"),
    "stale_since": ("Mất kết nối từ", "Stale since"),
    "simulated": ("Dữ liệu mô phỏng", "Simulated data"),
    "demo": ("Dữ liệu minh họa", "Demonstration data"),
    "lang.switch": ("English", "Tiếng Việt"),
    "logout": ("Đăng xuất", "Sign out"),
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
    "ov.savings.growth": ("Tăng từ", "Up from"),
    "ov.savings.since_launch": ("Lũy kế từ khi vận hành (ước tính)", "Saved since launch (estimate)"),
    "ov.source": ("Nguồn", "Source"),
    "ov.sys.public_service_portal": ("Cổng Dịch vụ công quốc gia", "National public service portal"),
    "ov.sys.document_axis": ("Trục liên thông văn bản", "National document axis"),
    "ov.sys.e_cabinet": ("Hệ thống e-Cabinet", "e-Cabinet"),
    "ov.sys.reporting_system": ("Hệ thống thông tin báo cáo", "Reporting information system"),
    "ov.coverage": ("Kết nối báo cáo", "Reporting coverage"),
    "ov.cov.ministries": ("Bộ, cơ quan", "Ministries, agencies"),
    "ov.cov.localities": ("Địa phương", "Localities"),
    "ov.cov.indicators": ("Chỉ tiêu cung cấp", "Indicators supplied"),
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
    "q.more": ("hơn", "more than"),  # ui.wording.qualifier: a source's "more than 8,100"
    "q.about": ("khoảng", "about"),
    "q.nearly": ("gần", "nearly"),
    "ov.savings.since": ("từ", "since"),
    "ov.savings.method": ("ước tính theo phương pháp OECD", "estimated by the OECD method"),
    "ov.alerts.cameras_na": ("Camera: chưa kết nối relay", "Cameras: relay not connected"),
    "ov.savings.launched": ("Vận hành từ", "Live since"),
})


# --- indicators page
TEXTS.update({
    "ind.group": ("Nhóm chỉ tiêu", "Indicator group"),
    "ind.indicator": ("Chỉ tiêu", "Indicator"),
    "ind.region": ("Địa bàn", "Region"),
    "ind.from": ("Từ kỳ", "From"),
    "ind.to": ("Đến kỳ", "To"),
    "ind.compare_period": ("Kỳ so sánh", "Comparison period"),
    "ind.compare": ("So sánh 34 tỉnh, thành phố", "The 34 provinces compared"),
    "ind.compare_note": ("{n} tỉnh, thành phố có số liệu. Màu theo mục tiêu/ngưỡng; "
                         "đường chấm: cả nước.",
                         "{n} provinces reported. Colour by target/threshold; dotted line: "
                         "national."),
    "ind.no_provinces": ("Chỉ tiêu này không có số liệu theo tỉnh",
                         "This indicator is not reported by province"),
    "ind.national": ("Cả nước", "National"),
    "ind.csv": ("↓ Tải CSV", "↓ Download CSV"),  # an arrow every shipped font has
    "ind.table": ("Bảng số liệu", "Data table"),
    "ind.value": ("Giá trị", "Value"),
    "ind.revision": ("Lần sửa", "Revision"),
    "ind.revised": ("Số đã điều chỉnh", "Revised value"),
    "ind.revised_note": ("◆ {n} kỳ có số liệu đã điều chỉnh (lần sửa > 1)",
                         "◆ {n} periods revised (revision > 1)"),
    "ind.bucket_note": ("Dữ liệu thời gian thực, cộng dồn mỗi 5 phút",
                        "Real-time feed, summed per 5 minutes"),
    "ind.source": ("Nguồn", "Source"),
    "ind.received": ("Thời điểm nhận", "Received"),
    "ind.unit": ("Đơn vị", "Unit"),
    "ind.owner": ("Cơ quan cung cấp", "Provided by"),
    "ind.src.simulated": ("Mô phỏng", "Simulated"),
    "ind.src.official": ("Chính thức", "Official"),
    "ind.src.submitted": ("Báo cáo gửi lên", "Submitted"),
    "ind.freq.monthly": ("Hàng tháng", "Monthly"),
    "ind.freq.quarterly": ("Hàng quý", "Quarterly"),
    "ind.freq.yearly": ("Hàng năm", "Yearly"),
    "ind.freq.daily": ("Hàng ngày", "Daily"),
    "ind.freq.hourly": ("Hàng giờ", "Hourly"),
    "ind.freq.realtime": ("Thời gian thực", "Real time"),
    "map.hoang_sa": ("QĐ. Hoàng Sa<br>(Đà Nẵng,<br>Việt Nam)",
                     "Hoang Sa Is.<br>(Paracel; Da Nang,<br>Viet Nam)"),
    "map.truong_sa": ("QĐ. Trường Sa<br>(Khánh Hòa,<br>Việt Nam)",
                      "Truong Sa Is.<br>(Spratly; Khanh Hoa,<br>Viet Nam)"),
    "map.better": ("tốt hơn", "better"),
    "map.no_data": ("Chưa có số liệu", "No data"),
})


# --- savings and reporting pages
TEXTS.update({
    "sav.title": ("Hiệu quả tiết kiệm chi phí của Chính phủ điện tử",
                  "Cost savings of the e-government systems"),
    "sav.subtitle": ("Số liệu chính thức đã công bố, kèm nguồn và ngày; ước tính minh bạch theo "
                     "mô hình chi phí chuẩn", "Official published figures with source and "
                     "date; a transparent standard-cost-model estimate"),
    "sav.total": ("Tổng chi phí xã hội tiết kiệm mỗi năm (4 hệ thống)",
                  "Total social cost saved per year (4 systems)"),
    "sav.total_short": ("Tổng 4 hệ thống", "Total, 4 systems"),
    "sav.up_from": ("Tăng từ", "Up from"),
    "sav.million": ("triệu", "million"),
    "sav.vnd": ("đ", "VND"),
    "sav.sys.public_service_portal": ("Cổng Dịch vụ công quốc gia",
                                      "National public service portal"),
    "sav.sys.document_axis": ("Trục liên thông văn bản quốc gia", "National document axis"),
    "sav.sys.e_cabinet": ("Hệ thống e-Cabinet", "e-Cabinet"),
    "sav.sys.reporting_system": ("Hệ thống thông tin báo cáo", "Reporting information system"),
    "sav.sys.all": ("Toàn bộ", "All systems"),
    "sav.by_system": ("Tiết kiệm mỗi năm theo hệ thống (số công bố mới nhất)",
                      "Annual saving by system (latest published figure)"),
    "sav.growth": ("Mức tiết kiệm công bố theo thời gian", "Published savings over time"),
    "sav.adoption": ("Mức độ sử dụng theo thời gian (số liệu có ngày, có nguồn)",
                     "Adoption over time (dated, sourced figures)"),
    "sav.m.services_integrated": ("Dịch vụ công tích hợp trên Cổng",
                                  "Services integrated on the portal"),
    "sav.m.visits": ("Lượt truy cập Cổng", "Portal visits"),
    "sav.m.accounts": ("Tài khoản đăng ký", "Registered accounts"),
    "sav.m.documents_exchanged": ("Văn bản điện tử qua Trục liên thông (lũy kế)",
                                  "E-documents over the axis (cumulative)"),
    "sav.m.dossiers_online": ("Hồ sơ nộp trực tuyến trên Cổng", "Dossiers filed online"),
    "sav.m.dossiers_synced": ("Hồ sơ đồng bộ trạng thái", "Dossiers with synced status"),
    "sav.m.e_payments": ("Giao dịch thanh toán trực tuyến", "Online payments"),
    "sav.m.savings_per_year": ("Tiết kiệm mỗi năm", "Saving per year"),
    "sav.m.savings_total_per_year": ("Tổng tiết kiệm mỗi năm", "Total saving per year"),
    "sav.u.services_integrated": ("dịch vụ", "services"),
    "sav.u.visits": ("lượt", "visits"),
    "sav.u.accounts": ("tài khoản", "accounts"),
    "sav.u.documents_exchanged": ("văn bản", "documents"),
    "sav.u.dossiers_online": ("hồ sơ", "dossiers"),
    "sav.u.e_payments": ("giao dịch", "payments"),
    "sav.est.title": ("Ước tính theo mô hình chi phí chuẩn (SCM)",
                      "Estimate by the standard cost model (SCM)"),
    "sav.est.badge": ("ƯỚC TÍNH", "ESTIMATE"),
    "sav.est.intro": ("Đây là ước tính minh họa, không phải số chính thức. Thay đổi các giả định "
                      "bên trái; kết quả tính lại ngay và được ghi vào địa chỉ trang để chia sẻ.",
                      "An illustrative estimate, not an official figure. Change the assumptions "
                      "on the left; the result is recomputed and kept in the page address for "
                      "sharing."),
    "sav.est.formula_label": ("Công thức", "Formula"),
    "sav.est.formula": ("Tiết kiệm/năm = Số giao dịch/năm × (Số giờ tiết kiệm × Chi phí 1 giờ "
                        "+ Chi phí trực tiếp tiết kiệm: đi lại, giấy tờ, bưu chính)",
                        "Saving/yr = transactions/yr × (hours saved × cost of an hour "
                        "+ direct cost saved: travel, paper, postage)"),
    "sav.est.total": ("Ước tính (2 hệ thống):", "Estimate (2 systems):"),
    "sav.est.scope": ("Mô hình chỉ tính Cổng DVC và Trục liên thông; e-Cabinet và Hệ thống "
                      "báo cáo chỉ có số chính thức.", "The model covers the portal and the "
                      "document axis only; e-Cabinet and the reporting system have official "
                      "figures only."),
    "sav.estimate": ("Ước tính", "Estimate"),
    "sav.official": ("Số chính thức", "Official"),
    "sav.official_total": ("Số chính thức, 4 hệ thống", "Official, 4 systems"),
    "sav.reset": ("Khôi phục giả định mặc định", "Reset assumptions"),
    "sav.g.portal": ("Cổng Dịch vụ công quốc gia", "National public service portal"),
    "sav.g.axis": ("Trục liên thông văn bản", "National document axis"),
    "sav.g.common": ("Chung", "Common"),
    "sav.in.n1": ("Hồ sơ trực tuyến/năm", "Online dossiers a year"),
    "sav.in.h1": ("Giờ tiết kiệm mỗi hồ sơ", "Hours saved per dossier"),
    "sav.in.c1": ("Chi phí đi lại, sao chụp, bưu chính/hồ sơ (đ)",
                  "Travel, copies, postage per dossier (VND)"),
    "sav.in.n2": ("Văn bản điện tử/năm", "E-documents a year"),
    "sav.in.h2": ("Giờ xử lý tiết kiệm mỗi văn bản", "Handling hours saved per document"),
    "sav.in.c2": ("Giấy, in ấn, bưu chính/văn bản (đ)", "Paper, printing, postage per doc (VND)"),
    "sav.in.w": ("Chi phí 1 giờ công (đ)", "Cost of one hour of time (VND)"),
    "sav.sources": ("Số liệu và nguồn", "Figures and sources"),
    "sav.col.metric": ("Số liệu", "Figure"),
    "sav.col.system": ("Hệ thống", "System"),
    "sav.col.date": ("Ngày", "Date"),
    "sav.col.note": ("Ghi chú (nguyên văn nguồn)", "Note (as in the source)"),
    "rep.title": ("Tình hình gửi báo cáo định kỳ", "Periodic reporting compliance"),
    "rep.subtitle": ("{n} cơ quan × {m} tháng gần nhất", "{n} agencies × the last {m} months"),
    "rep.heat": ("Bộ, ngành và địa phương theo kỳ báo cáo tháng",
                 "Agencies by monthly reporting period"),
    "rep.central": ("Bộ, ngành, cơ quan", "Ministries and agencies"),
    "rep.provinces": ("Tỉnh, thành phố", "Provinces"),
    "rep.cell.on_time": ("Đúng hạn", "On time"),
    "rep.cell.late": ("Chậm", "Late"),
    "rep.cell.missing": ("Chưa gửi (quá hạn)", "Missing (overdue)"),
    "rep.cell.pending": ("Chưa đến hạn", "Not yet due"),
    "rep.sum.on_time": ("Đúng hạn · {p}", "On time · {p}"),
    "rep.sum.late": ("Gửi chậm · {p}", "Late · {p}"),
    "rep.sum.late_note": ("nhận sau hạn", "received after the due date"),
    "rep.sum.missing": ("Chưa gửi · {p}", "Missing · {p}"),
    "rep.sum.missing_note": ("quá hạn, chưa nhận", "overdue, not received"),
    "rep.sum.late_now": ("Đang chậm báo cáo", "Late right now"),
    "rep.sum.late_now_note": ("kỳ đến hạn gần nhất chưa gửi", "latest due report missing"),
    "rep.late_now": ("Đang chậm báo cáo", "Late right now"),
    "rep.none_late": ("Không có cơ quan nào chậm báo cáo", "No agency is late"),
    "rep.agency": ("Cơ quan", "Agency"),
    "rep.pick": ("Chọn một cơ quan để xem các lần gửi báo cáo",
                 "Pick an agency to see its submissions"),
    "rep.submissions": ("các lần gửi gần nhất", "recent submissions"),
    "rep.no_submissions": ("Chưa có lần gửi nào", "No submissions yet"),
    "rep.received": ("Nhận lúc", "Received"),
    "rep.due": ("Hạn", "Due"),
    "rep.on_time": ("Đúng hạn", "On time"),
    "rep.status": ("Trạng thái", "Status"),
    "rep.rows": ("Dòng nhận", "Rows accepted"),
    "rep.channel": ("Kênh", "Channel"),
    "rep.st.accepted": ("Đã nhận", "Accepted"),
    "rep.st.partial": ("Nhận một phần", "Partly accepted"),
    "rep.st.rejected": ("Bị từ chối", "Rejected"),
    "rep.st.duplicate": ("Trùng lặp", "Duplicate"),
    "rep.show_rejected": ("Xem lỗi ({n})", "Show errors ({n})"),
    "rep.rejected_title": ("Dòng bị từ chối của {file}: {n}", "Rejected rows of {file}: {n}"),
    "rep.no_rejected": ("Không có dòng nào bị từ chối", "No rejected rows"),
    "rep.row": ("Dòng", "Row"),
    "rep.field": ("Trường", "Field"),
    "rep.reason": ("Lý do", "Reason"),
    "rep.raw": ("Dữ liệu gốc", "Raw data"),
    "rep.whole_file": ("Cả tệp", "Whole file"),
})


# --- camera pages
TEXTS.update({
    "cam.title": ("Camera thủy điện", "Dam cameras"),
    "cam.sites": ("điểm", "sites"),
    "cam.dam": ("Thủy điện", "Dam:"),
    "cam.state.LIVE": ("Trực tuyến", "Live"),
    "cam.state.STALE": ("Chậm tín hiệu", "Stale"),
    "cam.state.OFFLINE": ("Mất tín hiệu", "Offline"),
    "cam.state.CONNECTING": ("Đang kết nối", "Connecting"),
    "cam.state.unknown": ("Không rõ", "Unknown"),
    "cam.since": ("từ", "since"),
    "cam.min": ("phút", "min"),
    "cam.hour": ("giờ", "h"),
    "cam.attention": ("Camera cần chú ý", "Cameras needing attention"),
    "cam.all_ok": ("Tất cả camera đang trực tuyến", "All cameras are live"),
    "cam.map": ("Bản đồ trạng thái", "Dams by status"),
    "cam.relay_na": ("Chưa kết nối được máy chủ camera", "Camera relay unavailable"),
    "cam.disabled": ("Chức năng camera đang tắt", "Cameras are switched off"),
    "cam.none": ("Không có camera nào: chưa cấu hình camera hoặc chưa kết nối dịch vụ relay",
                 "No cameras to show: none are configured, or the relay service is not connected"),
    "cam.unknown": ("Không tìm thấy camera", "Unknown camera"),
    "cam.back": ("← Tất cả camera", "← All cameras"),
    "cam.click_hint": ("Chọn một ô để xem camera và thông tin nhà máy",
                       "Select a tile for the live picture and the dam's facts"),
    "cam.demo_note": ("Điểm camera trình diễn: hình ảnh mô phỏng, không phải hình ảnh thực của công trình.",
                      "Demonstration camera site: simulated picture, not real footage of the dam."),
    "cam.facts": ("Thông tin nhà máy", "The dam"),
    "cam.health": ("Tình trạng tín hiệu", "Signal"),
    "cam.river": ("Sông", "River"),
    "cam.province": ("Tỉnh (trước 01/07/2025)", "Province (before 1 Jul 2025)"),
    "cam.province_2025": ("Tỉnh (từ 01/07/2025)", "Province (from 1 Jul 2025)"),
    "cam.capacity": ("Công suất lắp máy", "Installed capacity"),
    "cam.coords": ("Tọa độ", "Coordinates"),
    "cam.age": ("Độ trễ khung hình", "Frame age"),
    "cam.fps": ("Khung hình/giây", "Frames per second"),
    "cam.last_frame": ("Khung hình cuối lúc", "Last frame at"),
    "cam.reconnects": ("Số lần kết nối lại", "Reconnects"),
    "cam.last_error": ("Lỗi gần nhất", "Last error"),
    "cam.down_short": ("mất tín hiệu", "down"),
    "cam.means.LIVE": ("có khung hình mới liên tục", "new frames arriving"),
    "cam.means.STALE": ("khung hình chậm hoặc hình đứng yên", "frames late, or the picture frozen"),
    "cam.means.OFFLINE": ("mất kết nối, đang tự kết nối lại", "no connection; reconnecting"),
})


# --- server-rendered pages: sign-in, refusals and errors, the admin console
TEXTS.update({
    "lang.name": ("Tiếng Việt", "English"),
    "login.title": ("Đăng nhập", "Sign in"),
    "login.user": ("Tên đăng nhập", "User name"),
    "login.password": ("Mật khẩu", "Password"),
    "login.expired": ("Phiên làm việc đã hết hạn", "Your session expired"),
    "login.form_expired": ("Biểu mẫu đã hết hạn, hãy thử lại", "The form expired, try again"),
    "login.unavailable": ("Hệ thống tạm thời không đăng nhập được, hãy thử lại sau",
                          "Sign-in is unavailable, try again shortly"),
    "login.throttled": ("Quá nhiều lần đăng nhập sai, hãy thử lại sau 15 phút",
                        "Too many failed sign-ins, try again in 15 minutes"),
    "login.wrong": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong user name or password"),
    "logout.title": ("Đăng xuất", "Sign out"),
    # Refusals: the English text is also the JSON `error` API clients read.
    "deny.not_found": ("Không tìm thấy", "not found"),
    "deny.login_required": ("Cần đăng nhập", "authentication required"),
    "deny.db_down_token": ("Cơ sở dữ liệu không truy cập được: chưa kiểm tra được token",
                           "database unavailable: cannot check the token"),
    "deny.agency_submit_only": ("Token của cơ quan chỉ dùng để gửi số liệu",
                                "agency tokens may only submit data"),
    "deny.admin_only": ("Chỉ quản trị viên được vào trang này", "administrators only"),
    "deny.read_only": ("Tài khoản chỉ được xem", "read-only account"),
    "deny.submit_role": ("Gửi số liệu cần tài khoản nghiệp vụ hoặc quản trị",
                         "submissions need a staff or admin account"),
    "deny.cross_origin": ("Yêu cầu từ trang khác bị từ chối", "cross-origin request refused"),
    "deny.csrf": ("Thiếu hoặc sai mã CSRF", "missing or wrong CSRF token"),
    "deny.display_revoked": ("Token màn hình đã bị thu hồi", "display token revoked"),
    "deny.unknown_token": ("Thiếu token hoặc token không hợp lệ",
                           "missing or unknown bearer token"),
    "deny.token_revoked": ("Token đã bị thu hồi", "token revoked"),
    "deny.display_link": ("Liên kết màn hình không hợp lệ hoặc đã bị thu hồi",
                          "Unknown or revoked display link"),
    "err.400": ("Yêu cầu không hợp lệ", "Bad request"),
    "err.401": ("Cần đăng nhập", "Sign-in required"),
    "err.403": ("Không có quyền truy cập", "Access refused"),
    "err.404": ("Không tìm thấy trang", "Not found"),
    "err.404.msg": ("Địa chỉ này không có trên hệ thống.", "There is no page at this address."),
    "err.405": ("Phương thức không được phép", "Method not allowed"),
    "err.413": ("Dữ liệu gửi lên quá lớn", "Upload too large"),
    "err.429": ("Quá nhiều yêu cầu", "Too many requests"),
    "err.500": ("Lỗi hệ thống", "Internal error"),
    "err.500.msg": ("Đã ghi nhận lỗi.", "The error was logged."),
    "err.503": ("Hệ thống tạm thời không phục vụ được", "Service unavailable"),
    "err.back": ("Về trang tổng quan", "Back to overview"),
    "revoked.title": ("Liên kết màn hình đã bị thu hồi", "This display link has been revoked"),
    "revoked.ask": ("Liên hệ Trung tâm để nhận liên kết mới", "Ask the centre for a new link"),
    "admin.title": ("Quản trị", "Administration"),
    "admin.nav.console": ("Tài khoản & token", "Accounts & tokens"),
    "admin.nav.audit": ("Nhật ký", "Audit log"),
    "admin.nav.displays": ("Màn hình", "Displays"),
    "admin.nav.overview": ("← Tổng quan", "← Overview"),
    "admin.once": ("Chỉ hiện một lần: hãy lưu ngay.", "Shown once: store it now."),
    "admin.accounts": ("Tài khoản", "Accounts"),
    "admin.col.name": ("Tên", "Name"),
    "admin.col.role": ("Vai trò", "Role"),
    "admin.col.created": ("Tạo", "Created"),
    "admin.col.last_login": ("Đăng nhập cuối", "Last login"),
    "admin.col.status": ("Trạng thái", "Status"),
    "admin.col.agency": ("Cơ quan", "Agency"),
    "admin.col.last_used": ("Dùng lần cuối", "Last used"),
    "admin.you": ("bạn", "you"),
    "admin.active": ("hoạt động", "active"),
    "admin.disabled": ("đã khóa", "disabled"),
    "admin.set_role": ("Đổi vai trò", "Set role"),
    "admin.reset": ("Đặt lại mật khẩu", "Reset password"),
    "admin.enable": ("Mở lại", "Enable"),
    "admin.disable": ("Khóa", "Disable"),
    "admin.add_user": ("Thêm tài khoản", "Add account"),
    "admin.add_user.note": ("Mật khẩu được tạo và hiện một lần",
                            "A password is generated and shown once"),
    "admin.tokens": ("Token API của cơ quan", "Agency API tokens"),
    "admin.token.valid": ("hiệu lực", "active"),
    "admin.token.revoked": ("thu hồi", "revoked"),
    "admin.revoke": ("Thu hồi", "Revoke"),
    "admin.add_token": ("Tạo token", "Create token"),
    "admin.displays": ("Màn hình", "Displays"),
    "admin.displays.link": ("Màn hình, điểm cầu và danh sách phát →",
                            "Displays, bridge points and playlists →"),
    "admin.done.add": ("Đã thêm {name} ({role}); mật khẩu:", "Added {name} ({role}); password:"),
    "admin.done.role": ("{name}: vai trò mới {role}", "{name}: new role {role}"),
    "admin.done.disable": ("Đã khóa {name}", "Disabled {name}"),
    "admin.done.enable": ("Đã mở lại {name}", "Enabled {name}"),
    "admin.done.reset": ("Mật khẩu mới của {name}:", "New password of {name}:"),
    "admin.done.token": ("Token mới cho {agency}:", "New token for {agency}:"),
    "admin.done.revoke": ("Đã thu hồi token {id}", "Revoked token {id}"),
    "audit.title": ("Nhật ký kiểm toán", "Audit log"),
    "audit.actor": ("Người thực hiện", "Actor"),
    "audit.action": ("Hành động", "Action"),
    "audit.from": ("Từ ngày", "From"),
    "audit.to": ("Đến ngày", "To"),
    "audit.filter": ("Lọc", "Filter"),
    "audit.time": ("Thời điểm (giờ Việt Nam)", "Time (ICT)"),
    "audit.kind": ("Loại", "Kind"),
    "audit.detail": ("Chi tiết", "Detail"),
    "audit.address": ("Địa chỉ", "Address"),
    "audit.newer": ("← Mới hơn", "← Newer"),
    "audit.older": ("Cũ hơn →", "Older →"),
    "audit.page": ("Trang {page}/{pages} · {total} sự kiện", "Page {page}/{pages} · {total} events"),
})


# --- figures that can be trusted: preliminary periods ---------------------------------------
TEXTS.update({
    "prelim": ("sơ bộ", "preliminary"),
    "prelim.badge": ("SƠ BỘ", "PRELIMINARY"),
    "prelim.open": ("Kỳ chưa kết thúc: số liệu sơ bộ, có thể còn điều chỉnh",
                    "The period has not ended: a preliminary figure that may be revised"),
    "prelim.thin": ("Số liệu sơ bộ: mới {n}/{total} tỉnh, thành phố báo cáo. ",
                    "Preliminary: only {n} of {total} provinces reported. "),
    "prelim.points": ("Sơ bộ (kỳ chưa kết thúc)", "Preliminary (period not ended)"),
    "csv.received": ("Thời điểm nhận (giờ Việt Nam, UTC+7)", "Received (Viet Nam time, UTC+7)"),
    "rep.sim.page": ("DỮ LIỆU MÔ PHỎNG", "SIMULATED DATA"),
    "rep.sim.page_title": ("{n} ô của bảng là dữ liệu mô phỏng: do bộ mô phỏng tạo, không phải "
                           "cơ quan gửi", "{n} cells of the table are simulated: made by the "
                           "simulator, not sent by an agency"),
    "rep.sim.legend": ("Gạch chéo: mô phỏng", "Hatched: simulated"),
    "rep.sim.cell": ("dữ liệu mô phỏng", "simulated data"),
    "pub.published": ("số liệu công bố {month}", "figures published {month}"),
    "pub.estimate_basis": ("ước tính từ số liệu công bố {month}",
                           "estimate from figures published {month}"),
    "pub.estimate_note": ("Mức tiết kiệm/năm công bố của từng hệ thống × thời gian kể từ ngày "
                          "vận hành, làm tròn đến chục tỷ đồng; không phải số đo.",
                          "Each system's published annual saving × time since its launch, "
                          "rounded to tens of billions of VND; not a measurement."),
})
