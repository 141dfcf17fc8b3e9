"""StreamHub: one selector thread writes live byte streams to many non-blocking viewer sockets.

Why: a WSGI server that serves an endless response holds one of its threads per viewer for as
long as the viewer watches; 64 viewers froze a 64-thread waitress. Here a request thread only
answers the request (access, slot, head) and hands the socket over; from then on this hub's one
thread sends every byte, so the number of viewers costs sockets and memory, never threads.

The interface is general, for any live byte stream fanned out to many sockets (MJPEG parts
today, fragmented-MP4 fragments for MSE tomorrow):

    viewer = hub.attach(sock, head, feed, principal=..., on_close=...)  # request thread
    hub.publish(feed, data, resync=True)   # producer thread, once per frame/fragment per feed
    hub.watching(feed) -> bool             # producers stop when nobody watches

`head` (HTTP response head + whatever a new viewer needs first: the current picture, or an
fMP4 init segment and the last keyframe fragment) is always sent whole. After it, a viewer
that falls behind skips data rather than buffering it: `resync=True` marks a chunk a lagging
viewer may restart at (every MJPEG part; an fMP4 fragment that starts with a keyframe). Bounds
per viewer: the chunk in flight plus queued chunks up to `max_queue_bytes` (an MJPEG viewer
therefore holds at most one frame besides the one being sent; chunks are shared bytes objects,
never copied per viewer). A viewer that takes nothing for `write_timeout` seconds is closed.

Every way a viewer leaves ends in `_close`, which calls its `on_close` exactly once: the
client closing or resetting the connection (seen as EOF/error on read or write), never
reading (write timeout), its principal revoked (`close_principals`), or the hub stopping.
"""
from __future__ import annotations

import collections
import contextlib
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterable

log = logging.getLogger(__name__)

WRITE_TIMEOUT_S = 10.0  # a viewer that accepts no byte for this long is gone (or never reads)
MAX_QUEUE_BYTES = 4 << 20  # queued, not yet sent data per viewer (beyond the chunk in flight)
READ_DISCARD = 4096  # a viewer sends nothing after its request; whatever comes is read and dropped
# Kernel send buffer per viewer: big enough for a 1080p mosaic frame in one send, small enough
# that a slow viewer lags by a few frames at most (what the kernel holds is beyond our dropping).
SEND_BUFFER = 512 << 10


class Viewer:
    """One attached socket: what is in flight, what is queued, who it is, how to release it."""

    __slots__ = ("sock", "feed", "principal", "inflight", "queue", "queued", "skipping",
                 "last_progress", "on_close", "closed", "ending", "sent", "dropped", "fd")

    def __init__(self, sock: socket.socket, head: bytes, feed: Hashable, principal: str,
                 on_close: Callable[[Viewer], None] | None) -> None:
        self.sock, self.feed, self.principal, self.on_close = sock, feed, principal, on_close
        self.fd = sock.fileno()
        self.inflight: memoryview | None = memoryview(head) if head else None  # never dropped
        # Bounded by MAX_QUEUE_BYTES (and, for resync chunks, to one chunk): see StreamHub.publish.
        self.queue: collections.deque[bytes] = collections.deque()
        self.queued = 0  # bytes in `queue`
        self.skipping = False  # dropped a chunk that was not a resync point: wait for the next one
        self.last_progress = time.monotonic()
        self.closed = False
        self.ending = ""  # set by other threads: the hub thread closes the viewer with this reason
        self.sent = 0
        self.dropped = 0  # chunks skipped because the viewer was behind

    @property
    def pending(self) -> bool:
        return self.inflight is not None or bool(self.queue)


