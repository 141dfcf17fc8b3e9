"""One reader thread per camera: latest-frame slot, health state machine, reconnect with backoff."""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .config import CameraConfig, RelayOptions, redact
from .sources import FfmpegSource, MjpegSource, SourceError, open_source

log = logging.getLogger(__name__)


class State(StrEnum):
    CONNECTING = "CONNECTING"
    LIVE = "LIVE"
    STALE = "STALE"
    OFFLINE = "OFFLINE"


@dataclass(frozen=True)
class Frame:
    """An immutable published frame; viewers share it, nobody copies it."""

    seq: int
    ts: float  # wall-clock time of arrival (time.time)
    mono: float  # monotonic time of arrival, for ages
    jpeg: bytes | None  # pass-through JPEG (MJPEG sources)
    image: np.ndarray | None  # decoded pixels (FFmpeg sources); encoded lazily by the relay
    width: int
    height: int


class FrameSlot:
    """Holds only the newest frame; waiters block on a condition, never on the source."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None

    @property
    def latest(self) -> Frame | None:
        return self._frame

    def publish(self, jpeg: bytes | None, image: np.ndarray | None, width: int, height: int) -> Frame:
        with self._cond:
            seq = self._frame.seq + 1 if self._frame else 1
            frame = Frame(seq, time.time(), time.monotonic(), jpeg, image, width, height)
            self._frame = frame
            self._cond.notify_all()
        return frame

    def wait_newer(self, seq: int, timeout: float) -> Frame | None:
        """The first frame with a sequence number above `seq`, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._frame is None or self._frame.seq <= seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return self._frame

    def wake_all(self) -> None:
        with self._cond:
            self._cond.notify_all()


def _jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """(width, height) from the SOF marker, without decoding."""
    pos = 2
    while pos + 9 < len(jpeg):
        if jpeg[pos] != 0xFF:
            break
        marker = jpeg[pos + 1]
        length = int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(jpeg[pos + 7 : pos + 9], "big"), int.from_bytes(jpeg[pos + 5 : pos + 7], "big")
        pos += 2 + length
    return 0, 0


class CameraReader:
    """Owns one camera: a named thread that reads continuously and publishes into the slot."""

    def __init__(self, camera: CameraConfig, url: str, relay: RelayOptions) -> None:
        self.camera, self.relay = camera, relay
        self._url = url  # resolved source URL: secret, never logged
        self.slot = FrameSlot()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._source: MjpegSource | FfmpegSource | None = None
        self._thread = threading.Thread(target=self._run, name=f"relay-cam-{camera.id}", daemon=True)
        self.connected = False
        self.attempts = 0  # completed connection attempts
        self.reconnects = 0
        self.last_error = ""
        self.viewers = 0
        self.opened = 0  # sources opened; == released after shutdown
        self.released = 0
        self._arrivals: deque[float] = deque(maxlen=50)
        self._digest = b""
        self._changed_at = 0.0  # monotonic time the picture last changed (frozen detection)
        self._connected_at = 0.0

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()
        with self._lock:
            source = self._source
        if source is not None:
            source.interrupt()
        self.slot.wake_all()

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        opts = self.camera.options
        backoff = self.relay.backoff_base_s
        while not self._stop.is_set():
            source = open_source(self._url, opts.reader, opts.open_timeout_ms / 1000, opts.read_timeout_ms / 1000)
            got_frames = False
            try:
                with self._lock:
                    self._source = source
                    self.opened += 1
                if self._stop.is_set():
                    break
                source.open()
                self.connected, self._connected_at = True, time.monotonic()
                for raw in source.frames():
                    if self._stop.is_set():
                        break
                    self._publish(raw.jpeg, raw.image)
                    if not got_frames:
                        got_frames = True
                        backoff = self.relay.backoff_base_s  # a working connection resets backoff
                        self.last_error = ""
            except SourceError as exc:
                self._fail(str(exc))
            except Exception as exc:  # noqa: BLE001 - one broken camera must not kill its thread
                self._fail(f"{type(exc).__name__}: {exc}")
            finally:
                self.connected = False
                with self._lock:
                    self._source = None
                source.close()
                self.released += 1
                self.attempts += 1
            if self._stop.is_set():
                break
            self.reconnects += 1
            # Wait on the stop event, so shutdown never waits out a 30 s backoff.
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.relay.backoff_max_s)

    def _fail(self, message: str) -> None:
        if self._stop.is_set():
            return
        self.last_error = redact(message, self._url, self.camera.source.get_secret_value())
        log.warning("camera %s: %s", self.camera.id, self.last_error)

    def _publish(self, jpeg: bytes | None, image: np.ndarray | None) -> None:
        max_fps = self.camera.options.max_fps
        now = time.monotonic()
        if max_fps and self._arrivals and now - self._arrivals[-1] < 1.0 / max_fps:
            return
        if jpeg is not None:
            width, height = _jpeg_size(jpeg)
            digest = hashlib.blake2b(jpeg, digest_size=8).digest()
        else:
            assert image is not None
            height, width = image.shape[:2]
            digest = hashlib.blake2b(image[::8, ::8].tobytes(), digest_size=8).digest()
        if digest != self._digest:
            self._digest, self._changed_at = digest, now
        self._arrivals.append(now)
        self.slot.publish(jpeg, image, width, height)

    # -- health ----------------------------------------------------------------------------------
    def state(self, now: float | None = None) -> State:
        now = time.monotonic() if now is None else now
        frame = self.slot.latest
        age = now - frame.mono if frame else None
        if self.connected:
            if age is None or frame.mono < self._connected_at:  # connected, no frame yet on this link
                waited = now - self._connected_at
                return State.CONNECTING if waited < self.relay.offline_after_s else State.OFFLINE
            if age >= self.relay.offline_after_s:
                return State.OFFLINE  # connected but silent: a hung source
            if age >= self.relay.stale_after_s or now - self._changed_at >= self.relay.frozen_after_s:
                return State.STALE
            return State.LIVE
        if self.attempts == 0:
            return State.CONNECTING
        return State.OFFLINE

    def fps(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        recent = [t for t in self._arrivals if now - t <= 5.0]
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)

    def status(self) -> dict[str, object]:
        """Public health of this camera; deliberately has no source field."""
        now = time.monotonic()
        cam, frame = self.camera, self.slot.latest
        return {
            "id": cam.id, "name": cam.name, "dam": cam.dam, "river": cam.river, "province": cam.province,
            "capacity_mw": cam.capacity_mw, "lat": cam.lat, "lon": cam.lon,
            "state": self.state(now).value,
            "fps": round(self.fps(now), 2),
            "age_s": round(now - frame.mono, 3) if frame else None,
            "last_frame_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(frame.ts))
            + f".{int(frame.ts % 1 * 1000):03d}" + time.strftime("%z", time.localtime(frame.ts)) if frame else None,
            "reconnects": self.reconnects,
            "viewers": self.viewers,
            "last_error": self.last_error or None,
        }


class CaptureManager:
    """All camera readers; started together, stopped and joined together."""

    def __init__(self, readers: list[CameraReader]) -> None:
        self.readers = {r.camera.id: r for r in readers}

    def start(self) -> None:
        for reader in self.readers.values():
            reader.start()

    def stop(self, timeout: float = 10.0) -> list[str]:
        """Stop every reader; returns the ids of threads still alive after `timeout` (should be [])."""
        for reader in self.readers.values():
            reader.request_stop()
        deadline = time.monotonic() + timeout
        for reader in self.readers.values():
            reader.join(max(0.0, deadline - time.monotonic()))
        return [cid for cid, r in self.readers.items() if r.alive]
