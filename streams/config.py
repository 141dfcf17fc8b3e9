"""Typed, strict camera configuration (one model per section); source URLs stay secret."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_IDS = frozenset({"mosaic", "status"})
BUNDLED_CAMERAS = Path(__file__).with_name("cameras.yaml")


class ConfigError(ValueError):
    """A camera file that cannot be used; the message names the key and camera, never a URL."""


Reader = Literal["auto", "mjpeg", "packets", "ffmpeg"]
Role = Literal["live", "grid"]
DEFAULT_ROLES: dict[str, list[Role]] = {"main": ["live"], "sub": ["grid"]}


class CameraOptions(BaseModel):
    """Per-camera reader options."""

    model_config = ConfigDict(extra="forbid")

    reader: Reader = Field(
        "auto",
        description="How to read the source: 'mjpeg' passes JPEG parts through; 'packets' demuxes H.264/H.265 "
        "with PyAV without decoding (remuxed for the live view; keyframes decoded for the grid); 'ffmpeg' "
        "decodes every frame with cv2.VideoCapture(CAP_FFMPEG); 'auto' picks mjpeg for http(s) URLs ending "
        ".mjpg/.mjpeg, packets for rtsp://, ffmpeg otherwise.",
    )
    open_timeout_ms: int = Field(3000, ge=100, le=60000, description="Connect/open timeout (CAP_PROP_OPEN_TIMEOUT_MSEC).")
    read_timeout_ms: int = Field(3000, ge=100, le=60000, description="Timeout for one frame read (CAP_PROP_READ_TIMEOUT_MSEC).")
    max_fps: float = Field(0.0, ge=0.0, le=60.0, description="Drop frames above this rate; 0 keeps every frame.")


class RelayOptions(BaseModel):
    """Relay-wide behaviour: health thresholds, backoff, encoding and the mosaic."""

    model_config = ConfigDict(extra="forbid")

    stale_after_s: float = Field(3.0, gt=0, description="LIVE becomes STALE when no new frame arrived for this long.")
    offline_after_s: float = Field(10.0, gt=0, description="A connected camera with no frame for this long is OFFLINE.")
    frozen_after_s: float = Field(5.0, gt=0, description="An unchanged picture for this long counts as STALE (frozen).")
    backoff_base_s: float = Field(1.0, gt=0, description="First reconnect delay; doubles after each failed attempt.")
    # A camera back after a long outage waits out one reconnect delay before its alert can
    # clear: with the evaluator's 5 s, the wall's 2 s window and its 3 s poll, 4 s keeps the
    # issue's "resolved within 15 s of recovery" (30 s made it up to ~40 s). A refused or
    # timed-out attempt every 4 s costs a dead camera nothing worth saving.
    backoff_max_s: float = Field(4.0, gt=0, description="Upper bound of the reconnect delay.")
    jpeg_quality: int = Field(75, ge=20, le=95, description="JPEG quality for decoded sources and renditions.")
    rendition_widths: list[int] = Field(
        [160, 320, 480, 640, 960, 1280],
        description="Allowed ?w= widths; a request is snapped to the smallest allowed width >= w so the "
        "rendition cache stays bounded.",
    )
    mosaic_columns: int = Field(8, ge=1, le=16, description="Tiles per mosaic row.")
    mosaic_tile_width: int = Field(320, ge=64, le=960, multiple_of=16,
                                   description="Width of one mosaic tile in pixels, a multiple of 16 (tiles are "
                                   "about 16:9, rounded to whole 16-pixel rows).")
    mosaic_tile_widths: list[int] = Field(
        [160, 240, 320, 480],
        description="Tile widths a viewer may ask for with mosaic.mjpg?w=<picture width>: the request is "
        "snapped to the smallest mosaic at least that wide (8 columns: 1280, 1920, 2560, 3840 px).",
    )
    mosaic_fps: float = Field(
        5.0, gt=0, le=15,
        description="Mosaic pictures per second, each built once for all viewers. Bytes sent and built grow "
        "with it; 5 makes a wall of 32 cameras visibly move from across the room (the focus view is the "
        "full-rate stream).",
    )
    mosaic_tile_fps: float = Field(
        5.0, gt=0, le=15,
        description="How often each tile's picture is refreshed. Below mosaic_fps, tiles take turns: every "
        "picture carries some fresh tiles while each camera is converted only this often. Above the grid "
        "stream's keyframe rate, the grid stream is decoded whole (every picture) while a mosaic is "
        "watched, and only keyframes otherwise. A state change (camera down or back) shows on the next "
        "picture whatever the turn.",
    )
    mjpeg_fps: float = Field(
        10.0, ge=0, le=60,
        description="Pictures per second taken from an H.264 stream for MJPEG viewers (the fallback player and "
        "single-camera grids). Every picture is still decoded (later ones depend on it), but only these are "
        "converted and encoded as JPEG; the focus view plays the camera's own H.264 at full rate. 0: every picture.",
    )
    max_viewers: int = Field(500, ge=1, description="Concurrent MJPEG viewers across the relay; more get 503.")

    @model_validator(mode="after")
    def _ordered(self) -> RelayOptions:
        if self.offline_after_s < self.stale_after_s:
            raise ValueError("offline_after_s must be >= stale_after_s")
        if any(w % 16 or not 64 <= w <= 960 for w in self.mosaic_tile_widths) or not self.mosaic_tile_widths:
            raise ValueError("mosaic_tile_widths must be multiples of 16 between 64 and 960")
        if "mosaic_tile_fps" not in self.model_fields_set:  # unset: as fast as the mosaic, up to 5
            self.mosaic_tile_fps = min(self.mosaic_tile_fps, self.mosaic_fps)
        if self.mosaic_tile_fps > self.mosaic_fps:
            raise ValueError("mosaic_tile_fps must be <= mosaic_fps")
        if self.backoff_max_s < self.backoff_base_s:
            raise ValueError("backoff_max_s must be >= backoff_base_s")
        return self


class StreamConfig(BaseModel):
    """One stream of a camera, with the roles it serves (as NVRs assign them)."""

    model_config = ConfigDict(extra="forbid")

    name: Literal["main", "sub"] = Field(
        description="'main': the camera's full-resolution stream (e.g. 1080p25 H.264); 'sub': its "
        "low-resolution stream (e.g. 640x360).",
    )
    source: SecretStr = Field(
        description="rtsp://user:pass@host/..., an http(s) MJPEG URL, or sim://<id>/main|sub[?codec=hevc] for "
        "the simulator. May hold credentials: never logged or returned.",
    )
    roles: list[Role] | None = Field(
        None,
        description="'live': the focus view (the camera's own H.264 remuxed to fragmented MP4; MJPEG when the "
        "codec cannot be remuxed for browsers). 'grid': the mosaic, snapshots, the overview strip and the MJPEG "
        "fallback (decoded). Default: main=[live], sub=[grid]; a camera without a grid stream decodes only "
        "the keyframes of its live stream for the grid.",
    )
    reader: Reader | None = Field(None, description="Overrides the camera's options.reader for this stream.")

    def role_list(self) -> list[Role]:
        return list(self.roles) if self.roles is not None else list(DEFAULT_ROLES[self.name])


class CameraConfig(BaseModel):
    """One dam camera: identity shown to users plus a secret source URL."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="URL slug, e.g. 'hoa-binh'; the only handle the browser ever sees.")
    dam: str = Field(description="Dam id from data/reference/dams.csv, e.g. 'HOA_BINH'.")
    name: str = Field(description="Display name of the dam.")
    river: str = Field("", description="River the dam is on.")
    province: str = Field("", description="Province (pre-2025 names, as in dams.csv).")
    capacity_mw: float = Field(0.0, ge=0, description="Installed capacity in MW.")
    lat: float = Field(ge=-90, le=90, description="Latitude in degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees.")
    source: SecretStr | None = Field(
        None,
        description="Shorthand for a camera with one stream (both roles): http(s) MJPEG, rtsp://, or sim://<id> "
        "(simulated MJPEG) / sim://<id>?codec=h264 (simulated RTSP). Give either this or `streams`. May hold "
        "credentials: never logged or returned.",
    )
    streams: list[StreamConfig] = Field(
        default_factory=list, description="The camera's streams (main, optional sub), each with its roles.",
    )
    options: CameraOptions = Field(default_factory=CameraOptions, description="Reader options for this camera.")

    @model_validator(mode="after")
    def _one_form(self) -> CameraConfig:
        if (self.source is None) == (not self.streams):
            raise ValueError("give either 'source' or 'streams'")
        names = [s.name for s in self.streams]
        if len(set(names)) != len(names):
            raise ValueError("stream names must be unique")
        if self.streams and "main" not in names:
            raise ValueError("a camera needs a 'main' stream")
        roles = [r for s in self.streams for r in s.role_list()]
        if self.streams and (roles.count("live") != 1 or roles.count("grid") > 1):
            raise ValueError("exactly one stream has the 'live' role and at most one the 'grid' role")
        return self

    def stream_list(self) -> list[StreamConfig]:
        """The streams, the one-source shorthand expanded to a main stream with both roles."""
        if self.source is not None:
            return [StreamConfig(name="main", source=self.source, roles=["live", "grid"])]
        if not any("grid" in s.role_list() for s in self.streams):  # no sub: the live stream's keyframes
            return [s.model_copy(update={"roles": [*s.role_list(), "grid"]}) if "live" in s.role_list() else s
                    for s in self.streams]
        return list(self.streams)

    def source_urls(self) -> list[str]:
        return [s.source.get_secret_value() for s in self.stream_list()]

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError("must be a lowercase slug (a-z, 0-9, '-')")
        if value in RESERVED_IDS:
            raise ValueError(f"'{value}' is reserved")
        return value

    def source_url(self, sim_base: str | None = None, sim_rtsp: str | None = None) -> str:
        """The live stream's real URL; sim:// URLs resolve against the running simulator."""
        live = next(s for s in self.stream_list() if "live" in s.role_list())
        return resolve_source(live.source.get_secret_value(), sim_base, sim_rtsp)

    @property
    def live_is_mjpeg(self) -> bool:
        """The live stream is MJPEG by its URL (http(s), or the simulator's MJPEG cameras): the focus
        view opens MJPEG at once instead of asking the relay for fMP4 it cannot have."""
        url = next(s for s in self.stream_list() if "live" in s.role_list()).source.get_secret_value()
        if url.startswith(("http://", "https://")):
            return True
        if url.startswith("sim://"):
            parts = urlsplit(url)
            return not (parts.path.strip("/") in ("main", "sub") or "codec=" in parts.query)
        return False

    @property
    def is_simulated(self) -> bool:
        return any(url.startswith("sim://") for url in self.source_urls())


