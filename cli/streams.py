"""`python -m streams ...`: the camera relay and the camera simulator as their own processes."""
from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or the name localhost: only this machine can connect."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def root() -> None:
    """Ops Centre cameras: the relay and the simulator."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@root.command()
@click.option("--cameras", default="", help="cameras YAML (default: the bundled file)")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8060)
@click.option("--threads", type=int, default=16,
              help="waitress threads (requests only: open streams are written by the hub)")
@click.option("--dashboard-url", default="",
              help="the dashboard the relay asks about revoked displays every second (default:"
                   " OPS_DASHBOARD_URL; needs OPS_RELAY_TOKEN)")
@click.option("--no-simulate", "simulate", flag_value=False, default=True,
              help="do not start the built-in simulator for sim:// sources")
@click.option("--server", type=click.Choice(("waitress", "werkzeug")), default="werkzeug",
              help="WSGI server: werkzeug (a thread per request) or waitress (a thread pool);"
                   " either hands open streams to the hub")
@click.option("--sim-base", default="", help="resolve sim:// sources against this running simulator")
@click.option("--sim-rtsp", default="", help="the running simulator's RTSP base (rtsp://host:port)")
@click.option("--sim-cache", default="var/sim-cache", help="encoded loops of the built-in simulator")
def relay(cameras: str, host: str, port: int, threads: int, dashboard_url: str, simulate: bool,
          server: str, sim_base: str, sim_rtsp: str, sim_cache: str) -> int:
    """Standalone relay: one upstream per camera, fan-out to viewers."""
    from streams.config import load_cameras
    from streams.routes import make_blueprint
    from streams.server import serve_waitress, serve_werkzeug
    from streams.service import StreamService
    from streams.signing import GRANT_TTL_S

    token = os.environ.get("OPS_RELAY_TOKEN", "").strip()
    if not token and not is_loopback(host):
        # Anyone who reaches the port could watch every dam: a relay off loopback needs a token.
        click.echo(f"refusing to serve cameras on {host} without OPS_RELAY_TOKEN (set it here and"
                   " in the dashboard, or bind to 127.0.0.1)", err=True)
        return 2
    if token and len(token) < 32:
        click.echo("OPS_RELAY_TOKEN must be at least 32 characters", err=True)
        return 2
    service = StreamService(load_cameras(cameras), simulate=simulate, sim_base=sim_base or None,
                            sim_rtsp=sim_rtsp or None, sim_cache=Path(sim_cache))
    dashboard = dashboard_url or os.environ.get("OPS_DASHBOARD_URL", "").strip()
    if token and dashboard:
        from streams.access import DashboardCheck

        service.watch_revocations(DashboardCheck(dashboard, token))
    elif token:
        logging.getLogger("streams").warning(
            "no --dashboard-url (OPS_DASHBOARD_URL): open streams of revoked displays are not"
            " ended (new ones still need a signed URL, valid %d s)", GRANT_TTL_S)
    app = Flask("streams-relay")
    app.register_blueprint(make_blueprint(service, token))
    service.start()
    try:
        if server == "werkzeug":
            serve_werkzeug(app, host, port)
        else:
            serve_waitress(app, host, port, threads=threads)
    finally:
        service.stop()
    return 0


@root.command()
@click.option("--cameras", default="")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8070)
@click.option("--fps", type=float, default=10.0, help="MJPEG cameras' frame rate")
@click.option("--rtsp-port", type=int, default=8554)
@click.option("--sim-cache", default="var/sim-cache", help="where encoded loops are kept")
def simulate(cameras: str, host: str, port: int, fps: float, rtsp_port: int,
             sim_cache: str) -> int:
    """Serve the simulated dam cameras."""
    from streams.config import load_cameras
    from streams.service import video_options
    from streams.simulator import from_camera_set

    camera_set = load_cameras(cameras)
    sim = from_camera_set(camera_set, host=host, port=port, fps=fps, rtsp_port=rtsp_port,
                          video=video_options(camera_set, Path(sim_cache))).start()
    click.echo(f"simulator on {sim.base_url} (MJPEG cameras at /cam/<id>.mjpg, counts at /stats)"
               f" and {sim.rtsp_url} (RTSP cameras at /<id>/main and /<id>/sub)")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    sim.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; its return value is the exit status (2 for bad input)."""
    try:
        result = root.main(args=argv, prog_name="python -m streams", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
