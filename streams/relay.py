"""Fan-out: shared JPEG bytes per frame, renditions encoded once, offline placeholders, viewer sockets."""
from __future__ import annotations

import bisect
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .capture import CameraReader, Frame, State
from .config import RelayOptions
from .imaging import decode_for_width, encode_jpeg, offline_tile
from .mosaic import Mosaic
from .multipart import BOUNDARY, STREAM_HEAD, mjpeg_part, wire_chunk

PACE_S = 0.02  # full-size viewers: frames go out within 20 ms of arrival, in one burst per tick


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


class _SocketViewer:
    """A viewer fed by a fan-out thread: never blocks the others, skips frames when backed up."""

    __slots__ = ("sock", "pending", "done", "lock", "sent_at")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending: memoryview | None = None  # the rest of a part the socket could not take yet
        self.done = threading.Event()
        self.lock = threading.Lock()  # one sender at a time (frames vs keep-alive pictures)
        self.sent_at = time.monotonic()

    def offer(self, wire: bytes) -> bool:
        """Send without blocking; False when the viewer has gone."""
        if not self.lock.acquire(blocking=False):
            return True  # another thread is sending to this viewer right now: skip
        try:
            return self._offer(wire)
        finally:
            self.lock.release()

    def _offer(self, wire: bytes) -> bool:
        self.sent_at = time.monotonic()
        try:
            if self.pending is not None:
                sent = self.sock.send(self.pending, socket.MSG_DONTWAIT)
                self.pending = self.pending[sent:] if sent < len(self.pending) else None
                if self.pending is not None:
                    return True  # still backed up: this viewer skips the frame, the others do not wait
            sent = self.sock.send(wire, socket.MSG_DONTWAIT)
            if sent < len(wire):
                self.pending = memoryview(wire)[sent:]
        except BlockingIOError:
            pass
        except OSError:
            return False
        return True


class _Fanout:
    """One thread per stream (camera+width, or the mosaic) sends each frame to all its viewers.

    Per frame that is one wake-up and one non-blocking send per viewer from a single thread,
    instead of one thread wake-up, a generator step and the WSGI write path per viewer.
    The thread ends when its last viewer leaves or the relay stops.
    """

    def __init__(self, name: str, next_wire: Callable[[], bytes | None], stopping: threading.Event) -> None:
        self.next_wire, self.stopping = next_wire, stopping
        self.viewers: list[_SocketViewer] = []
        self.closed = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                with self.lock:
                    if not self.viewers:
                        self.closed = True
                        return
                    viewers = list(self.viewers)
                wire = self.next_wire()
                if wire is None:
                    continue
                gone = [v for v in viewers if not v.offer(wire)]
                if gone:
                    with self.lock:
                        self.viewers = [v for v in self.viewers if v not in gone]
                    for viewer in gone:
                        viewer.done.set()
        finally:
            with self.lock:
                self.closed = True
                rest, self.viewers = self.viewers, []
            for viewer in rest:
                viewer.done.set()

    def remove(self, viewer: _SocketViewer) -> None:
        with self.lock:
            if viewer in self.viewers:
                self.viewers.remove(viewer)


