"""One reader thread per camera stream (main, sub): latest-frame slot, live fMP4 feed, health, backoff."""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .config import CameraConfig, RelayOptions, StreamConfig, redact
from .live import LiveFeed
from .packets import PacketSource
from .rtp import sei_stamp
from .sources import FfmpegSource, MjpegSource, SourceError, open_source, reader_kind

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
    ts: float  # camera timestamp (its SEI capture time) or else wall-clock time of arrival (time.time)
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

    def publish(self, jpeg: bytes | None, image: np.ndarray | None, width: int, height: int,
                stamp: float | None = None) -> Frame:
        with self._cond:
            seq = self._frame.seq + 1 if self._frame else 1
            frame = Frame(seq, stamp or time.time(), time.monotonic(), jpeg, image, width, height)
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


class PictureRate:
    """Which decoded pictures to keep so MJPEG viewers get about `fps` a second (0: all).

    Paced on the stream's own clock (dts, 90 kHz) when it has one, so a burst of packets after
    a network stall does not count as a burst of pictures.
    """

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps if fps else 0.0
        self._next: float | None = None

    def due(self, dts: int | None, now: float) -> bool:
        if not self.period:
            return True
        t = dts / 90000 if dts is not None else now
        if self._next is not None and self._next - self.period <= t < self._next:
            return False
        # Keep the average rate exact (25 fps → 10 takes pictures 0, 3, 5, 8, 10, ...); a jump
        # in time (a new source, wrapped timestamps) starts the schedule again.
        if self._next is None or not self._next <= t < self._next + self.period:
            self._next = t
        self._next += self.period
        return True


