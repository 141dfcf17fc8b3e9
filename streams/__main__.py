"""CLI: `python -m streams relay --cameras FILE --port N` and `python -m streams simulate --port N`."""
from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from flask import Flask


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or the name localhost: only this machine can connect."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _relay(args: argparse.Namespace) -> int:
    from .config import load_cameras
    from .routes import make_blueprint
    from .server import serve_waitress, serve_werkzeug
    from .service import StreamService
    from .signing import GRANT_TTL_S

    token = os.environ.get("OPS_RELAY_TOKEN", "").strip()
    if not token and not is_loopback(args.host):
        # Anyone who reaches the port could watch every dam: a relay off loopback needs a token.
        print(f"refusing to serve cameras on {args.host} without OPS_RELAY_TOKEN (set it here and in the "
              "dashboard, or bind to 127.0.0.1)", file=sys.stderr)
        return 2
    if token and len(token) < 32:
        print("OPS_RELAY_TOKEN must be at least 32 characters", file=sys.stderr)
        return 2
    service = StreamService(load_cameras(args.cameras), simulate=args.simulate, sim_base=args.sim_base or None,
                            sim_rtsp=args.sim_rtsp or None, sim_cache=Path(args.sim_cache))
    dashboard = args.dashboard_url or os.environ.get("OPS_DASHBOARD_URL", "").strip()
    if token and dashboard:
        from .access import DashboardCheck

        service.watch_revocations(DashboardCheck(dashboard, token))
    elif token:
        logging.getLogger("streams").warning(
            "no --dashboard-url (OPS_DASHBOARD_URL): open streams of revoked displays are not ended "
            "(new ones still need a signed URL, valid %d s)", GRANT_TTL_S)
    app = Flask("streams-relay")
    app.register_blueprint(make_blueprint(service, token))
    service.start()
    try:
        if args.server == "werkzeug":
            serve_werkzeug(app, args.host, args.port)
        else:
            serve_waitress(app, args.host, args.port, threads=args.threads)
    finally:
        service.stop()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from .config import load_cameras
    from .service import video_options
    from .simulator import from_camera_set

    cameras = load_cameras(args.cameras)
    sim = from_camera_set(cameras, host=args.host, port=args.port, fps=args.fps, rtsp_port=args.rtsp_port,
                          video=video_options(cameras, Path(args.sim_cache))).start()
    print(f"simulator on {sim.base_url} (MJPEG cameras at /cam/<id>.mjpg, counts at /stats) and "
          f"{sim.rtsp_url} (RTSP cameras at /<id>/main and /<id>/sub)", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    sim.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m streams")
    sub = parser.add_subparsers(dest="command", required=True)
    relay = sub.add_parser("relay", help="standalone relay: one upstream per camera, fan-out to viewers")
    relay.add_argument("--cameras", default="", help="cameras YAML (default: the bundled file)")
    relay.add_argument("--host", default="127.0.0.1")
    relay.add_argument("--port", type=int, default=8060)
    relay.add_argument("--threads", type=int, default=16,
                       help="waitress threads (requests only: open streams are written by the hub)")
    relay.add_argument("--dashboard-url", default="",
                       help="the dashboard the relay asks about revoked displays every second "
                       "(default: OPS_DASHBOARD_URL; needs OPS_RELAY_TOKEN)")
    relay.add_argument("--no-simulate", dest="simulate", action="store_false",
                       help="do not start the built-in simulator for sim:// sources")
    relay.add_argument("--server", choices=("waitress", "werkzeug"), default="werkzeug",
                       help="WSGI server: werkzeug (a thread per request) or waitress (a thread pool); "
                       "either hands open streams to the hub")
    relay.add_argument("--sim-base", default="", help="resolve sim:// sources against this running simulator")
    relay.add_argument("--sim-rtsp", default="", help="the running simulator's RTSP base (rtsp://host:port)")
    relay.add_argument("--sim-cache", default="var/sim-cache", help="encoded loops of the built-in simulator")
    relay.set_defaults(func=_relay)
    sim = sub.add_parser("simulate", help="serve the simulated dam cameras")
    sim.add_argument("--cameras", default="")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8070)
    sim.add_argument("--fps", type=float, default=10.0, help="MJPEG cameras' frame rate")
    sim.add_argument("--rtsp-port", type=int, default=8554)
    sim.add_argument("--sim-cache", default="var/sim-cache", help="where encoded loops are kept")
    sim.set_defaults(func=_simulate)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
