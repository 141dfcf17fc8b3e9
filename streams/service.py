"""StreamService: the simulator (optional), the capture threads and the relay, started and stopped together."""
from __future__ import annotations

import logging

from .capture import CameraReader, CaptureManager
from .config import CameraConfig, CameraSet, RelayOptions
from .relay import Relay
from .simulator import Simulator, from_camera_set

log = logging.getLogger(__name__)


NO_SIMULATOR = "simulated camera, but the camera simulator is off (OPS_SIM_CAMERAS=0)"


class UnavailableReader(CameraReader):
    """A camera this relay cannot read (a sim:// source without the simulator): OFFLINE with the reason."""

    def __init__(self, camera: CameraConfig, relay: RelayOptions, reason: str) -> None:
        super().__init__(camera, "", relay)
        self.attempts = 1  # "tried": OFFLINE rather than CONNECTING
        self.last_error = reason

    def start(self) -> None:  # nothing to read, so no thread
        return None

    def join(self, timeout: float) -> bool:
        return True


class StreamService:
    """Everything the /streams blueprint needs; `stop()` joins every thread and releases every capture."""

    def __init__(self, cameras: CameraSet, simulate: bool = True, sim_fps: float = 10.0,
                 sim_base: str | None = None) -> None:
        """sim_base: an already running simulator for sim:// sources (else one is started if simulate)."""
        self.cameras = cameras
        self.simulator: Simulator | None = None
        if simulate and not sim_base and any(c.is_simulated for c in cameras.cameras):
            self.simulator = from_camera_set(cameras, fps=sim_fps)
            sim_base = self.simulator.base_url
        readers = [CameraReader(cam, cam.source_url(sim_base), cameras.relay)
                   if sim_base or not cam.is_simulated else UnavailableReader(cam, cameras.relay, NO_SIMULATOR)
                   for cam in cameras.cameras]
        self.capture = CaptureManager(readers)
        self.relay = Relay(self.capture.readers, cameras.relay)
        self._started = False

    def start(self) -> StreamService:
        if self.simulator:
            try:
                self.simulator.start()
            except (RuntimeError, OSError) as exc:  # e.g. no H.264 encoder on this machine
                # Never a crash: the simulated cameras go OFFLINE with their connection error.
                log.error("camera simulator not started (%s): simulated cameras will be OFFLINE", exc)
                self.simulator = None  # never served, so nothing to shut down at stop()
        self.capture.start()
        self._started = True
        log.info("stream relay started: %d cameras", len(self.cameras.cameras))
        return self

    def status(self) -> list[dict[str, object]]:
        return [reader.status() for reader in self.capture.readers.values()]

    def stop(self, timeout: float = 10.0) -> list[str]:
        """Stop viewers, readers and the simulator; returns ids of reader threads that did not end."""
        self.relay.stopping.set()
        left = self.capture.stop(timeout)
        if self.simulator:
            self.simulator.stop()
        if left:
            log.error("reader threads still alive after stop: %s", left)
        return left