class SimulatorOptions(BaseModel):
    """The simulated RTSP cameras' streams (sim://<id>/main and /sub)."""

    model_config = ConfigDict(extra="forbid")

    main_width: int = Field(1920, ge=64, le=3840, multiple_of=2, description="Main stream width in pixels.")
    main_height: int = Field(1080, ge=64, le=2160, multiple_of=2, description="Main stream height in pixels.")
    main_fps: int = Field(25, ge=1, le=60, description="Main stream frames per second.")
    keyframe_s: float = Field(2.0, gt=0, le=10, description="Main stream keyframe interval in seconds (and the "
                              "length of the encoded loop).")
    sub_width: int = Field(640, ge=64, le=1920, multiple_of=2, description="Sub stream width in pixels.")
    sub_height: int = Field(360, ge=64, le=1080, multiple_of=2, description="Sub stream height in pixels.")
    sub_fps: int = Field(10, ge=1, le=30, description="Sub stream frames per second.")
    sub_keyframe_s: float = Field(1.0, gt=0, le=10, description="Sub stream keyframe interval in seconds: the "
                                  "grid decodes only keyframes, so this is how often a mosaic tile can change.")


class CameraSet(BaseModel):
    """The whole cameras file: relay options, the simulator's streams and the camera list."""

    model_config = ConfigDict(extra="forbid")

    relay: RelayOptions = Field(default_factory=RelayOptions, description="Relay-wide options.")
    simulator: SimulatorOptions = Field(default_factory=SimulatorOptions,
                                        description="Sizes and rates of the simulated RTSP cameras.")
    cameras: list[CameraConfig] = Field(description="The cameras, in display order.")

    @model_validator(mode="after")
    def _unique(self) -> CameraSet:
        seen: set[str] = set()
        for cam in self.cameras:
            if cam.id in seen:
                raise ValueError(f"duplicate camera id '{cam.id}'")
            seen.add(cam.id)
        return self

    def by_id(self) -> dict[str, CameraConfig]:
        return {cam.id: cam for cam in self.cameras}


