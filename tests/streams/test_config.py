"""Camera configuration: the bundled file, strict validation, no secrets in errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from streams.config import ConfigError, load_cameras, parse_cameras, redact, resolve_source

from .conftest import camera


def test_bundled_file_has_the_32_demo_cameras() -> None:
    cams = load_cameras(None).cameras
    assert len(cams) == 32
    assert cams[0].id == "hoa-binh" and cams[0].dam == "HOA_BINH"
    # Most are RTSP cameras with a main (live) and a sub (grid) stream; a few older ones speak MJPEG.
    two = [c for c in cams if [s.name for s in c.stream_list()] == ["main", "sub"]]
    assert len(two) == 28 and all(c.stream_list()[0].role_list() == ["live"] for c in two)
    assert sum(c.source is not None for c in cams) == 4
    assert all(c.is_simulated for c in cams)


def test_unknown_key_names_key_and_camera() -> None:
    bad = camera("son-la", "rtsp://admin:hunter2@10.0.0.5/stream", colour="red")
    with pytest.raises(ConfigError) as err:
        parse_cameras({"cameras": [camera("hoa-binh", "sim://hoa-binh"), bad]})
    message = str(err.value)
    assert "camera 'son-la'" in message and "'colour'" in message
    assert "hunter2" not in message and "10.0.0.5" not in message


def test_bad_nested_option_and_bad_slug(tmp_path: Path) -> None:
    cam = camera("hoa-binh", "sim://hoa-binh")
    cam["options"]["read_timeout_ms"] = "soon"
    with pytest.raises(ConfigError, match=r"camera 'hoa-binh': key 'options.read_timeout_ms'"):
        parse_cameras({"cameras": [cam]})
    with pytest.raises(ConfigError, match=r"key 'id'"):
        parse_cameras({"cameras": [camera("../etc", "sim://x")]})
    with pytest.raises(ConfigError, match="duplicate camera id"):
        parse_cameras({"cameras": [camera("a", "sim://a"), camera("a", "sim://a")]})
    with pytest.raises(ConfigError, match=r"relay options: key 'mosaic_fsp'"):
        parse_cameras({"relay": {"mosaic_fsp": 3}, "cameras": [camera("a", "sim://a")]})
    with pytest.raises(ConfigError, match=r"mosaic_tile_width"):  # tiles must be whole 16-pixel MCUs
        parse_cameras({"relay": {"mosaic_tile_width": 300}, "cameras": [camera("a", "sim://a")]})
    with pytest.raises(ConfigError, match=r"mosaic_tile_widths must be multiples of 16"):
        parse_cameras({"relay": {"mosaic_tile_widths": [320, 250]}, "cameras": [camera("a", "sim://a")]})
    with pytest.raises(ConfigError, match=r"mosaic_tile_fps must be <= mosaic_fps"):
        parse_cameras({"relay": {"mosaic_fps": 1, "mosaic_tile_fps": 2}, "cameras": [camera("a", "sim://a")]})
    file = tmp_path / "cams.yaml"
    file.write_text("cameras: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_cameras(file)


def test_source_is_secret_and_resolves() -> None:
    cams = parse_cameras({"cameras": [camera("a", "http://u:pw@cam.local/video.mjpg")]})
    assert "pw" not in repr(cams) and "pw" not in cams.model_dump_json()
    assert resolve_source("sim://a", "http://127.0.0.1:9") == "http://127.0.0.1:9/cam/a.mjpg"
    rtsp = "rtsp://127.0.0.1:8"
    assert resolve_source("sim://a?codec=h264", "http://127.0.0.1:9", rtsp) == f"{rtsp}/a/main"
    assert resolve_source("sim://a/sub", "http://127.0.0.1:9", rtsp) == f"{rtsp}/a/sub"
    with pytest.raises(ConfigError):
        resolve_source("sim://a/main", "http://127.0.0.1:9")
    assert redact("open rtsp://u:pw@h/x failed", "") == "open <url> failed"
