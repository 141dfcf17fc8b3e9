"""Preliminary periods, published dates and simulated marks (figures that can be trusted)."""

TEXTS: dict[str, tuple[str, str]] = {
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
}
