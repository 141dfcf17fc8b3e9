"""Pictures for viewers: renditions encoded once per frame and width, offline placeholders drawn once."""
from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass

from .capture import Frame
from .config import RelayOptions
from .imaging import decode_for_width, encode_jpeg, offline_tile


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
