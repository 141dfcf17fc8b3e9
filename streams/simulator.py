"""Simulated dam cameras on loopback: MJPEG over HTTP, H.264 in MPEG-TS, and broken sources."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .scene import DamScene

log = logging.getLogger(__name__)
BOUNDARY = "simframe"
TS_CHUNK = 188 * 7  # whole MPEG-TS packets, so a viewer joining mid-stream starts on a packet


@dataclass
class SimCamera:
    """One simulated camera: its scene, the latest shared JPEG and its connection counters."""

    cam_id: str
    name: str
    h264: bool = False
    scene: DamScene | None = None
    running: bool = True
    seq: int = 0
    jpeg: bytes = b""
    connections: int = 0  # open right now
    total_connections: int = 0  # ever accepted
    generation: int = 0  # bumped on stop so open streams end
    cond: threading.Condition = field(default_factory=threading.Condition)
    encoder: H264Encoder | None = None


class H264Encoder:
    """An ffmpeg subprocess turning raw BGR frames into MPEG-TS chunks shared by all TS viewers."""

    def __init__(self, width: int, height: int, fps: float) -> None:
        ffmpeg = shutil.which("ffmpeg")
        if not ffmpeg:
            raise RuntimeError("ffmpeg not found: needed for simulated H.264 cameras")
        self.proc = subprocess.Popen(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24",
             "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0", "-c:v", "libx264",
             "-preset", "ultrafast", "-tune", "zerolatency", "-g", str(int(fps)), "-pix_fmt", "yuv420p",
             "-threads", "1", "-f", "mpegts", "-muxdelay", "0", "-flush_packets", "1", "pipe:1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.cond = threading.Condition()
        self.chunk_seq = 0
        self.chunks: list[bytes] = []  # ring of recent chunks; viewers index by seq
        self.keyframe_seq = 0  # seq of the chunk that starts with the newest keyframe
        self._pending: bytes | None = None
        self._wake = threading.Event()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="sim-h264-read", daemon=True)
        self._writer = threading.Thread(target=self._write, name="sim-h264-write", daemon=True)
        self._reader.start()
        self._writer.start()

    def feed(self, raw: bytes) -> None:
        # Latest frame wins: a slow encoder skips frames instead of stalling the tick loop.
        self._pending = raw
        self._wake.set()

    def _write(self) -> None:
        assert self.proc.stdin is not None
        while not self._closed:
            self._wake.wait(0.5)
            self._wake.clear()
            raw, self._pending = self._pending, None
            if raw is None:
                continue
            try:
                self.proc.stdin.write(raw)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                return

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            chunk = self.proc.stdout.read(TS_CHUNK)
            if not chunk:
                break
            # Split at a keyframe packet so a new viewer can start its stream on it (clean decode).
            key = next((i for i in range(0, len(chunk) - 187, 188) if _random_access(chunk[i : i + 188])), None)
            parts = [chunk] if key is None else [p for p in (chunk[:key], chunk[key:]) if p]
            with self.cond:
                for part in parts:
                    self.chunks.append(part)
                    self.chunk_seq += 1
                    if key is not None and part is parts[-1]:
                        self.keyframe_seq = self.chunk_seq
                del self.chunks[:-512]
                self.cond.notify_all()
        with self.cond:
            self._closed = True
            self.cond.notify_all()

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=3)
        self._writer.join(timeout=3)


def _random_access(packet: bytes) -> bool:
    """MPEG-TS packet whose adaptation field sets random_access_indicator (a keyframe starts here)."""
    return (packet[0] == 0x47 and bool(packet[3] & 0x20) and packet[4] > 0 and bool(packet[5] & 0x40))


PHASES = 8  # frame phases per period across the cameras


class Simulator:
    """Serves N synthetic cameras at http://127.0.0.1:<port>/cam/<id>.mjpg (or .ts for H.264)."""

    def __init__(self, cameras: list[tuple[str, str, bool]], host: str = "127.0.0.1", port: int = 0,
                 fps: float = 10.0, width: int = 640, height: int = 360) -> None:
        self.fps, self.width, self.height = fps, width, height
        self.cameras = {cid: SimCamera(cid, name, h264) for cid, name, h264 in cameras}
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._threads: list[threading.Thread] = []
        self.hung = threading.Event()  # set on stop so 'hang' handlers return

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Simulator:
        for cam in self.cameras.values():
            cam.scene = DamScene(cam.cam_id, cam.name, self.width, self.height)
            if cam.h264:
                cam.encoder = H264Encoder(self.width, self.height, self.fps)
        self._tick_once(time.time())  # a first frame exists before anyone connects
        for target, name in ((self._server.serve_forever, "sim-http"), (self._ticker, "sim-tick")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.hung.set()
        for cam in self.cameras.values():
            self.stop_camera(cam.cam_id)
        self._server.shutdown()
        self._server.server_close()
        for cam in self.cameras.values():
            if cam.encoder:
                cam.encoder.close()
        for thread in self._threads:
            thread.join(timeout=5)

    # -- test controls ---------------------------------------------------------------------
    def stop_camera(self, cam_id: str) -> None:
        """Drop every open stream of this camera and refuse new ones (503) until started again."""
        cam = self.cameras[cam_id]
        with cam.cond:
            cam.running = False
            cam.generation += 1
            cam.cond.notify_all()
        if cam.encoder:
            with cam.encoder.cond:
                cam.encoder.cond.notify_all()

    def start_camera(self, cam_id: str) -> None:
        cam = self.cameras[cam_id]
        with cam.cond:
            cam.running = True

    def connections(self, cam_id: str) -> int:
        return self.cameras[cam_id].connections

    def stats(self) -> dict[str, dict[str, int]]:
        return {c.cam_id: {"connections": c.connections, "total": c.total_connections}
                for c in self.cameras.values()}

    # -- frame production ---------------------------------------------------------------------
    def _ticker(self) -> None:
        # Real cameras run on their own clocks: their frames are spread over the period, not sent
        # in the same millisecond. PHASES groups, each ticked at its own offset, model that.
        cams = list(self.cameras.values())
        groups = [cams[k::PHASES] for k in range(PHASES)]
        step = 1.0 / self.fps / PHASES
        next_at, index = time.monotonic(), 0
        while not self._stop.is_set():
            next_at += step
            delay = next_at - time.monotonic()
            if delay < -4 * step:  # fell behind (machine busy): skip ticks instead of bursting
                next_at = time.monotonic()
            elif delay > 0 and self._stop.wait(delay):
                break
            self._tick_once(time.time(), groups[index % PHASES])
            index += 1

    def _tick_once(self, now: float, cams: list[SimCamera] | None = None) -> None:
        for cam in cams if cams is not None else self.cameras.values():
            if not cam.running or cam.scene is None:
                continue
            jpeg = cam.scene.jpeg(now)  # encoded once per tick, shared by every connection
            if cam.encoder:
                cam.encoder.feed(cam.scene.raw(now).tobytes())
            with cam.cond:
                cam.jpeg, cam.seq = jpeg, cam.seq + 1
                cam.cond.notify_all()


def _handler_for(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # close-delimited bodies: simplest for endless streams

        def log_message(self, fmt: str, *args: object) -> None:  # quiet: tests open many streams
            log.debug("sim: " + fmt, *args)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            path = self.path.split("?", 1)[0]
            try:
                if path == "/stats":
                    return self._json(200, sim.stats())
                if path.startswith("/bad/"):
                    return self._bad(path[5:])
                if path.startswith("/cam/"):
                    name, _, ext = path[5:].rpartition(".")
                    cam = sim.cameras.get(name)
                    if cam is None or ext not in ("mjpg", "ts") or (ext == "ts") != cam.h264:
                        return self._json(404, {"error": "no such camera"})
                    if not cam.running:
                        return self._json(503, {"error": "camera stopped"})
                    return self._stream(cam, ext)
                return self._json(404, {"error": "not found"})
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass  # the viewer went away

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _bad(self, kind: str) -> None:
            if kind == "garbage":
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.end_headers()
                while not sim.hung.is_set():
                    self.wfile.write(os.urandom(4096))
                    if sim.hung.wait(0.05):
                        break
            elif kind == "hang":
                sim.hung.wait(60)  # accept, then say nothing at all
            else:
                self._json(404, {"error": "not found"})

        def _stream(self, cam: SimCamera, ext: str) -> None:
            with cam.cond:
                cam.connections += 1
                cam.total_connections += 1
                generation = cam.generation
            try:
                self.send_response(200)
                self.send_header("Cache-Control", "no-store")
                if ext == "ts":
                    self.send_header("Content-Type", "video/mp2t")
                    self.end_headers()
                    self._stream_ts(cam, generation)
                else:
                    self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                    self.end_headers()
                    self._stream_mjpeg(cam, generation)
            finally:
                with cam.cond:
                    cam.connections -= 1

        def _stream_mjpeg(self, cam: SimCamera, generation: int) -> None:
            seq = 0
            while True:
                with cam.cond:
                    while cam.seq == seq and cam.generation == generation and not sim._stop.is_set():
                        cam.cond.wait(1.0)
                    if cam.generation != generation or sim._stop.is_set():
                        return
                    seq, jpeg = cam.seq, cam.jpeg
                head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                self.wfile.write(head.encode() + jpeg + b"\r\n")

        def _stream_ts(self, cam: SimCamera, generation: int) -> None:
            enc = cam.encoder
            assert enc is not None
            with enc.cond:  # start at the newest keyframe (already sent chunks are still in the ring)
                seq = enc.keyframe_seq - 1 if enc.chunk_seq - enc.keyframe_seq < len(enc.chunks) else enc.chunk_seq
            while True:
                with enc.cond:
                    while enc.chunk_seq == seq and cam.generation == generation and not enc._closed:
                        enc.cond.wait(1.0)
                    if cam.generation != generation or enc._closed:
                        return
                    behind = min(enc.chunk_seq - seq, len(enc.chunks))
                    chunks = enc.chunks[len(enc.chunks) - behind :]
                    seq = enc.chunk_seq
                self.wfile.write(b"".join(chunks))

    return Handler


def from_camera_set(camera_set: object, **kwargs: object) -> Simulator:
    """A simulator for every sim:// camera of a CameraSet (H.264 where ?codec=h264)."""
    cams = []
    for cam in camera_set.cameras:  # type: ignore[attr-defined]
        url = cam.source.get_secret_value()
        if url.startswith("sim://") and not url.startswith("sim://bad/"):
            cams.append((cam.id, cam.name, "codec=h264" in url))
    return Simulator(cams, **kwargs)  # type: ignore[arg-type]
