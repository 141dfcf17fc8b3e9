"""Frame sources: an MJPEG-over-HTTP multipart parser (pass-through) and cv2 FFmpeg decoding."""
from __future__ import annotations

import base64
import contextlib
import http.client
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import numpy as np

from ._cv import cv2

MAX_PART = 8 * 1024 * 1024  # a JPEG larger than this is a broken source, not a picture


class SourceError(Exception):
    """A source failed; the message is safe to show (no URL, no credentials)."""


@dataclass(frozen=True)
class RawFrame:
    """What a source yields: JPEG bytes (pass-through) or decoded BGR pixels."""

    jpeg: bytes | None = None
    image: np.ndarray | None = None


def wants_mjpeg(url: str, reader: str) -> bool:
    """'auto' treats http(s) URLs ending .mjpg/.mjpeg as MJPEG; everything else goes to FFmpeg."""
    if reader != "auto":
        return reader == "mjpeg"
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.path.lower().endswith((".mjpg", ".mjpeg"))


class MjpegSource:
    """Reads multipart/x-mixed-replace JPEG parts without decoding them."""

    def __init__(self, url: str, open_timeout: float, read_timeout: float) -> None:
        self.url, self.open_timeout, self.read_timeout = url, open_timeout, read_timeout
        self._conn: http.client.HTTPConnection | None = None
        self._resp: http.client.HTTPResponse | None = None

    def open(self) -> None:
        parts = urlsplit(self.url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        host = parts.hostname or ""
        conn = cls(host, parts.port, timeout=self.open_timeout)
        self._conn = conn
        headers = {"Accept": "multipart/x-mixed-replace, image/jpeg"}
        if parts.username is not None:  # credentials travel in the header, never in logs
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            raise SourceError(f"connect failed: {type(exc).__name__}: {exc}") from None
        if resp.status != 200:
            raise SourceError(f"HTTP {resp.status}")
        ctype = resp.getheader("Content-Type", "")
        if "multipart" not in ctype.lower() or "boundary=" not in ctype:
            raise SourceError(f"not an MJPEG stream (Content-Type {ctype!r})")
        self.boundary = ctype.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
        if conn.sock is not None:
            conn.sock.settimeout(self.read_timeout)  # from here on, a silent source is a dead source
        self._resp = resp

    def frames(self) -> Iterator[RawFrame]:
        resp = self._resp
        assert resp is not None
        marker = b"--" + self.boundary.removeprefix(b"--")
        try:
            while True:
                length = None
                line = resp.readline(1024)
                skipped = 0
                while line.strip() != marker:  # tolerate preamble / CRLF between parts
                    if not line:
                        raise SourceError("stream ended")
                    skipped += len(line)
                    if skipped > MAX_PART:
                        raise SourceError("malformed multipart stream (no boundary)")
                    line = resp.readline(1024)
                while True:  # part headers
                    line = resp.readline(1024)
                    if not line:
                        raise SourceError("stream ended")
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None or not 0 < length <= MAX_PART:
                    raise SourceError("multipart part without a usable Content-Length")
                data = resp.read(length)
                if len(data) < length:
                    raise SourceError("stream ended")
                if not data.startswith(b"\xff\xd8"):
                    raise SourceError("part is not a JPEG")
                yield RawFrame(jpeg=data)
        except TimeoutError:
            raise SourceError("read timed out") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise SourceError(f"read failed: {type(exc).__name__}") from None

    def interrupt(self) -> None:
        """Unblock a read from another thread (used on shutdown)."""
        conn = self._conn
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self._resp is not None:
            self._resp.close()
        if self._conn is not None:
            self._conn.close()


class FfmpegSource:
    """Decodes any FFmpeg-readable source (RTSP, HTTP MPEG-TS/H.264, files) with cv2.VideoCapture."""

    def __init__(self, url: str, open_timeout: float, read_timeout: float) -> None:
        self.url, self.open_timeout, self.read_timeout = url, open_timeout, read_timeout
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        # Without these params OpenCV waits 30 s on a dead camera (DESIGN §6).
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(self.open_timeout * 1000),
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(self.read_timeout * 1000)]
        cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)
        self._cap = cap
        if not cap.isOpened():
            raise SourceError("could not open source (FFmpeg)")

    def frames(self) -> Iterator[RawFrame]:
        cap = self._cap
        assert cap is not None
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                raise SourceError("read failed or timed out (FFmpeg)")
            yield RawFrame(image=image)

    def interrupt(self) -> None:
        pass  # VideoCapture cannot be interrupted safely; the read timeout bounds the wait

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def reader_kind(url: str, reader: str) -> str:
    """'mjpeg', 'packets' or 'ffmpeg': 'auto' reads rtsp:// as packets (PyAV, no decode)."""
    if reader != "auto":
        return reader
    if wants_mjpeg(url, reader):
        return "mjpeg"
    return "packets" if urlsplit(url).scheme in ("rtsp", "rtsps") else "ffmpeg"


def open_source(url: str, reader: str, open_timeout: float, read_timeout: float) -> MjpegSource | FfmpegSource:
    cls = MjpegSource if wants_mjpeg(url, reader) else FfmpegSource
    return cls(url, open_timeout, read_timeout)