class StreamReader:
    """One stream of a camera: a named thread that reads continuously, with its own health.

    Pictures go into `slot` (MJPEG parts as they are; decoded pictures from FFmpeg sources; for
    packet sources only the keyframes, or every picture while `want_all()` says an MJPEG viewer
    needs them). Packets of a live H.264 stream go to `live` (fMP4 for MSE) without decoding.
    """

    def __init__(self, camera: CameraConfig, stream: StreamConfig, url: str, relay: RelayOptions,
                 want_all: Callable[[], bool] = lambda: False,
                 want_grid: Callable[[], bool] = lambda: False) -> None:
        self.camera, self.stream, self.relay = camera, stream, relay
        self.name = stream.name
        self.roles = stream.role_list()
        self._url = url  # resolved source URL: secret, never logged
        self.reader_kind = reader_kind(url, stream.reader or camera.options.reader)
        self.slot = FrameSlot()
        self.live: LiveFeed | None = LiveFeed(camera.id) if "live" in self.roles else None
        self.want_all = want_all  # MJPEG viewers: every picture, converted at mjpeg_fps
        self.want_grid = want_grid  # a mosaic watched: every picture, converted at mosaic_tile_fps
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._source: MjpegSource | FfmpegSource | PacketSource | None = None
        self._thread = threading.Thread(target=self._run, name=f"relay-cam-{camera.id}-{self.name}", daemon=True)
        self.connected = False
        self.attempts = 0  # completed connection attempts
        self.reconnects = 0
        self.last_error = ""
        self.codec = ""  # what the source turned out to carry: mjpeg, h264, hevc, ...
        self.size = (0, 0)
        self.opened = 0  # sources opened; == released after shutdown
        self.released = 0
        self._arrivals: deque[float] = deque(maxlen=50)
        self._times: deque[tuple[float, int]] = deque(maxlen=50)  # (arrival, dts) of packets: the source's rate
        self._digest = b""
        self._changed_at = 0.0  # monotonic time the picture last changed (frozen detection)
        self._connected_at = 0.0
        self._last_data = 0.0  # monotonic time of the newest packet or picture
        self.decodes = 0  # pictures decoded (packet sources), counted so tests and the bench can see it

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

    def _open(self) -> MjpegSource | FfmpegSource | PacketSource:
        opts = self.camera.options
        timeouts = (opts.open_timeout_ms / 1000, opts.read_timeout_ms / 1000)
        if self.reader_kind == "packets":
            return PacketSource(self._url, *timeouts)
        return open_source(self._url, self.reader_kind, *timeouts)

    def _run(self) -> None:
        backoff = self.relay.backoff_base_s
        while not self._stop.is_set():
            source = self._open()
            got_frames = False
            try:
                with self._lock:
                    self._source = source
                    self.opened += 1
                if self._stop.is_set():
                    break
                source.open()
                self.connected, self._connected_at = True, time.monotonic()
                items = self._packets(source) if isinstance(source, PacketSource) else self._pictures(source)
                for _ in items:
                    if self._stop.is_set():
                        break
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

    def _pictures(self, source: MjpegSource | FfmpegSource) -> Iterator[None]:
        self.codec = "mjpeg" if isinstance(source, MjpegSource) else "decoded"
        for raw in source.frames():
            self._publish(raw.jpeg, raw.image)
            yield None

    def _packets(self, source: PacketSource) -> Iterator[None]:
        """Packets to the live feed as they are; pictures decoded only for the grid, mostly keyframes."""
        self.codec, self.size = source.codec, (source.width, source.height)
        live = self.live if self.live is not None and source.codec == "h264" else None
        if live is not None:
            live.start_source(source.extradata, source.width, source.height)
        grid = "grid" in self.roles
        decoding_all = mjpeg = False
        pictures = PictureRate(self.relay.mjpeg_fps)
        tiles = PictureRate(self.relay.mosaic_tile_fps)
        for packet in source.packets():
            now = time.monotonic()
            self._last_data = now
            self._arrivals.append(now)
            if packet.dts is not None:
                self._times.append((now, packet.dts))
            if live is not None:
                live.push(packet.data, packet.key, packet.dts, packet.pts)
            if grid:
                if packet.key:  # switch modes only on a keyframe: a decoder cannot start mid-GOP
                    mjpeg = self.want_all()
                    decoding_all = mjpeg or self.want_grid()
                if packet.key or decoding_all:
                    stamp = sei_stamp(packet.data[:256]) or time.time()
                    wanted = (pictures if mjpeg else tiles).due(packet.dts, now) or packet.key
                    for image in source.decode(packet.data, pictures=wanted):
                        self.decodes += 1
                        self._publish(None, image, stamp, count=False)
            yield None

    def _fail(self, message: str) -> None:
        if self._stop.is_set():
            return
        self.last_error = redact(message, self._url, *self.camera.source_urls())
        log.warning("camera %s (%s stream): %s", self.camera.id, self.name, self.last_error)

    def _publish(self, jpeg: bytes | None, image: np.ndarray | None, stamp: float | None = None,
                 count: bool = True) -> None:
        max_fps = self.camera.options.max_fps
        now = time.monotonic()
        if count and max_fps and self._arrivals and now - self._arrivals[-1] < 1.0 / max_fps:
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
        if count:
            self._arrivals.append(now)
        self._last_data = now
        self.slot.publish(jpeg, image, width, height, stamp)

    # -- health ----------------------------------------------------------------------------------
    def state(self, now: float | None = None) -> State:
        now = time.monotonic() if now is None else now
        frame = self.slot.latest
        # A packet stream is alive while packets arrive, even between the keyframes it decodes.
        last = max(self._last_data, frame.mono if frame else 0.0) or None
        if self.connected:
            if last is None or last < self._connected_at:  # connected, nothing yet on this link
                waited = now - self._connected_at
                return State.CONNECTING if waited < self.relay.offline_after_s else State.OFFLINE
            age = now - last
            if age >= self.relay.offline_after_s:
                return State.OFFLINE  # connected but silent: a hung source
            frozen = frame is not None and now - self._changed_at >= self.relay.frozen_after_s
            if age >= self.relay.stale_after_s or (frozen and "grid" in self.roles):
                return State.STALE
            return State.LIVE
        if self.attempts == 0:
            return State.CONNECTING
        return State.OFFLINE

    def fps(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        if self.reader_kind == "packets":  # from the stream's own timestamps: packets buffered while
            recent_dts = [d for t, d in self._times if now - t <= 5.0]  # opening arrive in one burst
            span = (recent_dts[-1] - recent_dts[0]) / 90000 if len(recent_dts) > 1 else 0.0
            return (len(recent_dts) - 1) / span if span > 0 else 0.0
        recent = [t for t in self._arrivals if now - t <= 5.0]
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)

    def status(self) -> dict[str, object]:
        """Public health of this stream (no source URL)."""
        now = time.monotonic()
        return {"name": self.name, "roles": self.roles, "state": self.state(now).value,
                "codec": self.codec or None, "width": self.size[0] or None, "height": self.size[1] or None,
                "fps": round(self.fps(now), 2), "reconnects": self.reconnects,
                "last_error": self.last_error or None,
                "mse": bool(self.live is not None and self.live.ready())}


