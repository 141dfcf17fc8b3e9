"""Live H.264 to browsers without transcoding: one fMP4 feed per camera stream, a GOP cache, shared bytes."""
from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from . import fmp4

T = TypeVar("T")
GOP_MAX_FRAGMENTS = 300  # bound of the GOP cache (12 s at 25 fps); a longer GOP is not cached past it
GOP_MAX_BYTES = 24 * 1024 * 1024  # and its byte bound
VIEWER_MAX_QUEUED = 8 * 1024 * 1024  # bytes queued for one viewer before it skips to the next keyframe
DEFAULT_DURATION = 3600  # 90 kHz ticks of one frame at 25 fps, until the stream shows its own rate


class LiveViewer:
    """One MSE viewer on a server's thread (a WSGI generator), fed through a bounded queue.

    Viewers whose socket was handed over are the relay's hub's (hub_publish below), not these.
    A viewer that cannot keep up skips to the next keyframe: dropping a frame in the middle of a
    group of pictures would break every later picture of that group.
    """

    def __init__(self) -> None:
        self.queue: collections.deque[bytes] = collections.deque()  # bounded by VIEWER_MAX_QUEUED bytes
        self.queued = 0
        self.need_key = False
        self.pending_init = False  # joined before any keyframe: the init segment goes with the first one
        self.cond = threading.Condition()
        self.done = threading.Event()
        self.bytes_out = 0

    def offer(self, data: bytes, key: bool) -> None:
        """Queue a fragment for the generator, or skip to the next keyframe when too far behind."""
        with self.cond:
            if self.done.is_set() or (self.need_key and not key):
                return
            if self.queued + len(data) > VIEWER_MAX_QUEUED:  # too far behind: drop to the next keyframe
                self.queue.clear()
                self.queued, self.need_key = 0, True
                if not key:
                    return
            self.queue.append(data)
            self.queued += len(data)
            self.need_key = False
            self.cond.notify()

    def chunks(self, stop: threading.Event) -> Iterator[bytes]:
        """What a WSGI generator sends: everything queued, joined, as it arrives."""
        while not stop.is_set() and not self.done.is_set():
            with self.cond:
                if not self.queue:
                    self.cond.wait(1.0)
                if not self.queue:
                    continue
                data = b"".join(self.queue)
                self.queue.clear()
                self.queued = 0
            self.bytes_out += len(data)
            yield data

    def close(self) -> None:
        self.done.set()
        with self.cond:
            self.cond.notify_all()


