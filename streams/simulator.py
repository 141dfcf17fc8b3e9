"""Simulated dam cameras on loopback: RTSP H.264/H.265 main and sub streams, MJPEG over HTTP, broken sources."""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .rtsp import RtspServer, RtspStream
from .scene import DamScene
from .simloop import LoopSpec, load

log = logging.getLogger(__name__)
BOUNDARY = "simframe"


@dataclass(frozen=True)
class VideoOptions:
    """Sizes and rates of the simulated RTSP streams (a real camera's defaults: 1080p25 + 360p sub)."""

    main_size: tuple[int, int] = (1920, 1080)
    main_fps: int = 25
    sub_size: tuple[int, int] = (640, 360)
    sub_fps: int = 10
    gop_s: float = 2.0  # main stream keyframe interval (and loop length)
    sub_gop_s: float = 1.0
    cache_dir: Path | None = None  # where encoded loops are kept (None: encode on every start)


@dataclass
class SimCamera:
    """One simulated camera: its scene, the latest shared JPEG and its connection counters."""

    cam_id: str
    name: str
    codec: str = "mjpeg"  # "mjpeg" (HTTP), or the RTSP main stream's "h264" / "hevc" (sub is H.264)
    scene: DamScene | None = None
    running: bool = True
    seq: int = 0
    jpeg: bytes = b""
    connections: int = 0  # open right now
    total_connections: int = 0  # ever accepted
    generation: int = 0  # bumped on stop so open streams end
    cond: threading.Condition = field(default_factory=threading.Condition)

    @property
    def rtsp(self) -> bool:
        return self.codec != "mjpeg"


PHASES = 8  # frame phases per period across the cameras


