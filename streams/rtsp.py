"""A small RTSP/TCP server for the simulator: replays encoded loops as interleaved RTP with fresh timestamps.

Only what cameras do for a relay: OPTIONS, DESCRIBE (SDP with parameter sets), SETUP with
RTP/AVP/TCP interleaved transport (UDP is refused with 461), PLAY, GET_PARAMETER keep-alives and
TEARDOWN. One sender thread paces every stream; a session that cannot keep up skips to the next
keyframe, as a camera with a full send buffer does.
"""
from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import random
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .rtp import CLOCK, interleaved, packetise, rtp_header, sdp, sei_nal
from .simloop import Loop

log = logging.getLogger(__name__)
MAX_REQUEST = 16 * 1024  # an RTSP request larger than this is not from a camera client


@dataclass(eq=False)
class Session:
    """One client connection that has PLAYed a stream."""

    sock: socket.socket
    channel: int = 0
    playing: bool = False
    need_key: bool = True  # start (and restart after a skip) on a keyframe, as decoders need
    pending: memoryview | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False

    def offer(self, data: bytes, key: bool) -> None:
        """Non-blocking send from the pacing thread; a backed-up session skips frames to the next keyframe."""
        if self.closed or not self.lock.acquire(blocking=False):
            return
        try:
            if self.pending is not None:
                sent = self.sock.send(self.pending, socket.MSG_DONTWAIT)
                self.pending = self.pending[sent:] if sent < len(self.pending) else None
                if self.pending is not None:
                    self.need_key = True
                    return
            if self.need_key and not key:
                return
            self.need_key = False
            sent = self.sock.send(data, socket.MSG_DONTWAIT)
            if sent < len(data):
                self.pending = memoryview(data)[sent:]
        except BlockingIOError:
            self.need_key = True
        except OSError:
            self.close()
        finally:
            self.lock.release()

    def reply(self, data: bytes) -> None:
        """An RTSP response: after any partly sent RTP packet, never inside one."""
        with self.lock:
            if self.pending is not None:
                self.sock.sendall(self.pending)
                self.pending = None
            self.sock.sendall(data)

    def close(self) -> None:
        self.closed, self.playing = True, False
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


class RtspStream:
    """One path (`<camera>/main`): a loop pre-packetised once, replayed at its frame rate."""

    def __init__(self, path: str, cam_id: str, loop: Loop) -> None:
        self.path, self.cam_id, self.loop = path, cam_id, loop
        self.codec, self.fps = loop.spec.codec, loop.spec.fps
        self.payloads = [packetise(nals, self.codec) for nals in loop.frames]  # once, not per frame sent
        self.sdp = sdp(self.codec, loop.params, self.fps)
        self.ssrc = random.getrandbits(32)
        self.seq = random.getrandbits(16)
        self.index = 0
        self.sessions: tuple[Session, ...] = ()  # copy-on-write: the sender reads without a lock
        self.running = True
        self.jump_to_key = False
        self.total_sessions = 0
        self.frames_sent = 0

    def send_frame(self, stamp: float) -> None:
        """The next frame of the loop to every playing session, stamped with the capture time `stamp`."""
        live = [s for s in self.sessions if s.playing]
        if self.jump_to_key and live:
            # A first viewer starts on a keyframe now, as cameras send an IDR on a new session: the loop
            # skips ahead to its next keyframe instead of making the client wait up to a whole GOP.
            self.jump_to_key = False
            while not self.loop.keyframes[self.index % len(self.payloads)]:
                self.index += 1
        index = self.index % len(self.payloads)
        self.index += 1
        if not live or not self.running:
            return
        key = self.loop.keyframes[index]
        payloads = [sei_nal(self.codec, stamp), *self.payloads[index]]
        timestamp = int(stamp * CLOCK)
        last = len(payloads) - 1
        wire: dict[int, bytes] = {}
        for session in live:
            data = wire.get(session.channel)
            if data is None:  # built once per channel (in practice once), shared by every session
                data = b"".join(interleaved(session.channel, rtp_header(self.seq + i, timestamp, self.ssrc, i == last) + p)
                                for i, p in enumerate(payloads))
                wire[session.channel] = data
            session.offer(data, key)
        self.seq = (self.seq + len(payloads)) & 0xFFFF
        self.frames_sent += 1

    def add(self, session: Session) -> None:
        self.sessions = (*self.sessions, session)
        self.total_sessions += 1

    def remove(self, session: Session) -> None:
        self.sessions = tuple(s for s in self.sessions if s is not session)