class Relay:
    """Viewer-facing side: snapshots and per-viewer MJPEG generators that only wait on slots."""

    def __init__(self, readers: dict[str, CameraReader], options: RelayOptions) -> None:
        self.readers, self.options = readers, options
        self.renditions = Renditions(options)
        self.placeholders = Placeholders()
        self.mosaic = Mosaic(list(readers.values()), options)  # the default size
        self._mosaics = {self.mosaic.tile_w: self.mosaic}  # other sizes, made when first asked for
        self._mosaic_lock = threading.Lock()
        self.stopping = threading.Event()
        self._viewers = 0
        self._viewer_lock = threading.Lock()
        self._parts: dict[tuple[str, int | None], tuple[int, bytes]] = {}
        self._parts_lock = threading.Lock()
        self._fanouts: dict[tuple[str, int | None], _Fanout] = {}
        self._fanout_lock = threading.Lock()
        # Full-size viewers on raw sockets are fed by ONE pacer thread that wakes every PACE_S and
        # sends each camera's newest frame to its viewers in one burst. Sending from the 32 reader
        # threads instead makes every send a GIL hand-off between threads that woke together.
        # Copy-on-write tuples: the pacer reads them without a lock; _fanout_lock guards changes
        # to _direct, _fanouts and the pacer's start and end.
        self._direct: dict[str, tuple[_SocketViewer, ...]] = {}
        self._wires: dict[tuple[str, int | None], tuple[int, bytes]] = {}
        self._pacer: threading.Thread | None = None

    def wire(self, cam_id: str, frame: Frame, width: int | None) -> bytes:
        """The part of this frame as an HTTP chunk, built once (in one join) and shared by all."""
        key = (cam_id, width)
        cached = self._wires.get(key)
        if cached is not None and cached[0] == frame.seq:
            return cached[1]
        jpeg = self.renditions.get(cam_id, frame, width)
        head = (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n"
                f"X-Timestamp: {frame.ts:.3f}\r\n\r\n").encode()
        data = b"".join((b"%x\r\n" % (len(head) + len(jpeg) + 2), head, jpeg, b"\r\n\r\n"))
        self._wires[key] = (frame.seq, data)  # a racing duplicate build is harmless
        return data

    def _send_direct(self, cam_id: str, frame: Frame, viewers: tuple[_SocketViewer, ...]) -> None:
        try:
            wire = self.wire(cam_id, frame, None)
        except Exception:  # noqa: BLE001 (a bad frame must never stop the pacer)
            return
        gone = [v for v in viewers if not v.offer(wire)]
        for viewer in gone:
            viewer.done.set()

    def _pace(self) -> None:
        """Every PACE_S: each watched camera's newest frame to its full-size viewers; ends when none are left."""
        sent: dict[str, int] = {}
        try:
            while not self.stopping.wait(PACE_S):
                with self._fanout_lock:
                    watched = [(cam_id, viewers) for cam_id, viewers in self._direct.items() if viewers]
                    if not watched:
                        return
                for cam_id, viewers in watched:
                    frame = self.readers[cam_id].slot.latest
                    if frame is not None and sent.get(cam_id) != frame.seq:
                        sent[cam_id] = frame.seq
                        self._send_direct(cam_id, frame, viewers)
        finally:  # however it ends, the next viewer starts a new pacer
            with self._fanout_lock:
                if self._pacer is threading.current_thread():
                    self._pacer = None

    def _direct_add(self, cam_id: str, viewer: _SocketViewer) -> None:
        with self._fanout_lock:
            self._direct[cam_id] = (*self._direct.get(cam_id, ()), viewer)
            if self._pacer is None:
                self._pacer = threading.Thread(target=self._pace, name="relay-pacer", daemon=True)
                self._pacer.start()

    def _direct_remove(self, cam_id: str, viewer: _SocketViewer) -> None:
        with self._fanout_lock:
            self._direct[cam_id] = tuple(v for v in self._direct.get(cam_id, ()) if v is not viewer)

    def part(self, cam_id: str, frame: Frame, width: int | None) -> bytes:
        """One multipart part per (camera, width, frame), built by the first viewer, shared by all.

        Every viewer then sends the same bytes object with a single write: no per-viewer
        concatenation of headers and JPEG.
        """
        key = (cam_id, width)
        cached = self._parts.get(key)
        if cached is not None and cached[0] == frame.seq:
            return cached[1]
        with self._parts_lock:
            cached = self._parts.get(key)
            if cached is not None and cached[0] == frame.seq:
                return cached[1]
            data = mjpeg_part(self.renditions.get(cam_id, frame, width), frame.ts)
            self._parts[key] = (frame.seq, data)
            return data

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
            width = self.renditions.snap(width, frame.width if frame else 0)  # bounded cache keys
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
                yield self.part(cam_id, frame, width)
        finally:
            with self._viewer_lock:
                reader.viewers -= 1
            self._drop_viewer()

    def mosaic_for(self, width: int | None) -> Mosaic:
        """The mosaic for a picture `width` px wide: the smallest allowed size at least that wide.

        A 1080p screen gets a 1920 px mosaic, a 4K wall a 3840 px one: each size is built once
        per tick for all its viewers, and only while someone watches it.
        """
        if not width:
            return self.mosaic
        columns = self.mosaic.columns
        tiles = sorted(self.options.mosaic_tile_widths)
        tile_w = next((t for t in tiles if t * columns >= width), tiles[-1])
        with self._mosaic_lock:
            if tile_w not in self._mosaics:
                self._mosaics[tile_w] = Mosaic(list(self.readers.values()), self.options, tile_width=tile_w)
            return self._mosaics[tile_w]

    def mosaic_stream(self, width: int | None = None) -> Iterator[bytes]:
        mosaic = self.mosaic_for(width)
        try:
            yield mjpeg_part(mosaic.current().jpeg)
            while True:
                frame = mosaic.next_tick(self.stopping)
                if frame is None:
                    break
                yield frame.part
        finally:
            self._drop_viewer()

    # -- viewers written straight to their sockets (servers from streams.server) --------------------
    def _camera_wires(self, cam_id: str, width: int | None) -> Callable[[], bytes | None]:
        reader = self.readers[cam_id]
        latest = reader.slot.latest
        seq = [latest.seq if latest else 0]

        def next_wire() -> bytes | None:
            frame = reader.slot.wait_newer(seq[0], timeout=1.0)
            if self.stopping.is_set():
                return None
            if frame is None:  # no news for a second: repeat a picture so proxies keep the stream
                return wire_chunk(mjpeg_part(self.snapshot(cam_id, width)[0]))
            seq[0] = frame.seq
            return self.wire(cam_id, frame, width)

        return next_wire

    def _mosaic_wires(self, mosaic: Mosaic) -> Callable[[], bytes | None]:
        def next_wire() -> bytes | None:
            frame = mosaic.next_tick(self.stopping)
            return frame.wire if frame is not None else None

        return next_wire

    def _attach(self, key: tuple[str, int | None], viewer: _SocketViewer) -> _Fanout:
        with self._fanout_lock:
            fan = self._fanouts.get(key)
            if fan is not None:
                with fan.lock:
                    if not fan.closed:
                        fan.viewers.append(viewer)
                        return fan
            source = self._mosaic_wires(self._mosaics[key[1]]) if key[0] == "" else self._camera_wires(*key)
            fan = _Fanout(f"relay-fanout-{key[0] or 'mosaic'}", source, self.stopping)
            fan.viewers.append(viewer)
            self._fanouts[key] = fan
            fan.thread.start()
            return fan

    def serve_socket(self, sock: socket.socket, cam_id: str | None, width: int | None = None) -> None:
        """Stream a camera (or the mosaic when cam_id is None) on a raw socket until the viewer leaves.

        The caller's thread writes the head and the current picture, then only waits: the
        stream's fan-out thread sends every further frame. The socket is shut down at the end.
        """
        reader = self.readers[cam_id] if cam_id else None
        if reader is not None:
            with self._viewer_lock:
                reader.viewers += 1
        viewer, fan, direct = _SocketViewer(sock), None, False
        try:
            if reader is None:
                mosaic = self.mosaic_for(width)
                width = mosaic.tile_w  # the fan-out key: every request for this mosaic shares one
                first = mosaic.current().part
            else:
                frame = reader.slot.latest
                # Snapped once here: fan-outs and caches are keyed by the few allowed widths only.
                width = self.renditions.snap(width, frame.width if frame else 0)
                live = frame is not None and reader.state() is not State.OFFLINE
                first = self.part(cam_id, frame, width) if live else mjpeg_part(self.snapshot(cam_id, width)[0])
            sock.sendall(STREAM_HEAD + wire_chunk(first))
            if reader is not None and width is None:
                self._direct_add(cam_id, viewer)
                direct = True
            else:
                fan = self._attach((cam_id or "", width), viewer)
            while not viewer.done.wait(1.0) and not self.stopping.is_set():
                # No frame for a second: repeat a picture so proxies keep the stream.
                if direct and time.monotonic() - viewer.sent_at >= 1.0 and not viewer.offer(
                        wire_chunk(mjpeg_part(self.snapshot(cam_id, None)[0]))):
                    break
        except OSError:
            pass  # the viewer left while we wrote the head
        finally:
            if direct:
                self._direct_remove(cam_id, viewer)
            if fan is not None:
                fan.remove(viewer)
            if reader is not None:
                with self._viewer_lock:
                    reader.viewers -= 1
            self._drop_viewer()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