class StreamHub:
    """Many viewers, one writer thread; see the module docstring for the contract."""

    def __init__(self, name: str = "stream-hub", write_timeout: float = WRITE_TIMEOUT_S,
                 max_queue_bytes: int = MAX_QUEUE_BYTES, send_buffer: int = SEND_BUFFER) -> None:
        self.name = name
        self.write_timeout = write_timeout
        self.max_queue_bytes = max_queue_bytes
        self.send_buffer = send_buffer
        self.idle_wait = 0.5  # longest sleep without a wake (timeouts are checked each second)
        self._lock = threading.Lock()  # guards the registries and every viewer's queue
        self._feeds: dict[Hashable, set[Viewer]] = {}  # bounded by the viewers attached
        self._viewers: dict[int, Viewer] = {}  # by fd; bounded by the callers' slot limit
        self._dirty: set[Viewer] = set()  # viewers with new data to try to send
        self._added: list[Viewer] = []  # attached, not yet registered with the selector
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._woken = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.closed_reasons: collections.Counter[str] = collections.Counter()  # a few fixed keys

    # -- any thread ---------------------------------------------------------------------------
    def start(self) -> StreamHub:
        with self._lock:
            if self._thread is None:
                self._selector.register(self._wake_r, selectors.EVENT_READ, None)
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every viewer (their on_close runs) and end the thread."""
        self._stopping.set()
        self._wake()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping.is_set()

    def attach(self, sock: socket.socket, head: bytes, feed: Hashable, *, principal: str = "",
               on_close: Callable[[Viewer], None] | None = None) -> Viewer | None:
        """Take over `sock` (connected, request already read); None if the hub is stopping.

        From here on the hub owns the socket: it closes it, and calls `on_close(viewer)` once.
        """
        if not self.running:
            return None
        sock.setblocking(False)
        with contextlib.suppress(OSError):  # platform limits: keep the default buffer
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
        viewer = Viewer(sock, head, feed, principal, on_close)
        with self._lock:
            self._feeds.setdefault(feed, set()).add(viewer)
            self._viewers[viewer.fd] = viewer
            self._added.append(viewer)
            self._dirty.add(viewer)
        self._wake()
        return viewer

    def publish(self, feed: Hashable, data: bytes, resync: bool = True) -> int:
        """Queue `data` for every viewer of `feed`; returns how many viewers took it.

        A viewer with queued (unsent) data is behind: at a resync point its queue is replaced
        by this chunk; otherwise the chunk is queued while the queue stays under the bound,
        and past it the viewer skips until the next resync point.
        """
        taken = 0
        with self._lock:
            for viewer in self._feeds.get(feed, ()):
                if viewer.ending or viewer.closed:
                    continue
                if resync:
                    if viewer.queue:
                        viewer.dropped += len(viewer.queue)
                        viewer.queue.clear()
                        viewer.queued = 0
                    viewer.skipping = False
                elif viewer.skipping or viewer.queued + len(data) > self.max_queue_bytes:
                    if not viewer.skipping:
                        viewer.dropped += len(viewer.queue)
                        viewer.queue.clear()
                        viewer.queued = 0
                        viewer.skipping = True
                    viewer.dropped += 1
                    continue
                viewer.queue.append(data)
                viewer.queued += len(data)
                self._dirty.add(viewer)
                taken += 1
        if taken:
            self._wake()
        return taken

    def watching(self, feed: Hashable) -> bool:
        with self._lock:
            return bool(self._feeds.get(feed))

    def feeds(self) -> set[Hashable]:
        """Every feed with at least one viewer (one lock for a producer serving many feeds)."""
        with self._lock:
            return set(self._feeds)

    def count(self, feed: Hashable | None = None) -> int:
        with self._lock:
            return len(self._viewers) if feed is None else len(self._feeds.get(feed, ()))

    def principals(self) -> set[str]:
        """Principals with an open stream (for the revocation check)."""
        with self._lock:
            return {v.principal for v in self._viewers.values() if v.principal}

    def close_principals(self, principals: Iterable[str], reason: str = "revoked") -> int:
        """End every stream of these principals (within one hub cycle); returns how many."""
        wanted = set(principals)
        n = 0
        with self._lock:
            for viewer in self._viewers.values():
                if viewer.principal in wanted and not viewer.ending:
                    viewer.ending = reason
                    n += 1
        if n:
            self._wake()
        return n

    def _wake(self) -> None:
        if self._woken:
            return  # one byte in the pipe is enough until the hub thread drains it
        self._woken = True
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"\0")

    # -- the hub thread --------------------------------------------------------------------------
    def _run(self) -> None:
        next_check = time.monotonic() + 1.0
        try:
            while not self._stopping.is_set():
                for key, mask in self._selector.select(timeout=self.idle_wait):
                    viewer = key.data
                    if viewer is None:
                        self._drain_wake()
                        continue
                    if mask & selectors.EVENT_READ:
                        self._on_readable(viewer)
                    if mask & selectors.EVENT_WRITE and not viewer.closed:
                        self._flush(viewer)
                self._service()
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + 1.0
                    self._check_timeouts(now)
        except Exception:  # noqa: BLE001 (logged; every viewer is still released below)
            log.exception("stream hub %s failed", self.name)
        finally:
            with self._lock:
                rest = list(self._viewers.values())
                self._stopping.set()
            for viewer in rest:
                self._close(viewer, "stopped")
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()

    def _drain_wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while self._wake_r.recv(4096):
                pass
        # Reset only after draining: a wake sent before this point is drained above and its data
        # is in _dirty for the _service() that follows; one sent after it finds the flag False
        # and leaves a byte for the next select. (Resetting first lost wakes: a byte drained
        # here left the flag True, and later publishers skipped waking a sleeping hub.)
        self._woken = False

    def _service(self) -> None:
        with self._lock:
            added, self._added = self._added, []
            dirty, self._dirty = self._dirty, set()
            ending = [v for v in self._viewers.values() if v.ending]
        for viewer in added:
            if not viewer.closed:
                try:
                    self._selector.register(viewer.sock, selectors.EVENT_READ, viewer)
                except (OSError, ValueError):
                    self._close(viewer, "gone")
        for viewer in ending:
            self._close(viewer, viewer.ending)
        for viewer in dirty:
            if not viewer.closed:
                self._flush(viewer)

    def _on_readable(self, viewer: Viewer) -> None:
        try:
            data = viewer.sock.recv(READ_DISCARD)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(viewer, "reset")
            return
        if not data:
            self._close(viewer, "left")

    def _flush(self, viewer: Viewer) -> None:
        """Send what the socket takes now; wait for EVENT_WRITE only when it takes less."""
        while True:
            if viewer.inflight is None:
                with self._lock:
                    if not viewer.queue:
                        break
                    chunk = viewer.queue.popleft()
                    viewer.queued -= len(chunk)
                viewer.inflight = memoryview(chunk)
            try:
                sent = viewer.sock.send(viewer.inflight)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._close(viewer, "reset")
                return
            if sent:
                viewer.sent += sent
                viewer.last_progress = time.monotonic()
            if sent < len(viewer.inflight):
                viewer.inflight = viewer.inflight[sent:]
                self._want_write(viewer, True)
                return
            viewer.inflight = None
        self._want_write(viewer, False)

    def _want_write(self, viewer: Viewer, on: bool) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0)
        try:
            if self._selector.get_key(viewer.sock).events != events:
                self._selector.modify(viewer.sock, events, viewer)
        except (KeyError, ValueError, OSError):
            pass  # not registered yet (registered on the next service) or already closed

    def _check_timeouts(self, now: float) -> None:
        with self._lock:
            late = [v for v in self._viewers.values()
                    if v.pending and now - v.last_progress > self.write_timeout]
        for viewer in late:
            self._close(viewer, "write timeout")

    def _close(self, viewer: Viewer, reason: str) -> None:
        if viewer.closed:
            return
        viewer.closed = True
        with self._lock:
            self._viewers.pop(viewer.fd, None)
            feed = self._feeds.get(viewer.feed)
            if feed is not None:
                feed.discard(viewer)
                if not feed:
                    del self._feeds[viewer.feed]
            self._dirty.discard(viewer)
            viewer.queue.clear()
            viewer.queued = 0
        viewer.inflight = None
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(viewer.sock)
        with contextlib.suppress(OSError):
            viewer.sock.shutdown(socket.SHUT_RDWR)
        viewer.sock.close()
        self.closed_reasons[reason] += 1
        if viewer.on_close is not None:
            try:
                viewer.on_close(viewer)
            except Exception:  # noqa: BLE001 (a release hook must never stop the hub)
                log.exception("on_close of a %s viewer failed", self.name)
