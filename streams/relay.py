"""Fan-out: viewers opened on one slot each, shared bytes per frame, live MJPEG and fMP4 to sockets."""
from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Generator, Iterable

from .capture import CameraReader, Frame, State
from .config import RelayOptions
from .hub import StreamHub
from .live import LiveFeed, response_head, stream_chunks
from .mosaic import Mosaic
from .multipart import BOUNDARY, STREAM_HEAD, STREAM_HEAD_CORS, mjpeg_part, wire_chunk
from .renditions import Placeholders, Renditions
from .slots import HeldSlot, NoLiveVideo, TakeSocket, TooManyViewers

log = logging.getLogger(__name__)
ENDING_MEMORY_S = 60.0  # how long a revoked principal is remembered by streams on server threads
PACE_S = 0.02  # full-size viewers: frames go out within 20 ms of arrival, in one burst per tick


class Relay:
    """Viewer-facing side: snapshots, and live viewers opened on one slot each (open_mjpeg,
    open_mp4): their socket handed to the hub, or a body streamed on the server's thread where
    the server cannot give the socket up."""

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
        # Principals of streams on server threads (bounded by max_viewers), and principals whose
        # streams must end (remembered ENDING_MEMORY_S, so at most those revoked in that time).
        self._threaded: dict[str, int] = {}
        self._ending: dict[str, float] = {}
        self._parts: dict[tuple[str, int | None], tuple[int, bytes]] = {}
        self._parts_lock = threading.Lock()
        # Viewers on raw sockets: the hub's one thread writes to all of them; producers publish
        # each frame once (one pacer for all full-size camera feeds, a thread per watched
        # rendition or mosaic size). Producers are bounded by configuration: cameras x rendition
        # widths + mosaic sizes.
        self.hub = StreamHub("relay-hub")
        self.cross_origin = False  # the standalone relay: socket-written heads carry CORS too
        self.stream_head = STREAM_HEAD
        self._fanouts: dict[tuple[str, int | None], threading.Thread] = {}
        self._fanout_lock = threading.Lock()
        self._wires: dict[tuple[str, int | None], tuple[int, bytes]] = {}

    def allow_cross_origin(self) -> None:
        """Streams written to sockets carry CORS (the standalone relay, on another origin than pages)."""
        self.cross_origin = True
        self.stream_head = STREAM_HEAD_CORS

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

    def release_viewer(self) -> None:
        with self._viewer_lock:
            self._viewers -= 1

    def full(self) -> bool:
        with self._viewer_lock:
            return self._viewers >= self.options.max_viewers

    def viewer_count(self) -> int:
        with self._viewer_lock:
            return self._viewers

    # -- principals: whose streams are open, and ending them (streams.access) ---------------------
    def principals(self) -> set[str]:
        """Principals with an open stream, in the hub or on a server thread."""
        with self._viewer_lock:
            threaded = {p for p, n in self._threaded.items() if n and p}
        return self.hub.principals() | threaded

    def close_principals(self, principals: set[str]) -> int:
        """End these principals' streams: the hub's at once, those on server threads within a second."""
        now = time.monotonic()
        with self._viewer_lock:
            for principal in principals:
                self._ending[principal] = now
            for principal, since in list(self._ending.items()):
                if now - since > ENDING_MEMORY_S:
                    del self._ending[principal]
            threaded = sum(self._threaded.get(p, 0) for p in principals)
        return self.hub.close_principals(principals) + threaded

    def _enter(self, principal: str) -> None:
        with self._viewer_lock:
            self._threaded[principal] = self._threaded.get(principal, 0) + 1

    def _leave(self, principal: str) -> None:
        with self._viewer_lock:
            self._threaded[principal] -= 1
            if not self._threaded[principal]:
                del self._threaded[principal]

    def _ended(self, principal: str) -> bool:
        return bool(principal) and principal in self._ending

    # -- opening a live viewer: one slot, then the hub (socket handed over) or the server's thread --
    def open_mjpeg(self, cam_id: str | None, width: int | None, principal: str,
                   take_socket: TakeSocket) -> Iterable[bytes] | None:
        """A live MJPEG viewer of a camera (the mosaic when cam_id is None).

        One viewer slot is taken here and held until the viewer leaves. None when the socket went
        to the hub (the server must send nothing); else the body to stream on the server's
        thread. Raises TooManyViewers when every slot is taken.
        """
        sock = self._slot_and_socket(take_socket)
        if sock is not None:
            self._serve_mjpeg_socket(sock, cam_id, width, principal)
            return None
        parts = self._camera_parts(cam_id, width, principal) if cam_id else self._mosaic_parts(width, principal)
        return HeldSlot(parts, self.release_viewer)

    def mp4_feed(self, cam_id: str) -> LiveFeed:
        """The camera's live fMP4 feed, with a picture to start on; raises NoLiveVideo."""
        reader = self.readers[cam_id]
        feed = reader.live
        if feed is None:
            raise NoLiveVideo(never=True)
        if not feed.ready() or reader.live_reader.state() is State.OFFLINE:
            raise NoLiveVideo(never=False)
        return feed

    def open_mp4(self, cam_id: str, principal: str, take_socket: TakeSocket) -> Iterable[bytes] | None:
        """A live fMP4 viewer (Media Source Extensions), as open_mjpeg; raises NoLiveVideo too."""
        feed = self.mp4_feed(cam_id)
        sock = self._slot_and_socket(take_socket)
        if sock is not None:
            self._serve_mp4_socket(feed, sock, cam_id, principal)
            return None
        return HeldSlot(self._mp4_chunks(feed, principal), self.release_viewer)

    def _slot_and_socket(self, take_socket: TakeSocket) -> socket.socket | None:
        """Take a viewer slot (TooManyViewers if none), then the socket if the server gives it up."""
        if not self.try_add_viewer():
            raise TooManyViewers
        try:
            return take_socket()
        except BaseException:
            self.release_viewer()
            raise

    def _serve_mp4_socket(self, feed: LiveFeed, sock: socket.socket, cam_id: str, principal: str) -> bool:
        """Hand the socket to the hub with the head, init segment and cached GOP; the feed publishes
        each fragment to the hub from its first such viewer on. False (slot released, socket
        closed) when the relay is stopping."""
        key = ("mp4", cam_id)
        if feed.hub_publish is None:  # a racing second assignment is the same publisher
            feed.hub_publish = lambda data, keyframe: self.hub.publish(key, data, resync=keyframe)
        self.hub.start()
        head = response_head(feed, cors=self.cross_origin)
        viewer = None if self.stopping.is_set() else feed.attach_hub(lambda first: self.hub.attach(
            sock, head + first, key, principal=principal, on_close=lambda _v: self.release_viewer()))
        if viewer is None:  # the hub is stopping
            self.release_viewer()
            with contextlib.suppress(OSError):
                sock.close()
            return False
        return True

    def _mp4_chunks(self, feed: LiveFeed, principal: str) -> Generator[bytes, None, None]:
        """fMP4 for one viewer on the server's thread; it ends when its principal is revoked."""
        self._enter(principal)
        chunks = stream_chunks(feed, self.stopping)
        try:
            for data in chunks:
                if self._ended(principal):
                    break
                yield data
        finally:
            chunks.close()  # detaches the viewer from the feed now, not when collected
            self._leave(principal)

    def _camera_parts(self, cam_id: str, width: int | None, principal: str = "") -> Generator[bytes, None, None]:
        """MJPEG parts for one viewer on the server's thread (the caller holds its slot: HeldSlot)."""
        reader = self.readers[cam_id]
        with self._viewer_lock:
            reader.viewers += 1
        self._enter(principal)
        try:
            seq = 0
            frame = reader.slot.latest
            width = self.renditions.snap(width, frame.width if frame else 0)  # bounded cache keys
            if frame is None or reader.state() is State.OFFLINE:
                yield mjpeg_part(self.snapshot(cam_id, width)[0])
            while not self.stopping.is_set():
                frame = reader.slot.wait_newer(seq, timeout=1.0)
                if self.stopping.is_set() or self._ended(principal):
                    break
                if frame is None:  # no news for a second: repeat a picture so proxies keep the stream
                    yield mjpeg_part(self.snapshot(cam_id, width)[0])
                    continue
                seq = frame.seq
                yield self.part(cam_id, frame, width)
        finally:
            with self._viewer_lock:
                reader.viewers -= 1
            self._leave(principal)

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

    def _mosaic_parts(self, width: int | None = None, principal: str = "") -> Generator[bytes, None, None]:
        """The mosaic for one viewer on the server's thread (the caller holds its slot: HeldSlot)."""
        mosaic = self.mosaic_for(width)
        self._enter(principal)
        try:
            yield mjpeg_part(mosaic.current().jpeg)
            while True:
                frame = mosaic.next_tick(self.stopping)
                if frame is None or self._ended(principal):
                    break
                yield frame.part
        finally:
            self._leave(principal)

    # -- viewers handed to the hub (servers that give up the socket: see streams.handover) -------
    def _serve_mjpeg_socket(self, sock: socket.socket, cam_id: str | None, width: int | None = None,
                            principal: str = "") -> bool:
        """Send the head and current picture of a camera (or the mosaic when cam_id is None) and
        hand the socket to the hub; returns at once. The caller holds a viewer slot
        (open_mjpeg); it is released when the viewer leaves, however it leaves. False if the
        hub is not running: the slot is released and the socket closed here.
        """
        reader = self.readers[cam_id] if cam_id else None
        if reader is None:
            mosaic = self.mosaic_for(width)
            width = mosaic.tile_w  # the feed key: every request for this mosaic shares one
            first = mosaic.current().part
        else:
            frame = reader.slot.latest
            # Snapped once here: feeds and caches are keyed by the few allowed widths only.
            width = self.renditions.snap(width, frame.width if frame else 0)
            live = frame is not None and reader.state() is not State.OFFLINE
            first = self.part(cam_id, frame, width) if live else mjpeg_part(self.snapshot(cam_id, width)[0])
            with self._viewer_lock:
                reader.viewers += 1
        key = (cam_id or "", width)

        def release(_viewer: object) -> None:
            if reader is not None:
                with self._viewer_lock:
                    reader.viewers -= 1
            self.release_viewer()

        self.hub.start()
        if self.stopping.is_set() or self.hub.attach(
                sock, self.stream_head + wire_chunk(first), key, principal=principal, on_close=release) is None:
            release(None)
            with contextlib.suppress(OSError):
                sock.close()
            return False
        self._ensure_producer(key)
        return True

    def _ensure_producer(self, key: tuple[str, int | None]) -> None:
        """A producer for a watched feed; it ends when its last viewer leaves.

        Full-size camera feeds share ONE pacer thread (PACER key): it wakes every PACE_S and
        publishes each watched camera's newest frame, so the hub is woken once per tick rather
        than once per camera frame, and 32 threads never contend for the GIL to publish.
        Renditions and mosaics have a thread each (they encode or build, and wait on their own).
        """
        if key[0] and key[1] is None:
            key = PACER
        with self._fanout_lock:
            thread = self._fanouts.get(key)
            if thread is not None and thread.is_alive():
                return
            if key == PACER:
                target, args = self._pace, ()
            else:
                target, args = (self._produce_mosaic if key[0] == "" else self._produce_camera), (key,)
            thread = threading.Thread(target=target, args=args, daemon=True,
                                      name=f"relay-feed-{key[0] or 'mosaic'}-{key[1] or 'full'}")
            self._fanouts[key] = thread
            thread.start()

    def _still_watched(self, key: tuple[str, int | None]) -> bool:
        """False (and the producer is forgotten) when nobody watches; checked under the lock
        _ensure_producer takes, so a viewer arriving meanwhile always gets a producer."""
        with self._fanout_lock:
            if self.stopping.is_set() or not self.hub.watching(key):
                return self._forget(key)
            return True

    def _forget(self, key: tuple[str, int | None]) -> bool:
        """Mark this producer ended (caller holds _fanout_lock); always False."""
        if self._fanouts.get(key) is threading.current_thread():
            self._fanouts[key] = _ENDED
        return False

    def _pace(self) -> None:
        """Every PACE_S: each watched camera's newest full-size frame to its viewers (see above)."""
        sent: dict[str, tuple[int, float]] = {}  # camera -> (frame seq, when); at most one per camera
        while not self.stopping.wait(PACE_S):
            with self._fanout_lock:
                feeds = self.hub.feeds()
                watched = [cam for cam in self.readers if (cam, None) in feeds]
                if not watched:
                    self._forget(PACER)
                    return
            now = time.monotonic()
            for cam_id in watched:
                frame = self.readers[cam_id].slot.latest
                seq, when = sent.get(cam_id, (-1, now))
                try:
                    if frame is not None and frame.seq != seq:
                        self.hub.publish((cam_id, None), self.wire(cam_id, frame, None))
                        sent[cam_id] = (frame.seq, now)
                    elif now - when >= 1.0:  # no news for a second: repeat a picture so proxies keep it
                        self.hub.publish((cam_id, None), wire_chunk(mjpeg_part(self.snapshot(cam_id, None)[0])))
                        sent[cam_id] = (seq, now)
                    else:
                        sent.setdefault(cam_id, (seq, when))
                except Exception:  # noqa: BLE001 (a bad frame must never stop the pacer)
                    log.exception("camera feed %s failed on a frame", cam_id)

    def _produce_camera(self, key: tuple[str, int | None]) -> None:
        cam_id, width = key
        reader = self.readers[cam_id]
        latest = reader.slot.latest
        seq = latest.seq if latest else 0
        while self._still_watched(key):
            frame = reader.slot.wait_newer(seq, timeout=1.0)
            if self.stopping.is_set():
                return
            try:
                if frame is None:  # no news for a second: repeat a picture so proxies keep the stream
                    self.hub.publish(key, wire_chunk(mjpeg_part(self.snapshot(cam_id, width)[0])))
                    continue
                seq = frame.seq
                self.hub.publish(key, self.wire(cam_id, frame, width))
            except Exception:  # noqa: BLE001 (a bad frame must never end the feed)
                log.exception("camera feed %s failed on a frame", cam_id)

    def _produce_mosaic(self, key: tuple[str, int | None]) -> None:
        mosaic = self._mosaics.get(key[1], self.mosaic)
        while self._still_watched(key):
            frame = mosaic.next_tick(self.stopping)
            if frame is None:
                return
            self.hub.publish(key, frame.wire)

    def stop(self) -> None:
        """End every stream: the generators and producers see `stopping`, the hub closes its viewers."""
        self.stopping.set()
        self.hub.stop()


_ENDED = threading.Thread(name="relay-feed-ended")  # marks a finished producer (never started)
PACER: tuple[str, int | None] = ("*", None)  # the _fanouts key of the full-size pacer
