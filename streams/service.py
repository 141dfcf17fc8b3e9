"""StreamService: the simulator (optional), the capture threads and the relay, started and stopped together."""
from __future__ import annotations

import logging
from pathlib import Path

from .access import Check, Revocations
from .capture import CameraReader, CaptureManager
from .config import CameraConfig, CameraSet, RelayOptions, resolve_source
from .relay import Relay
from .simulator import Simulator, VideoOptions, from_camera_set

log = logging.getLogger(__name__)


NO_SIMULATOR = "simulated camera, but the camera simulator is off (OPS_SIM_CAMERAS=0)"


class UnavailableReader(CameraReader):
    """A camera this relay cannot read (a sim:// source without the simulator): OFFLINE with the reason."""

    def __init__(self, camera: CameraConfig, relay: RelayOptions, reason: str) -> None:
        super().__init__(camera, {s.name: "" for s in camera.stream_list()}, relay)
        for reader in self.streams.values():
            reader.attempts = 1  # "tried": OFFLINE rather than CONNECTING
            reader.last_error = reason

    def start(self) -> None:  # nothing to read, so no thread
        return None

    def join(self, timeout: float) -> bool:
        return True


def video_options(cameras: CameraSet, cache_dir: Path | None) -> VideoOptions:
    """The simulator's RTSP streams as the cameras file describes them."""
    sim = cameras.simulator
    return VideoOptions((sim.main_width, sim.main_height), sim.main_fps, (sim.sub_width, sim.sub_height),
                        sim.sub_fps, sim.keyframe_s, sim.sub_keyframe_s, cache_dir)


class StreamService:
    """Everything the /streams blueprint needs; `stop()` joins every thread and releases every capture."""

    def __init__(self, cameras: CameraSet, simulate: bool = True, sim_fps: float = 10.0,
                 sim_base: str | None = None, sim_rtsp: str | None = None,
                 sim_cache: Path | None = None) -> None:
        """sim_base/sim_rtsp: an already running simulator's HTTP and RTSP bases for sim:// sources (else
        one is started if simulate); sim_cache: where it keeps its encoded loops."""
        self.cameras = cameras
        self.simulator: Simulator | None = None
        if simulate and not sim_base and any(c.is_simulated for c in cameras.cameras):
            self.simulator = from_camera_set(cameras, fps=sim_fps, video=video_options(cameras, sim_cache))
            self.simulator.prepare()  # binds its ports now (readers need the URLs); loops load in start()
            sim_base, sim_rtsp = self.simulator.base_url, self.simulator.rtsp_url
        readers = [
            CameraReader(cam, {s.name: resolve_source(s.source.get_secret_value(), sim_base, sim_rtsp)
                               for s in cam.stream_list()}, cameras.relay)
            if sim_base or not cam.is_simulated else UnavailableReader(cam, cameras.relay, NO_SIMULATOR)
            for cam in cameras.cameras]
        self.capture = CaptureManager(readers)
        self.relay = Relay(self.capture.readers, cameras.relay)
        self.revocations: Revocations | None = None  # set by watch_revocations
        self._started = False

    def watch_revocations(self, check: Check) -> Revocations:
        """End the open streams of principals that `check` says were revoked (streams.access)."""
        self.revocations = Revocations(self.relay, check)
        if self._started:
            self.revocations.start()
        return self.revocations

    def start(self) -> StreamService:
        if self.simulator:
            try:
                self.simulator.start()
            except (RuntimeError, OSError) as exc:  # e.g. no H.264 encoder on this machine
                # Never a crash: the simulated cameras go OFFLINE with their connection error.
                log.error("camera simulator not started (%s): simulated cameras will be OFFLINE", exc)
                self.simulator = None  # never served, so nothing to shut down at stop()
        self.capture.start()
        self.relay.hub.start()
        if self.revocations is not None:
            self.revocations.start()
        self._started = True
        log.info("stream relay started: %d cameras", len(self.cameras.cameras))
        return self

    def status(self) -> list[dict[str, object]]:
        return [reader.status() for reader in self.capture.readers.values()]

    def stop(self, timeout: float = 10.0) -> list[str]:
        """Stop viewers, readers and the simulator; returns ids of reader threads that did not end."""
        if self.revocations is not None:
            self.revocations.stop()
        self.relay.stop()
        left = self.capture.stop(timeout)
        if self.simulator:
            self.simulator.stop()
        if left:
            log.error("reader threads still alive after stop: %s", left)
        return left
