"""The briefing's own wording (Vietnamese: the document is printed for Vietnamese meetings)."""
from __future__ import annotations

CENTRE = "Trung tâm Thông tin, Chỉ đạo, Điều hành của Chính phủ"
TITLE = "BẢN TIN PHỤC VỤ HỌP LÃNH ĐẠO"
AS_OF = "Số liệu đến"
MADE_AT = "Lập lúc"
PAGE = "Trang"
SIMULATED = "MÔ PHỎNG"
SIMULATED_NOTE = ("Các số liệu đánh dấu MÔ PHỎNG do bộ mô phỏng sinh ra để minh họa, "
                  "không phải số liệu báo cáo chính thức.")
NO_DATA = "Chưa có số liệu"
NATIONAL = "Cả nước"
CONTENTS = "Nội dung"

OVERVIEW = "Các chỉ tiêu chủ yếu"
COLUMNS = ("Chỉ tiêu", "Giá trị", "Đơn vị", "Kỳ", "So kỳ trước", "So cùng kỳ", "Mục tiêu",
           "Nguồn")

REPORTING = "Tình hình báo cáo định kỳ"
REPORTING_SUMMARY = ("Kỳ tháng gần nhất đã đến hạn: {period}. Đúng hạn {on_time}, muộn {late}, "
                     "chưa gửi {missing} trên tổng số {total} cơ quan, địa phương.")
LATE_TITLE = "Cơ quan, địa phương chưa gửi báo cáo kỳ đã đến hạn"
LATE_NONE = "Tất cả cơ quan, địa phương đã gửi báo cáo kỳ gần nhất."
LATE_COLUMNS = ("Cơ quan, địa phương", "Kỳ báo cáo")

SAVINGS = "Hiệu quả tiết kiệm chi phí của Chính phủ điện tử"
SAVINGS_COLUMNS = ("Chỉ số", "Hệ thống", "Giá trị", "Đơn vị", "Ngày", "Nguồn")
SYSTEMS = {
    "all": "Toàn bộ 4 hệ thống",
    "public_service_portal": "Cổng Dịch vụ công quốc gia",
    "document_axis": "Trục liên thông văn bản quốc gia",
    "e_cabinet": "Hệ thống e-Cabinet",
    "reporting_system": "Hệ thống thông tin báo cáo",
}
METRICS = {
    "savings_total_per_year": ("Tổng tiết kiệm mỗi năm", "tỷ đồng/năm"),
    "savings_per_year": ("Tiết kiệm mỗi năm", "tỷ đồng/năm"),
    "services_integrated": ("Dịch vụ công tích hợp trên Cổng", "dịch vụ"),
    "procedures_total": ("Tổng số thủ tục hành chính", "thủ tục"),
    "dossiers_online": ("Hồ sơ nộp trực tuyến trên Cổng", "hồ sơ"),
    "e_payments": ("Giao dịch thanh toán trực tuyến", "giao dịch"),
    "documents_exchanged": ("Văn bản điện tử qua Trục liên thông (lũy kế)", "văn bản"),
    "ministries_connected": ("Bộ, cơ quan kết nối báo cáo", "cơ quan"),
    "localities_connected": ("Địa phương kết nối báo cáo", "địa phương"),
    "indicators_supplied": ("Chỉ tiêu được cung cấp", "chỉ tiêu"),
}

STATUS = "Tình trạng camera và điểm cầu"
CAMERAS = "Camera thủy điện"
CAMERAS_NA = "Không kết nối được dịch vụ camera (relay) khi lập bản tin."
CAMERAS_OFF = "Hệ thống camera không được bật ở nơi lập bản tin."
CAMERA_SUMMARY = "Hoạt động {live}/{total}; mất tín hiệu {offline}; hình chậm {stale}."
CAMERA_COLUMNS = ("Camera", "Trạng thái", "Khung hình cuối", "Lỗi gần nhất")
CAMERA_STATES = {"LIVE": "Hoạt động", "STALE": "Hình chậm", "OFFLINE": "Mất tín hiệu",
                 "CONNECTING": "Đang kết nối"}
BRIDGE = "Điểm cầu truyền hình"
BRIDGE_NA = "Không đọc được trạng thái điểm cầu khi lập bản tin."
BRIDGE_SUMMARY = "Đang kết nối {connected}; mất kết nối {lost}; chưa từng kết nối {never}."
BRIDGE_COLUMNS = ("Điểm cầu", "Màn hình", "Trạng thái", "Lần cuối")
BRIDGE_STATES = {"connected": "Đang kết nối", "lost": "Mất kết nối", "never": "Chưa kết nối"}

INDICATOR_SERIES = "Diễn biến"
INDICATOR_RANKING = "Xếp hạng 34 tỉnh, thành phố"
INDICATOR_MAP = "Bản đồ"
INDICATOR_NOT_BY_PROVINCE = "Chỉ tiêu này không có số liệu theo tỉnh, thành phố."
BETTER = "tốt hơn"
HOANG_SA = "QĐ. Hoàng Sa\n(Đà Nẵng, Việt Nam)"
TRUONG_SA = "QĐ. Trường Sa\n(Khánh Hòa, Việt Nam)"

TASKS = "Nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao"
TASKS_SUMMARY = ("Từ đầu năm đến nay: giao {assigned} nhiệm vụ; hoàn thành đúng hạn {on_time}, "
                 "hoàn thành quá hạn {late}; chưa hoàn thành trong hạn {in_time}, quá hạn "
                 "{overdue}; không có thời hạn {none}. Tỷ lệ quá hạn trên tổng số nhiệm vụ "
                 "{share_all} ({change_all} so cùng kỳ), trên số nhiệm vụ đã đến hạn {share_due} "
                 "({change_due} so cùng kỳ).")
POINTS = "điểm %"
TASKS_RANKED = "Cơ quan, địa phương có nhiều nhiệm vụ quá hạn nhất"
TASKS_RANKED_COLUMNS = ("Cơ quan chủ trì", "Được giao", "Quá hạn", "Quá hạn / tổng",
                        "Quá hạn / đến hạn")
TASKS_KEY_OVERDUE = "Nhiệm vụ trọng tâm quá hạn"
TASKS_KEY_COLUMNS = ("Cơ quan chủ trì", "Văn bản giao", "Nhiệm vụ số", "Số ngày quá hạn")
TASKS_NONE_OVERDUE = "Không có nhiệm vụ quá hạn."

ALERTS = "Cảnh báo đang mở và người tiếp nhận"
ALERTS_SUMMARY = "Chưa tiếp nhận {open}; đã tiếp nhận, đang xử lý {acknowledged}."
ALERTS_NONE = "Không có cảnh báo đang mở."
ALERTS_MORE = "Còn cảnh báo khác: xem trang Cảnh báo (/alerts)."
ALERT_COLUMNS = ("Mức độ", "Loại", "Nội dung", "Mở lúc", "Người tiếp nhận")
ALERT_UNOWNED = "Chưa có người tiếp nhận"
ESCALATED = "đã báo lên"
SEVERITY = {"critical": "Nghiêm trọng", "warning": "Cảnh báo"}
ALERT_KINDS = {"threshold": "Vượt ngưỡng", "late": "Chậm báo cáo", "camera": "Camera",
               "display": "Điểm cầu", "feed": "Dữ liệu trực tuyến", "task": "Nhiệm vụ quá hạn",
               "dam-level": "Mực nước hồ", "dam-spill": "Xả lũ", "dam-silent": "Hồ mất số liệu"}