class CameraReader:
    """One camera: its stream readers (main, optional sub) and the camera-level view the relay uses.

    `slot` and `state()` are those of the grid stream (what the mosaic, snapshots and MJPEG show);
    `live` is the live stream's fMP4 feed when that stream is H.264 read as packets.
    """

    def __init__(self, camera: CameraConfig, urls: str | dict[str, str], relay: RelayOptions) -> None:
        self.camera, self.relay = camera, relay
        streams = camera.stream_list()
        if isinstance(urls, str):  # one URL: the main stream (older callers and tests)
            urls = {streams[0].name: urls}
        self.viewers = 0  # MJPEG viewers of this camera (the relay counts them)
        self.grid_until = 0.0  # monotonic: a mosaic showed this camera lately (streams/mosaic.py)
        self.streams = {s.name: StreamReader(camera, s, urls[s.name], relay, self._mjpeg_watched,
                                             self._grid_watched)
                        for s in streams if s.name in urls}
        self.grid = next(r for r in self.streams.values() if "grid" in r.roles)
        self.live_reader = next(r for r in self.streams.values() if "live" in r.roles)
        self.slot = self.grid.slot

    def _mjpeg_watched(self) -> bool:
        return self.viewers > 0

    def _grid_watched(self) -> bool:
        """A mosaic wants more pictures than keyframes give, and one was built lately."""
        return time.monotonic() < self.grid_until

    @property
    def live(self) -> LiveFeed | None:
        """The fMP4 feed when the live stream is H.264 (else None: MJPEG is the focus view)."""
        reader = self.live_reader
        return reader.live if reader.live is not None and reader.codec == "h264" else None

    # the grid stream's health is the camera's (what the wall shows); tests drive it directly
    connected = property(lambda self: self.grid.connected, lambda self, v: setattr(self.grid, "connected", v))
    attempts = property(lambda self: self.grid.attempts, lambda self, v: setattr(self.grid, "attempts", v))
    reconnects = property(lambda self: sum(r.reconnects for r in self.streams.values()))
    last_error = property(lambda self: self.grid.last_error)
    opened = property(lambda self: sum(r.opened for r in self.streams.values()))
    released = property(lambda self: sum(r.released for r in self.streams.values()))

    def _publish(self, jpeg: bytes | None, image: np.ndarray | None) -> None:
        self.grid._publish(jpeg, image)

    def start(self) -> None:
        for reader in self.streams.values():
            reader.start()

    def request_stop(self) -> None:
        for reader in self.streams.values():
            reader.request_stop()
        if self.live_reader.live is not None:
            self.live_reader.live.close_all()

    def join(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        return all([r.join(max(0.0, deadline - time.monotonic())) for r in self.streams.values()])

    @property
    def alive(self) -> bool:
        return any(r.alive for r in self.streams.values())

    def state(self, now: float | None = None) -> State:
        return self.grid.state(now)

    def fps(self, now: float | None = None) -> float:
        return self.live_reader.fps(now)

    def status(self) -> dict[str, object]:
        """Public health of this camera and of each stream; deliberately has no source field."""
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
            "last_error": self.last_error or self.live_reader.last_error or None,
            "live": "mse" if self.live is not None else "mjpeg",
            "streams": {name: reader.status() for name, reader in self.streams.items()},
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
