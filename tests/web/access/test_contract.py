"""The callback validator accepts what dash-renderer sends for an allow_duplicate output."""
from __future__ import annotations

from web.access.contract import _outputs_match


def test_allow_duplicate_outputs_match_their_callback() -> None:
    out = "ind-region.value@3f2a9c"
    assert _outputs_match(out, {"id": "ind-region", "property": "value@3f2a9c"})
    assert _outputs_match(out, {"id": "ind-region", "property": "value"})
    assert not _outputs_match(out, {"id": "ind-region", "property": "options@3f2a9c"})
    assert not _outputs_match(out, {"id": "ind-code", "property": "value@3f2a9c"})