class RtspServer:
    """Serves RtspStreams at rtsp://host:port/<path> on a threading TCP server plus one pacing thread."""

    def __init__(self, streams: list[RtspStream], host: str = "127.0.0.1", port: int = 0) -> None:
        self.streams = {s.path: s for s in streams}
        self._stop = threading.Event()
        server = self
        self._tcp = socketserver.ThreadingTCPServer((host, port), _handler(server), bind_and_activate=False)
        self._tcp.daemon_threads = True
        self._tcp.allow_reuse_address = True
        self._tcp.server_bind()
        self._tcp.server_activate()
        self.host, self.port = self._tcp.server_address[:2]
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        return f"rtsp://{self.host}:{self.port}"

    def add(self, streams: list[RtspStream]) -> None:
        """Streams to serve (before start(): the pacing thread reads the set once)."""
        self.streams.update({s.path: s for s in streams})

    def start(self) -> RtspServer:
        for target, name in ((self._tcp.serve_forever, "sim-rtsp"), (self._pace, "sim-rtsp-pace")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for stream in self.streams.values():
            for session in stream.sessions:
                session.close()
        self._tcp.shutdown()
        self._tcp.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def set_running(self, cam_id: str, running: bool) -> None:
        """Stop (drop every session, refuse new ones with 503) or restart a camera's streams."""
        for stream in self.streams.values():
            if stream.cam_id == cam_id:
                stream.running = running
                if not running:
                    for session in stream.sessions:
                        session.close()

    def _pace(self) -> None:
        # Each stream on its own clock, phases spread over the frame period like independent cameras.
        now = time.time()
        order = itertools.count()
        heap = [(now + (i % 8) / 8 / s.fps, next(order), s) for i, s in enumerate(self.streams.values())]
        heapq.heapify(heap)
        while heap and not self._stop.is_set():
            due, _, stream = heap[0]
            delay = due - time.time()
            if delay > 0 and self._stop.wait(delay):
                break
            heapq.heappop(heap)
            with contextlib.suppress(Exception):  # one broken stream must not stop the others
                stream.send_frame(due)
            period = 1.0 / stream.fps
            due += period
            if time.time() - due > 4 * period:  # fell behind (machine busy): skip instead of bursting
                due = time.time() + period
            heapq.heappush(heap, (due, next(order), stream))


def _handler(server: RtspServer) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = Session(sock)
            stream: RtspStream | None = None
            reader = sock.makefile("rb")
            try:
                while not server._stop.is_set() and not session.closed:
                    first = reader.read(1)
                    if not first:
                        return
                    if first == b"$":  # interleaved data from the client (RTCP receiver reports): skip
                        head = reader.read(3)
                        if len(head) < 3:
                            return
                        reader.read(int.from_bytes(head[1:3], "big"))
                        continue
                    request = self._request(first, reader)
                    if request is None:
                        return
                    stream = self._answer(session, stream, *request)
            except OSError:
                pass
            finally:
                session.close()
                if stream is not None:
                    stream.remove(session)
                reader.close()

        def _request(self, first: bytes, reader) -> tuple[str, str, dict[str, str]] | None:
            lines, size = [first + reader.readline(MAX_REQUEST)], 0
            while True:
                line = reader.readline(MAX_REQUEST)
                size += len(line)
                if not line or size > MAX_REQUEST:
                    return None
                if line in (b"\r\n", b"\n"):
                    break
                lines.append(line)
            parts = lines[0].decode("latin-1").split()
            if len(parts) != 3:
                return None
            headers = {}
            for line in lines[1:]:
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if length:
                reader.read(min(length, MAX_REQUEST))
            return parts[0].upper(), parts[1], headers

        def _answer(self, session: Session, stream: RtspStream | None, method: str, url: str,
                    headers: dict[str, str]) -> RtspStream | None:
            cseq = headers.get("cseq", "0")
            sid = f"{id(session) & 0xFFFFFFFF:08x}"

            def send(status: str, extra: dict[str, str] | None = None, body: str = "") -> None:
                head = [f"RTSP/1.0 {status}", f"CSeq: {cseq}", "Server: ops-sim-camera"]
                head += [f"{k}: {v}" for k, v in (extra or {}).items()]
                if body:
                    head.append(f"Content-Length: {len(body.encode())}")
                session.reply(("\r\n".join(head) + "\r\n\r\n" + body).encode())

            path = urlsplit(url).path.strip("/")
            target = server.streams.get(path) or server.streams.get(path.rsplit("/", 1)[0])
            if method == "OPTIONS":
                send("200 OK", {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER"})
            elif method in ("GET_PARAMETER", "SET_PARAMETER"):
                send("200 OK", {"Session": sid})
            elif target is None:
                send("404 Not Found")
            elif not target.running:
                send("503 Service Unavailable")
            elif method == "DESCRIBE":
                send("200 OK", {"Content-Type": "application/sdp", "Content-Base": url.rstrip("/") + "/"},
                     target.sdp)
            elif method == "SETUP":
                transport = headers.get("transport", "")
                if "TCP" not in transport.upper():
                    send("461 Unsupported Transport")  # interleaved TCP only (rtsp_transport=tcp)
                    return stream
                channel = 0
                if "interleaved=" in transport:
                    with contextlib.suppress(ValueError):
                        channel = int(transport.split("interleaved=", 1)[1].split("-")[0].split(";")[0])
                session.channel = channel
                send("200 OK", {"Transport": f"RTP/AVP/TCP;unicast;interleaved={channel}-{channel + 1};"
                                f"ssrc={target.ssrc:08X}", "Session": f"{sid};timeout=60"})
                if stream is None:
                    target.add(session)
                    return target
            elif method == "PLAY":
                if stream is None:
                    send("455 Method Not Valid in This State")
                    return stream
                send("200 OK", {"Session": sid, "Range": "npt=0.000-"})
                stream.jump_to_key = not any(s.playing for s in stream.sessions)
                session.need_key, session.playing = True, True
            elif method == "TEARDOWN":
                send("200 OK", {"Session": sid})
                session.close()
            else:
                send("501 Not Implemented")
            return stream

    return Handler
