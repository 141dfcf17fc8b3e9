"""The dam-camera wall `/cameras` and the focus view `/cameras?cam=<id>`.

Design choice: the wall shows ONE server-side mosaic (`/streams/mosaic.mjpg`) with an HTML grid
laid exactly over its tiles, not 32 `<img>` tags.
- A browser opens at most 6 HTTP/1.1 connections per host: 32 MJPEG tiles would starve the page
  and its Dash callbacks; 32 snapshot refreshes a second would still queue behind them.
- The mosaic is one connection whatever the number of cameras, and the relay builds each mosaic
  frame once per tick for every wall watching (no per-viewer encode). Tiles are spliced from
  their own small JPEGs (streams/mosaic.py); the picture changes once a second, and a click
  opens the camera's full-rate stream.
- The overlay grid (same columns/rows as the mosaic, percentage-sized so it scales with the
  picture) carries what the burned-in ASCII label cannot: the Vietnamese dam name, a status
  flag in words (MẤT TÍN HIỆU / CHẬM TÍN HIỆU since hh:mm), the frame age, and the click target.
Only camera ids reach the browser; every stream URL comes from web.streamaccess.stream_url (a
same-origin /streams path, or a short-lived signed URL of the external relay).

Layouts are skeletons: texts and states come from callbacks/cameras.py (language switch
without a reload, status every 2 s).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from streams.client import RELAY_BOOT, camera_config
from ui.figures import loading_figure
from web.streamaccess import stream_url

STATUS_MS = 2_000  # status poll: /streams/status (through a 1 s server-side cache)
STRIP_MS = 3_000  # overview strip: snapshots rotate, counts refresh
DAM_MS = 30_000  # the focus view's dam chart: readings arrive once a minute
STRIP_SIZE = 5  # snapshots in the overview strip (a full round of 32 dams in 7 ticks)


def camera_ids() -> list[str]:
    """Ids of the configured cameras, in mosaic order (empty when the relay is off)."""
    return [c["id"] for c in camera_config()["cameras"]]


def href(cam: str | None = None, kiosk: bool = False) -> str:
    """A shareable URL of the wall or of one camera; the kiosk flag survives navigation."""
    query = {k: v for k, v in (("cam", cam), ("kiosk", "1" if kiosk else None)) if v}
    return "/cameras" + ("?" + urlencode(query) if query else "")


def _kiosk(query: dict[str, str]) -> bool:
    return str(query.get("kiosk", "")).lower() in ("1", "true")


def live_url(cam: str, boot: str, kind: str = "mjpg") -> str:
    """The focus view's stream (fMP4 "mp4" or MJPEG "mjpg"): same origin in-process, a signed
    relay URL otherwise."""
    return stream_url(f"/streams/{cam}.{kind}", {"r": boot})


def cross_origin(url: str) -> str | None:
    """'anonymous' for a relay on another origin (its pixels stay readable, no cookies sent)."""
    return "anonymous" if url.startswith(("http://", "https://")) else None


def wall(kiosk: bool, columns: int, count: int, boot: str) -> html.Div:
    rows = max(1, -(-count // columns))
    grid = {"gridTemplateColumns": f"repeat({columns}, 1fr)", "gridTemplateRows": f"repeat({rows}, 1fr)"}
    return html.Div(id="cam-wall-page", className="cam-page cam-wall-page", children=[
        html.Div(className="cam-head", children=[
            html.H1(id="cam-title", className="cam-title"),
            html.Div(id="cam-counts", className="cam-counts"),
        ]),
        html.Div(className="cam-wall", children=[
            # One MJPEG connection for every camera; ?r= changes only when the relay restarts.
            # The browser adds ?w= (its width in device pixels) so the relay sends a mosaic that
            # fits: 1920 px on a 1080p screen, 3840 px on a 4K wall (assets/40-cameras.js, fit).
            dcc.Store(id="cam-mosaic-base", data=stream_url("/streams/mosaic.mjpg", {"r": boot})),
            html.Img(id="cam-mosaic", className="cam-mosaic", alt="",
                     crossOrigin=cross_origin(stream_url("/streams/mosaic.mjpg"))),
            html.Div(id="cam-overlay", className="cam-overlay", style=grid),
        ]),
        html.Div(className="cam-bottom", children=[
            html.Section(className="cam-panel cam-down-panel", children=[
                html.H2(id="cam-down-title", className="cam-panel-title"),
                html.Div(id="cam-down", className="cam-down"),
            ]),
            html.Section(className="cam-panel cam-map-panel", children=[
                html.Div(className="cam-map-head", children=[
                    html.H2(id="cam-map-title", className="cam-panel-title"),
                    dcc.RadioItems(id="cam-map-mode", value="status", inline=True,
                                   className="cam-map-mode control",
                                   options=[{"label": "status", "value": "status"},
                                            {"label": "level", "value": "level"}]),
                ]),
                dcc.Graph(figure=loading_figure(), id="cam-map", className="cam-map",
                          config={"displayModeBar": False, "staticPlot": True, "responsive": True,
                                  "topojsonURL": "/assets/topojson/"},  # never a CDN
                          style={"height": "100%", "width": "100%"}),
            ]),
            html.Section(className="cam-panel cam-note-panel", children=[
                html.Div(id="cam-note", className="cam-note"),
            ]),
        ]),
        dcc.Store(id="cam-map-sig"),
    ])


def focus(cam: str, kiosk: bool, boot: str, mjpeg: bool = False) -> html.Div:
    return html.Div(id="cam-focus-page", className="cam-page cam-focus-page", children=[
        dcc.Store(id="cam-focus", data=cam),
        html.Div(className="cam-head", children=[
            dcc.Link(id="cam-back", href=href(None, kiosk), className="cam-back control"),
            html.H1(id="cam-focus-title", className="cam-title"),
            html.Div(id="cam-focus-state", className="cam-focus-state"),
        ]),
        html.Div(className="cam-focus-body", children=[
            html.Div(className="cam-focus-main", children=[
                html.Div(className="cam-live-box", children=[
                    # One video connection: the camera's own H.264 remuxed to fMP4 and played through
                    # Media Source Extensions (assets/45-camera-live.js), no transcoding. The MJPEG <img>
                    # gets its src only when MSE cannot play it (no MSE, H.265, relay says no). The
                    # store keeps fresh URLs (a signed one expires) for reconnecting.
                    dcc.Store(id="cam-live-base", data=live_url(cam, boot)),
                    html.Video(id="cam-live-video", className="cam-live-video", muted=True, autoPlay=True,
                               crossOrigin=cross_origin(live_url(cam, boot, "mp4")),
                               **{"data-live": "" if mjpeg else live_url(cam, boot, "mp4"),
                                  "data-fallback": live_url(cam, boot)}),
                    html.Img(id="cam-live-img", className="cam-live-img", alt="",
                             crossOrigin=cross_origin(live_url(cam, boot))),
                    html.Div(id="cam-live-flag", className="cam-live-flag"),
                ]),
                dam_panel(),
            ]),
            html.Aside(id="cam-facts", className="cam-facts"),
        ]),
    ])


def dam_panel() -> html.Section:
    """The dam's numbers and its 7-day chart under the picture (callbacks/damview.py)."""
    return html.Section(className="cam-panel cam-dam-panel", children=[
        dcc.Interval(id="cam-dam-tick", interval=DAM_MS),
        html.H2(id="cam-dam-title", className="cam-panel-title"),
        html.Div(className="cam-dam-body", children=[
            html.Div(id="cam-dam-now", className="cam-dam-now"),
            dcc.Graph(figure=loading_figure(), id="cam-dam-chart", className="cam-dam-chart",
                      config={"displayModeBar": False, "responsive": True},
                      style={"height": "100%", "width": "100%"}),
        ]),
    ])