class LiveFeed:
    """The fMP4 of one H.264 stream: fed access units by the stream's reader thread, shared by all viewers.

    Each access unit becomes one fragment (moof+mdat), built once and sent as the same bytes to
    every viewer, so a picture leaves the relay as soon as it arrived. The fragments since the
    last keyframe are kept (the GOP cache): a new viewer gets the init segment and that group at
    once and shows a picture without waiting for the camera's next keyframe. The output timeline
    continues across reconnects of the camera, so open viewers keep playing.
    """

    def __init__(self, cam_id: str) -> None:
        self.cam_id = cam_id
        self.lock = threading.Lock()  # guards everything below; held only for list work, never a send
        self.init: bytes = b""
        self.codec = ""
        self.gop: list[bytes] = []
        self._gop_bytes = 0
        self._gop_open = False  # False once the GOP outgrew its bounds: cache again at the next keyframe
        self.viewers: tuple[LiveViewer, ...] = ()
        self.seq = 0
        self._time = 0  # output decode time of the next fragment (90 kHz)
        self._last_dts: int | None = None
        self._duration = DEFAULT_DURATION
        self._params: tuple[bytes, bytes] | None = None
        self._size = (0, 0)
        self.fragments = 0
        self.last_at = 0.0  # monotonic time of the newest fragment
        # Set by the relay (Relay.open_mp4): viewers whose sockets the relay's hub writes (streams/hub.py)
        # get every fragment as one HTTP chunk; a keyframe is where a lagging one resumes.
        self.hub_publish: Callable[[bytes, bool], object] | None = None

    # -- from the reader ---------------------------------------------------------------------------
    def start_source(self, extradata: bytes | None, width: int, height: int) -> None:
        """A (re)connected source: parameter sets from the SDP, and a fresh timestamp origin."""
        with self.lock:
            self._size = (width, height)
            self._last_dts = None
            self._time += self._duration  # one frame of gap after a reconnect keeps the timeline rising
            self.gop, self._gop_bytes, self._gop_open = [], 0, False
            for viewer in self.viewers:  # a camera may resume mid-GOP: open viewers wait for a keyframe
                viewer.need_key = True
            if extradata:
                self._set_params(*fmp4.parameter_sets(extradata))

    def _set_params(self, sps: bytes | None, pps: bytes | None) -> bool:
        """Rebuild the init segment when the parameter sets change; True when they did."""
        if sps is None or pps is None or (sps, pps) == self._params or not all(self._size):
            return False
        self._params = (sps, pps)
        self.init = fmp4.init_segment(sps, pps, *self._size)
        self.codec = fmp4.codec_string(sps)
        return True

    def push(self, data: bytes, key: bool, dts: int | None, pts: int | None) -> None:
        """One access unit (Annex B) with its decode/presentation times in 90 kHz units (None if unknown)."""
        new_init = False
        with self.lock:
            if key:
                new_init = self._set_params(*fmp4.parameter_sets(data[:4096]))
            if not self.init:
                return  # nothing playable before the first parameter sets
            if dts is not None and self._last_dts is not None and 0 < dts - self._last_dts < 5 * 90000:
                self._duration = dts - self._last_dts
                self._time += self._duration
            elif self._last_dts is not None or self.fragments:
                self._time += self._duration
            if dts is not None:
                self._last_dts = dts
            cto = (pts - dts) if pts is not None and dts is not None else 0
            self.seq += 1
            frag = fmp4.fragment(self.seq, self._time, self._duration, data, key, cto)
            if key:
                self.gop, self._gop_bytes, self._gop_open = [], 0, True
            if self._gop_open:
                if len(self.gop) < GOP_MAX_FRAGMENTS and self._gop_bytes + len(frag) <= GOP_MAX_BYTES:
                    self.gop.append(frag)
                    self._gop_bytes += len(frag)
                else:
                    self._gop_open = False
            self.fragments += 1
            self.last_at = time.monotonic()
            viewers = self.viewers
            init = self.init
            out = init + frag if new_init else frag  # a changed picture size: a new init segment first
            if self.hub_publish is not None:  # under the lock: no fragment overtakes a joining head
                self.hub_publish(chunk(out), key)
        for viewer in viewers:
            if viewer.pending_init and key:  # joined while no GOP was cached: starts here
                viewer.pending_init = False
                viewer.offer(out if new_init else init + frag, key)
            else:
                viewer.offer(out, key)
        if any(v.done.is_set() for v in viewers):
            self._prune()

    # -- viewers -----------------------------------------------------------------------------------
    @property
    def mimetype(self) -> str:
        """The Content-Type of this feed's stream (the codec string from its parameter sets)."""
        return f'video/mp4; codecs="{self.codec}"'

    def ready(self) -> bool:
        return bool(self.init) and bool(self.gop)

    def attach(self, viewer: LiveViewer) -> None:
        """Register a viewer and queue its start: the init segment and the current GOP (or, without a
        cached GOP, the next keyframe), under the lock so no newer fragment can overtake them."""
        with self.lock:
            self.viewers = (*self.viewers, viewer)
            if self.gop:
                viewer.offer(self.init + b"".join(self.gop), True)
            else:
                viewer.need_key = True
                viewer.pending_init = True

    def attach_hub(self, attach: Callable[[bytes], T]) -> T:
        """Join a hub viewer: `attach(head)` is called with the HTTP head, the init segment and the
        cached GOP, under the lock, so no newer fragment can be published before them."""
        with self.lock:
            return attach(chunk(self.init + b"".join(self.gop)))

    def detach(self, viewer: LiveViewer) -> None:
        viewer.close()
        with self.lock:
            self.viewers = tuple(v for v in self.viewers if v is not viewer)

    def _prune(self) -> None:
        with self.lock:
            self.viewers = tuple(v for v in self.viewers if not v.done.is_set())

    def close_all(self) -> None:
        with self.lock:
            viewers, self.viewers = self.viewers, ()
        for viewer in viewers:
            viewer.close()


def chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk: clients hand each fragment over as it arrives instead of filling a buffer."""
    return b"%x\r\n" % len(data) + data + b"\r\n"


def response_head(feed: LiveFeed, cors: bool = False) -> bytes:
    """HTTP head of a live fMP4 stream written straight to a socket: chunked, never cached.

    cors: the standalone relay, which browsers fetch from the dashboard's origin (MSE uses fetch).
    """
    allow = "Access-Control-Allow-Origin: *\r\n" if cors else ""
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {feed.mimetype}\r\nCache-Control: no-store\r\n"
            f"{allow}X-Content-Type-Options: nosniff\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            ).encode()


def stream_chunks(feed: LiveFeed, stopping: threading.Event) -> Iterator[bytes]:
    """The same stream for a WSGI server that gives no socket: a generator over a bounded queue."""
    viewer = LiveViewer()
    feed.attach(viewer)
    try:
        yield from viewer.chunks(stopping)
    finally:
        feed.detach(viewer)
