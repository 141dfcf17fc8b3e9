"""Same-origin check for unsafe requests: the browser's Origin against the host it addressed."""
from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def same_origin(origin: str | None, host: str) -> bool:
    """True if the Origin header names the host and port the request was sent to.

    `host` is the request's host as the app sees it: the Host header, or behind trusted proxies
    the one they forward (nginx sends the browser's own, port included). Browsers leave a
    default port out of both Origin and Host, but a proxy may write it in (`ops.example:443`),
    so a missing port is read as the default of the Origin's scheme on both sides. Schemes are
    not compared: behind a proxy that terminates TLS without being trusted, the app sees http.
    """
    if origin is None:
        return True  # non-browser clients; SameSite=Lax keeps cross-site POSTs cookie-less
    sent = urlsplit(origin)
    addressed = urlsplit("//" + host)
    default = DEFAULT_PORTS.get(sent.scheme)
    if default is None or not sent.hostname or not addressed.hostname:
        return False  # "null" (a sandboxed or file: page) or a malformed header
    try:
        return (sent.hostname == addressed.hostname
                and (sent.port or default) == (addressed.port or default))
    except ValueError:  # a port that is not a number, or out of range
        return False