def resolve_source(url: str, sim_base: str | None, sim_rtsp: str | None = None) -> str:
    """Map sim://<id> (MJPEG), sim://<id>/main|sub, sim://<id>?codec=h264 (RTSP) and sim://bad/<kind>
    onto the loopback simulator."""
    if not url.startswith("sim://"):
        return url
    if not sim_base:
        raise ConfigError("a sim:// camera needs the simulator (settings.simulate)")
    parts = urlsplit(url)
    name = (parts.netloc + parts.path).strip("/")
    if name.startswith("bad/"):
        return f"{sim_base}/{name}"
    codec = parse_qs(parts.query).get("codec", [""])[0]
    stream = parts.path.strip("/")
    if stream in ("main", "sub") or codec:
        if not sim_rtsp:
            raise ConfigError("a simulated RTSP camera needs the simulator's RTSP server")
        return f"{sim_rtsp}/{parts.netloc}/{stream or 'main'}"
    return f"{sim_base}/cam/{name}.mjpg"


_URL_RE = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def redact(text: str, *secrets: str) -> str:
    """Remove known secrets and anything URL-shaped from a message meant for logs or status."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<source>")
    return _URL_RE.sub("<url>", text)


def _describe(err: dict, raw: object) -> str:
    """'camera 'hoa-binh': key 'options.foo': extra inputs are not permitted' — no input values."""
    loc = list(err.get("loc", ()))
    where = "relay options" if loc[:1] == ["relay"] else "file"
    if loc[:1] == ["cameras"] and len(loc) >= 2 and isinstance(loc[1], int):
        index = loc[1]
        cams = raw.get("cameras") if isinstance(raw, dict) else None
        cam_id = None
        if isinstance(cams, list) and index < len(cams) and isinstance(cams[index], dict):
            cam_id = cams[index].get("id")
        where = f"camera '{cam_id}'" if isinstance(cam_id, str) else f"camera #{index + 1}"
        loc = loc[2:]
    elif loc[:1] == ["relay"]:
        loc = loc[1:]
    key = ".".join(str(p) for p in loc) or "(camera)"
    return f"{where}: key '{key}': {err.get('msg', 'invalid')}"


def parse_cameras(raw: object, origin: str = "cameras file") -> CameraSet:
    """Validate an already-loaded mapping; errors name the key and camera id."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: expected a mapping with 'cameras'")
    try:
        return CameraSet.model_validate(raw)
    except ValidationError as exc:
        # include_input=False: a bad 'source' value must not leak into the message.
        lines = [_describe(err, raw) for err in exc.errors(include_input=False, include_url=False)]
        raise ConfigError(f"{origin}: " + "; ".join(lines)) from None


def load_cameras(path: str | Path | None = None) -> CameraSet:
    """Read and validate a cameras YAML file (the bundled one when path is empty)."""
    file = Path(path) if path else BUNDLED_CAMERAS
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{file.name}: cannot read: {type(exc).__name__}") from None
    return parse_cameras(raw, file.name)