def message(key_id: str) -> html.Div:
    return html.Div(id="cam-message-page", className="cam-page cam-message-page", children=[
        dcc.Store(id="cam-message-key", data=key_id),
        html.Div(id="cam-message", className="cam-message"),
    ])


def layout(cam: str | None = None, **query: str) -> html.Div:
    """The wall, or one camera when ?cam=<id> names a configured camera."""
    config = camera_config()
    kiosk = _kiosk(query)
    ids = [c["id"] for c in config["cameras"]]
    children: list[Any] = [dcc.Interval(id="cam-tick", interval=STATUS_MS)]
    if not config["enabled"]:
        children.append(message("cam.disabled"))
    elif not ids:  # none configured, or a web worker without the relay service (OPS_RELAY_URL)
        children.append(message("cam.none"))
    elif cam and cam not in ids:
        children.append(message("cam.unknown"))
    elif cam:
        mjpeg = next(c.get("mjpeg", False) for c in config["cameras"] if c["id"] == cam)
        children.append(focus(cam, kiosk, RELAY_BOOT, mjpeg))
    else:
        children.append(wall(kiosk, config["columns"], len(ids), RELAY_BOOT))
    return html.Div(children, id="cameras", className="cameras" + (" is-kiosk" if kiosk else ""))


def camera_strip() -> html.Div:
    """Compact camera row for the wall overview: rotating snapshots + live/offline counts.

    Self-contained (own interval and ids), filled by callbacks.cameras.update_strip; place it
    anywhere on a page, e.g. inside `overview-camera-strip`.
    """
    return html.Div(id="cam-strip", className="cam-strip", children=[
        dcc.Interval(id="cam-strip-tick", interval=STRIP_MS),
        html.Div(id="cam-strip-body", className="cam-strip-body"),
    ])
