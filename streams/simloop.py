"""Short H.264/H.265 loops for the simulated cameras, encoded once with PyAV and cached on disk."""
from __future__ import annotations

import hashlib
import logging
import os
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ._cv import cv2
from .lettering import draw_text
from .scene import CLOCK_ROWS, CLOCK_TOP, WATER_ROWS, WATER_TOP, DamScene

log = logging.getLogger(__name__)
# The stream's name on its picture, in the wall's language (the label stays MAIN/SUB in files).
STREAM_WORDS = {"MAIN": "Luồng chính", "SUB": "Luồng phụ"}
CACHE_VERSION = 3  # bump when the picture or the file layout changes: old loops are then ignored
MAGIC = b"OPSLOOP1"


@dataclass(frozen=True)
class LoopSpec:
    """What to encode: one camera stream's loop (one group of pictures, starting with a keyframe)."""

    cam_id: str
    name: str
    label: str  # "MAIN" / "SUB": drawn on the picture so a viewer can tell the streams apart
    width: int
    height: int
    fps: int
    seconds: float  # loop length
    codec: str = "h264"  # or "hevc"
    gop: int = 0  # frames between keyframes; 0: the whole loop is one group of pictures

    @property
    def frames(self) -> int:
        return max(1, round(self.fps * self.seconds))

    @property
    def gop_frames(self) -> int:
        return self.gop or self.frames

    def key(self) -> str:
        text = f"{CACHE_VERSION}|{self.cam_id}|{self.name}|{self.label}|{self.width}x{self.height}|" \
               f"{self.fps}|{self.frames}|{self.codec}|{self.gop_frames}"
        return hashlib.sha1(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Loop:
    """An encoded loop: per frame its NAL units (no start codes), and the parameter sets."""

    spec: LoopSpec
    frames: list[list[bytes]]
    keyframes: list[bool]
    params: list[bytes]  # H.264: [SPS, PPS]; H.265: [VPS, SPS, PPS]


def nal_type(nal: bytes, codec: str) -> int:
    return (nal[0] >> 1) & 0x3F if codec == "hevc" else nal[0] & 0x1F


PARAM_TYPES = {"h264": (7, 8), "hevc": (32, 33, 34)}
DROP_TYPES = {"h264": (6, 9), "hevc": (35, 39, 40)}  # encoder's own SEI and access unit delimiters


def split_annexb(data: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream (00 00 01 / 00 00 00 01 start codes)."""
    out: list[bytes] = []
    start = -1
    i, n = 0, len(data)
    while i + 2 < n:
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            if start >= 0:
                out.append(data[start:i].rstrip(b"\x00") if i - start > 0 else b"")
            i += 3
            start = i
            continue
        i += 1
    if start >= 0:
        out.append(data[start:])
    return [nal for nal in out if nal]


def _pictures(spec: LoopSpec) -> list[np.ndarray]:
    """The loop's pictures: the dam scene scaled to the stream size, a sweeping bar for motion."""
    scene = DamScene(spec.cam_id, spec.name, 640, 360)
    size = (spec.width, spec.height)
    scale = spec.height / 360
    background = scene.background.copy()
    background[CLOCK_TOP : CLOCK_TOP + CLOCK_ROWS] = 20  # a looped clock would lie: the band stays blank
    big = cv2.resize(background, size, interpolation=cv2.INTER_LINEAR)  # scaled once, not per frame
    top, bottom = round(WATER_TOP * scale), round((WATER_TOP + WATER_ROWS) * scale)
    water = [cv2.resize(band, (spec.width, bottom - top)) for band in scene._water]
    text = f"{STREAM_WORDS.get(spec.label, spec.label)} {spec.width}x{spec.height} · {spec.fps} hình/giây · " \
           f"{spec.codec.upper()}"
    draw_text(big, text, int(12 * scale), int(344 * scale), max(8, int(18 * scale)))  # static: drawn once
    bar = max(2, spec.width // 64)
    pictures = []
    for index in range(spec.frames):
        img = big.copy()
        img[top:bottom] = water[index % len(water)]
        x = int(index / spec.frames * spec.width)
        img[int(300 * scale) : int(316 * scale), x : x + bar] = (0, 220, 255)
        pictures.append(cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420))  # planar 4:2:0, what the encoder takes
    return pictures


def encode(spec: LoopSpec) -> Loop:
    """Encode the loop with PyAV's bundled libx264/libx265 (no ffmpeg binary): one GOP, no B-frames."""
    import av

    name = "libx265" if spec.codec == "hevc" else "libx264"
    ctx = av.CodecContext.create(name, "w")
    ctx.width, ctx.height, ctx.pix_fmt = spec.width, spec.height, "yuv420p"
    ctx.time_base = Fraction(1, spec.fps)
    ctx.framerate = Fraction(spec.fps, 1)
    ctx.gop_size = spec.gop_frames
    ctx.max_b_frames = 0
    if spec.codec == "hevc":
        ctx.options = {"preset": "ultrafast", "x265-params": f"keyint={spec.gop_frames}:min-keyint="
                       f"{spec.gop_frames}:bframes=0:scenecut=0:repeat-headers=1:log-level=error", "crf": "28"}
    else:
        ctx.options = {"preset": "superfast", "profile": "main", "tune": "zerolatency", "crf": "26",
                       "x264-params": f"keyint={spec.gop_frames}:min-keyint={spec.gop_frames}:scenecut=0:"
                       "bframes=0:repeat-headers=1"}
    ctx.thread_count = 1
    packets = []
    for index, img in enumerate(_pictures(spec)):
        frame = av.VideoFrame.from_ndarray(img, format="yuv420p")
        frame.pts = index
        packets.extend(ctx.encode(frame))
    packets.extend(ctx.encode(None))
    frames: list[list[bytes]] = []
    keys: list[bool] = []
    params: dict[int, bytes] = {}
    for packet in packets:
        nals = split_annexb(bytes(packet))
        for nal in nals:
            if nal_type(nal, spec.codec) in PARAM_TYPES[spec.codec]:
                params.setdefault(nal_type(nal, spec.codec), nal)
        frames.append([n for n in nals if nal_type(n, spec.codec) not in DROP_TYPES[spec.codec]])
        keys.append(bool(packet.is_keyframe))
    if not keys or not keys[0] or len(params) != len(PARAM_TYPES[spec.codec]):
        raise RuntimeError(f"encoder gave no keyframe/parameter sets for {spec.cam_id}")
    return Loop(spec, frames, keys, [params[t] for t in PARAM_TYPES[spec.codec]])


def _write(path: Path, loop: Loop) -> None:
    chunks = [MAGIC, struct.pack(">II", len(loop.frames), len(loop.params))]
    chunks += [struct.pack(">I", len(p)) + p for p in loop.params]
    for key, nals in zip(loop.keyframes, loop.frames, strict=True):
        chunks.append(struct.pack(">?I", key, len(nals)))
        chunks += [struct.pack(">I", len(n)) + n for n in nals]
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(b"".join(chunks))
    tmp.replace(path)  # atomic: two processes encoding the same loop both end with a whole file


def _read(path: Path, spec: LoopSpec) -> Loop:
    data = memoryview(path.read_bytes())
    if bytes(data[:8]) != MAGIC:
        raise ValueError("not a loop file")
    pos = 8

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def blob() -> bytes:
        nonlocal pos
        (length,) = take(">I")
        pos += length
        if pos > len(data):
            raise ValueError("truncated loop file")
        return bytes(data[pos - length : pos])

    count, nparams = take(">II")
    params = [blob() for _ in range(nparams)]
    frames, keys = [], []
    for _ in range(count):
        key, nnals = take(">?I")
        keys.append(key)
        frames.append([blob() for _ in range(nnals)])
    return Loop(spec, frames, keys, params)


def load(spec: LoopSpec, cache_dir: Path | None) -> Loop:
    """The loop from the cache, encoding (and caching) it the first time."""
    path = cache_dir / f"{spec.cam_id}-{spec.label.lower()}-{spec.key()}.loop" if cache_dir else None
    if path is not None and path.exists():
        try:
            return _read(path, spec)
        except (OSError, ValueError, struct.error):
            log.warning("simulator: re-encoding unreadable loop %s", path.name)
    loop = encode(spec)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, loop)
        except OSError as exc:
            log.warning("simulator: cannot cache loop %s: %s", path.name, exc)
    return loop
