"""Fan-out: shared JPEG bytes per frame, renditions encoded once, the mosaic, offline placeholders."""
from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._cv import cv2
from .capture import CameraReader, Frame, State
from .config import RelayOptions
from .scene import ascii_label

BOUNDARY = "opsframe"
STATE_COLOURS = {  # BGR; high contrast for a wall seen from 5 m
    State.LIVE: (60, 180, 60), State.STALE: (0, 170, 255), State.OFFLINE: (40, 40, 220),
    State.CONNECTING: (200, 160, 60),
}


def mjpeg_part(jpeg: bytes, ts: float | None = None) -> bytes:
    # X-Timestamp (frame arrival at the relay, epoch seconds) lets clients and the bench measure age.
    stamp = f"X-Timestamp: {ts:.3f}\r\n" if ts else ""
    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n{stamp}\r\n".encode()
    return head + jpeg + b"\r\n"


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encode failed")
    return buf.tobytes()


def decode_for_width(frame: Frame, width: int) -> np.ndarray:
    """Pixels of a frame at (about) `width`: JPEG DCT scaling makes 1/2, 1/4, 1/8 almost free."""
    if frame.image is not None:
        image = frame.image
    else:
        assert frame.jpeg is not None
        flag = cv2.IMREAD_COLOR
        for factor, reduced in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
                                (2, cv2.IMREAD_REDUCED_COLOR_2)):
            if frame.width and frame.width // factor >= width:
                flag = reduced
                break
        image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), flag)
        if image is None:
            raise ValueError("undecodable JPEG")
    if image.shape[1] != width:
        height = max(2, round(image.shape[0] * width / image.shape[1]))
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return image


@dataclass
class _Cached:
    seq: int
    jpeg: bytes


class Renditions:
    """Per (camera, width, quality): the bytes for the current frame, encoded by the first asker only."""

    def __init__(self, options: RelayOptions) -> None:
        self.options = options
        self.widths = sorted(options.rendition_widths)
        self._cache: dict[tuple[str, int, int], _Cached] = {}
        self._locks: dict[tuple[str, int, int], threading.Lock] = {}
        self._guard = threading.Lock()
        self.encodes: dict[tuple[str, int, int], int] = {}  # counted so tests can prove sharing

    def snap(self, width: int | None, source_width: int) -> int | None:
        """Snap ?w= to an allowed width (bounded cache); None means the full-size original."""
        if not width or (source_width and width >= source_width):
            return None
        index = bisect.bisect_left(self.widths, width)
        snapped = self.widths[min(index, len(self.widths) - 1)]
        return None if source_width and snapped >= source_width else snapped

    def get(self, cam_id: str, frame: Frame, width: int | None) -> bytes:
        width = self.snap(width, frame.width)
        if width is None and frame.jpeg is not None:
            return frame.jpeg  # MJPEG pass-through: the camera's own bytes
        quality = self.options.jpeg_quality
        key = (cam_id, width or 0, quality)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # single flight: concurrent viewers wait for one encode instead of repeating it
            cached = self._cache.get(key)
            if cached is not None and cached.seq == frame.seq:
                return cached.jpeg
            image = decode_for_width(frame, width) if width else frame.image
            assert image is not None
            jpeg = encode_jpeg(image, quality)
            self._cache[key] = _Cached(frame.seq, jpeg)
            self.encodes[key] = self.encodes.get(key, 0) + 1
            return jpeg