class Simulator:
    """Serves N synthetic cameras: MJPEG at http://127.0.0.1:<port>/cam/<id>.mjpg, RTSP cameras at
    rtsp://127.0.0.1:<rtsp_port>/<id>/main and /<id>/sub.

    RTSP streams replay loops encoded once with PyAV (cached in video.cache_dir): no ffmpeg
    binary and no live encoding. `cameras` holds (id, name, codec); codec True means "h264".
    """

    def __init__(self, cameras: list[tuple[str, str, str | bool]], host: str = "127.0.0.1", port: int = 0,
                 fps: float = 10.0, width: int = 640, height: int = 360, rtsp_port: int = 0,
                 video: VideoOptions | None = None, solo_main: frozenset[str] = frozenset()) -> None:
        self.fps, self.width, self.height = fps, width, height
        self.video = video or VideoOptions()
        # Cameras used without their sub stream: the relay's grid decodes their main keyframes, which
        # must differ to look alive, so their main loop holds two GOPs (twice the one-off encode).
        self.solo_main = solo_main
        self.cameras = {cid: SimCamera(cid, name, _codec(codec)) for cid, name, codec in cameras}
        self._host, self._rtsp_port = host, rtsp_port
        self.rtsp: RtspServer | None = None
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._threads: list[threading.Thread] = []
        self.hung = threading.Event()  # set on stop so 'hang' handlers return

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def rtsp_url(self) -> str | None:
        return self.rtsp.base_url if self.rtsp else None

    def _rtsp_streams(self) -> list[RtspStream]:
        """Each RTSP camera's main and sub loop, from the cache or encoded now (first start only).

        Encoding runs on one thread per core: libx264 and OpenCV release the GIL while they work.
        """
        v = self.video
        specs: list[tuple[str, LoopSpec]] = []
        for cam in (c for c in self.cameras.values() if c.rtsp):
            gops = 2 if cam.cam_id in self.solo_main else 1
            specs.append((f"{cam.cam_id}/main", LoopSpec(cam.cam_id, cam.name, "MAIN", *v.main_size, v.main_fps,
                                                         gops * v.gop_s, cam.codec, round(v.main_fps * v.gop_s))))
            # Two sub GOPs per loop: the grid decodes keyframes only, and they must differ to look alive.
            specs.append((f"{cam.cam_id}/sub", LoopSpec(cam.cam_id, cam.name, "SUB", *v.sub_size, v.sub_fps,
                                                        2 * v.sub_gop_s, "h264", round(v.sub_fps * v.sub_gop_s))))
        started, streams = time.monotonic(), []
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="sim-encode") as pool:
            loops = pool.map(lambda spec: load(spec, v.cache_dir), [spec for _, spec in specs])
            for done, ((path, spec), loop) in enumerate(zip(specs, loops, strict=True), start=1):
                streams.append(RtspStream(path, spec.cam_id, loop))
                if time.monotonic() - started > 2 and done % 8 == 0:
                    log.info("simulator: camera loops ready %d/%d (encoded once, then cached under %s)",
                             done, len(specs), v.cache_dir)
        return streams

    def prepare(self) -> Simulator:
        """Bind the RTSP port (cheap), so `rtsp_url` is known before start() loads the loops."""
        if self.rtsp is None and any(cam.rtsp for cam in self.cameras.values()):
            self.rtsp = RtspServer([], self._host, self._rtsp_port)
        return self

    def start(self) -> Simulator:
        """Load the loops (encoding them on the first start only), then serve."""
        self.prepare()
        if self.rtsp is not None:
            self.rtsp.add(self._rtsp_streams())
            self.rtsp.start()
        for cam in self.cameras.values():
            if not cam.rtsp:
                cam.scene = DamScene(cam.cam_id, cam.name, self.width, self.height)
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
        if self.rtsp:
            self.rtsp.stop()
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
        if self.rtsp:
            self.rtsp.set_running(cam_id, False)

    def start_camera(self, cam_id: str) -> None:
        cam = self.cameras[cam_id]
        with cam.cond:
            cam.running = True
        if self.rtsp:
            self.rtsp.set_running(cam_id, True)

    def connections(self, cam_id: str, stream: str | None = None) -> int:
        """Open connections to a camera (MJPEG), or RTSP sessions of one stream ('main'/'sub') or both."""
        cam = self.cameras[cam_id]
        if not cam.rtsp or self.rtsp is None:
            return cam.connections
        names = [stream] if stream else ["main", "sub"]
        return sum(len(self.rtsp.streams[f"{cam_id}/{n}"].sessions) for n in names)

    def total_connections(self, cam_id: str, stream: str | None = None) -> int:
        cam = self.cameras[cam_id]
        if not cam.rtsp or self.rtsp is None:
            return cam.total_connections
        names = [stream] if stream else ["main", "sub"]
        return sum(self.rtsp.streams[f"{cam_id}/{n}"].total_sessions for n in names)

    def stats(self) -> dict[str, dict[str, int]]:
        return {c.cam_id: {"connections": self.connections(c.cam_id), "total": self.total_connections(c.cam_id)}
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
                    if cam is None or ext != "mjpg" or cam.rtsp:
                        return self._json(404, {"error": "no such camera"})
                    if not cam.running:
                        return self._json(503, {"error": "camera stopped"})
                    return self._stream(cam)
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

        def _stream(self, cam: SimCamera) -> None:
            with cam.cond:
                cam.connections += 1
                cam.total_connections += 1
                generation = cam.generation
            try:
                self.send_response(200)
                self.send_header("Cache-Control", "no-store")
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

    return Handler


def _codec(value: str | bool) -> str:
    if value is True:
        return "h264"
    return value or "mjpeg"


def sim_kind(url: str) -> tuple[str, str] | None:
    """(camera id, codec) a sim:// URL asks the simulator for; None for sim://bad/... sources.

    sim://<id> is an MJPEG camera; sim://<id>/main and /sub (and the older ?codec=h264) are RTSP
    streams, H.264 unless ?codec=hevc (H.265 main stream; sub streams stay H.264).
    """
    parts = urlsplit(url)
    if parts.scheme != "sim" or parts.netloc == "bad":
        return None
    codec = parse_qs(parts.query).get("codec", [""])[0]
    if parts.path.strip("/") in ("main", "sub") or codec:
        return parts.netloc, (codec if codec in ("h264", "hevc") else "h264")
    return parts.netloc, "mjpeg"


def from_camera_set(camera_set: object, **kwargs: object) -> Simulator:
    """A simulator for every sim:// camera of a CameraSet (RTSP where it has sim://<id>/main or /sub)."""
    rank = {"mjpeg": 0, "h264": 1, "hevc": 2}  # an H.265 main stream makes that camera's main H.265
    cams: dict[str, tuple[str, str]] = {}  # simulator id -> (name, codec)
    with_sub: set[str] = set()
    for cam in camera_set.cameras:  # type: ignore[attr-defined]
        for url in cam.source_urls():
            kind = sim_kind(url)
            if kind is not None:
                old = cams.get(kind[0], (cam.name, "mjpeg"))[1]
                cams[kind[0]] = (cam.name, max(old, kind[1], key=rank.__getitem__))
                if urlsplit(url).path.strip("/") == "sub":
                    with_sub.add(kind[0])
    solo = frozenset(sid for sid, (_, codec) in cams.items() if codec != "mjpeg" and sid not in with_sub)
    return Simulator([(sid, name, codec) for sid, (name, codec) in cams.items()],  # type: ignore[arg-type]
                     solo_main=solo, **kwargs)
