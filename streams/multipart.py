"""MJPEG wire format: multipart parts and HTTP/1.1 chunks, each built once per frame and shared."""
from __future__ import annotations

BOUNDARY = "opsframe"

# Head of a stream written straight to a viewer's socket (servers from streams.server only).
# Chunked, so HTTP clients hand over each part as it arrives instead of filling a read buffer.
STREAM_HEAD = (f"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary={BOUNDARY}\r\n"
               "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nTransfer-Encoding: chunked\r\n"
               "Connection: close\r\n\r\n").encode()
# The standalone relay on another origin (OPS_RELAY_PUBLIC_URL): pages read pixels of its
# pictures (the stall watchdog) only with CORS. Safe with "*": a grant is in the URL, and no
# cookie is ever honoured there.
CORS = "Access-Control-Allow-Origin: *\r\n"
STREAM_HEAD_CORS = STREAM_HEAD.replace(b"Connection: close\r\n", (CORS + "Connection: close\r\n").encode())


def mjpeg_part(jpeg: bytes, ts: float | None = None) -> bytes:
    """One multipart part; X-Timestamp (epoch seconds the frame reached the relay) lets clients measure age."""
    stamp = f"X-Timestamp: {ts:.3f}\r\n" if ts else ""
    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n{stamp}\r\n".encode()
    return head + jpeg + b"\r\n"


def wire_chunk(part: bytes) -> bytes:
    """A part as one HTTP chunk: built once per frame, sent as is to every viewer."""
    return b"%x\r\n" % len(part) + part + b"\r\n"