class Placeholders:
    """'Camera offline' pictures, drawn once per (camera, width) and reused."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    def get(self, cam_id: str, name: str, width: int | None = None) -> bytes:
        width = width or 640
        key = (cam_id, width)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = encode_jpeg(offline_tile(name, width, width * 9 // 16), 80)
            return self._cache[key]


def offline_tile(name: str, width: int, height: int, state: State = State.OFFLINE) -> np.ndarray:
    image = np.full((height, width, 3), 28, np.uint8)
    scale = max(0.35, width / 640)
    label = ascii_label(name)
    cv2.putText(image, label, (int(12 * scale), int(40 * scale)), cv2.FONT_HERSHEY_SIMPLEX, 0.9 * scale,
                (230, 230, 230), max(1, int(2 * scale)), cv2.LINE_AA)
    text = state.value
    size = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.4 * scale, max(1, int(3 * scale)))[0]
    cv2.putText(image, text, ((width - size[0]) // 2, (height + size[1]) // 2), cv2.FONT_HERSHEY_SIMPLEX,
                1.4 * scale, STATE_COLOURS[state], max(1, int(3 * scale)), cv2.LINE_AA)
    return image


@dataclass(frozen=True)
class MosaicFrame:
    seq: int
    built: float  # monotonic
    jpeg: bytes
    ts: float  # wall clock of the build


class Mosaic:
    """All cameras on one picture, built at most once per tick whoever asks; idle when nobody watches."""

    def __init__(self, readers: list[CameraReader], options: RelayOptions) -> None:
        self.readers, self.options = readers, options
        self.period = 1.0 / options.mosaic_fps
        self.tile_w = options.mosaic_tile_width
        self.tile_h = self.tile_w * 9 // 16
        self.columns = min(options.mosaic_columns, max(1, len(readers)))
        rows = max(1, -(-len(readers) // self.columns))
        self._canvas = np.zeros((rows * self.tile_h, self.columns * self.tile_w, 3), np.uint8)
        self._tiles: dict[str, tuple[int, State, np.ndarray]] = {}  # decoded once per camera frame
        self._lock = threading.Lock()
        self._frame: MosaicFrame | None = None
        self.builds = 0

    def current(self) -> MosaicFrame:
        """The mosaic of this tick; the first caller of a tick builds it, the rest reuse its bytes."""
        with self._lock:
            now = time.monotonic()
            if self._frame is None or now - self._frame.built >= self.period * 0.8:
                self._frame = MosaicFrame((self._frame.seq + 1) if self._frame else 1, now, self._build(), time.time())
                self.builds += 1
            return self._frame

    def next_tick(self, stop: threading.Event) -> MosaicFrame | None:
        """Sleep to the next tick boundary (shared by all viewers, so one build serves them all)."""
        now = time.monotonic()
        due = (int(now / self.period) + 1) * self.period
        if stop.wait(due - now):
            return None
        return self.current()

    def _build(self) -> bytes:
        label_h = max(18, self.tile_h // 7)
        for index, reader in enumerate(self.readers):
            row, col = divmod(index, self.columns)
            y, x = row * self.tile_h, col * self.tile_w
            state = reader.state()
            frame = reader.slot.latest
            cached = self._tiles.get(reader.camera.id)
            key = frame.seq if frame is not None and state is not State.OFFLINE else -1
            if cached is None or cached[0] != key or cached[1] != state:
                if key < 0 or frame is None:
                    tile = offline_tile(reader.camera.name, self.tile_w, self.tile_h, state)
                else:
                    try:
                        tile = decode_for_width(frame, self.tile_w)[: self.tile_h]
                    except ValueError:
                        tile = offline_tile(reader.camera.name, self.tile_w, self.tile_h, State.STALE)
                    tile = self._label(tile, reader.camera.name, state, label_h)
                self._tiles[reader.camera.id] = (key, state, tile)
                cached = self._tiles[reader.camera.id]
            tile = cached[2]
            self._canvas[y : y + tile.shape[0], x : x + tile.shape[1]] = tile
        return encode_jpeg(self._canvas, self.options.jpeg_quality)

    def _label(self, tile: np.ndarray, name: str, state: State, label_h: int) -> np.ndarray:
        tile = tile.copy()
        h, w = tile.shape[:2]
        tile[h - label_h :] = (tile[h - label_h :] * 0.3).astype(np.uint8)  # dark band: readable text
        scale = label_h / 30
        cv2.putText(tile, ascii_label(name), (6, h - label_h // 4), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), 1, cv2.LINE_AA)
        cv2.circle(tile, (w - label_h // 2 - 4, h - label_h // 2), label_h // 3, STATE_COLOURS[state], -1)
        if state is not State.LIVE:
            cv2.rectangle(tile, (0, 0), (w - 1, h - 1), STATE_COLOURS[state], 3)
        cv2.rectangle(tile, (0, 0), (w - 1, h - 1), (0, 0, 0), 1)
        return tile


class Relay:
    """Viewer-facing side: snapshots and per-viewer MJPEG generators that only wait on slots."""

    def __init__(self, readers: dict[str, CameraReader], options: RelayOptions) -> None:
        self.readers, self.options = readers, options
        self.renditions = Renditions(options)
        self.placeholders = Placeholders()
        self.mosaic = Mosaic(list(readers.values()), options)
        self.stopping = threading.Event()
        self._viewers = 0
        self._viewer_lock = threading.Lock()

    def snapshot(self, cam_id: str, width: int | None) -> tuple[bytes, bool]:
        """(JPEG, live?) — the latest frame, or the placeholder when the camera has none."""
        reader = self.readers[cam_id]
        frame = reader.slot.latest
        if frame is None or reader.state() is State.OFFLINE:
            return self.placeholders.get(cam_id, reader.camera.name, self._placeholder_width(width)), False
        return self.renditions.get(cam_id, frame, width), True

    def _placeholder_width(self, width: int | None) -> int | None:
        return self.renditions.snap(width, 640)

    def try_add_viewer(self) -> bool:
        with self._viewer_lock:
            if self._viewers >= self.options.max_viewers:
                return False
            self._viewers += 1
            return True

    def _drop_viewer(self) -> None:
        with self._viewer_lock:
            self._viewers -= 1

    def camera_stream(self, cam_id: str, width: int | None) -> Iterator[bytes]:
        """MJPEG parts for one viewer; a slow viewer skips to the newest frame instead of queueing."""
        reader = self.readers[cam_id]
        with self._viewer_lock:
            reader.viewers += 1
        try:
            seq = 0
            frame = reader.slot.latest
            if frame is None or reader.state() is State.OFFLINE:
                yield mjpeg_part(self.snapshot(cam_id, width)[0])
            while not self.stopping.is_set():
                frame = reader.slot.wait_newer(seq, timeout=1.0)
                if self.stopping.is_set():
                    break
                if frame is None:  # no news for a second: repeat a picture so proxies keep the stream
                    yield mjpeg_part(self.snapshot(cam_id, width)[0])
                    continue
                seq = frame.seq
                yield mjpeg_part(self.renditions.get(cam_id, frame, width), frame.ts)
        finally:
            with self._viewer_lock:
                reader.viewers -= 1
            self._drop_viewer()

    def mosaic_stream(self) -> Iterator[bytes]:
        try:
            yield mjpeg_part(self.mosaic.current().jpeg)
            while True:
                frame = self.mosaic.next_tick(self.stopping)
                if frame is None:
                    break
                yield mjpeg_part(frame.jpeg, frame.ts)
        finally:
            self._drop_viewer()
