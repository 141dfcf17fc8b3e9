"""H.264/H.265 streams read as packets with PyAV (demux, no decode) and an on-demand keyframe decoder."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .sources import SourceError

# RTSP over interleaved TCP: no UDP ports through firewalls, no reordering, no loss (DESIGN §6).
# Small probe: the SDP's parameter sets already say what the stream is; waiting to "analyse" a
# live stream only delays the first picture.
OPEN_OPTIONS = {"rtsp_transport": "tcp", "analyzeduration": "0", "probesize": "32768"}


@dataclass(frozen=True)
class Packet:
    """One access unit as it came from the camera: Annex B bytes and 90 kHz times (None when unknown)."""

    data: bytes
    key: bool
    dts: int | None
    pts: int | None


class PacketSource:
    """Reads a stream's packets without decoding them; decodes a packet to BGR pixels only when asked."""

    def __init__(self, url: str, open_timeout: float, read_timeout: float) -> None:
        self.url, self.open_timeout, self.read_timeout = url, open_timeout, read_timeout
        self._container = None
        self._stream = None
        self.codec = ""
        self.width = self.height = 0
        self.extradata: bytes | None = None
        self._scale = 1.0
        self._reformatter = None  # one colour converter for the stream's life (see decode)

    def open(self) -> None:
        import av

        options = dict(OPEN_OPTIONS)
        if self.url.startswith("rtsp"):
            options["timeout"] = str(int(self.read_timeout * 1e6))  # socket I/O timeout, microseconds
        try:
            # timeout=(open, read): PyAV's interrupt callback, so a silent camera never hangs the reader
            self._container = av.open(self.url, options=options, timeout=(self.open_timeout, self.read_timeout))
        except (av.error.FFmpegError, OSError) as exc:
            raise SourceError(f"could not open stream: {type(exc).__name__}") from None
        videos = self._container.streams.video
        if not videos:
            raise SourceError("no video in this stream")
        stream = videos[0]
        ctx = stream.codec_context
        ctx.thread_count = 1  # one thread per camera already; FFmpeg's frame threads would add a frame of delay
        self._stream, self.codec = stream, ctx.name
        self.width, self.height = ctx.width, ctx.height
        self.extradata = bytes(ctx.extradata) if ctx.extradata else None
        tb = stream.time_base
        self._scale = float(tb * 90000) if tb else 1.0

    def packets(self) -> Iterator[Packet]:
        import av

        assert self._container is not None
        last = time.monotonic()
        try:
            for packet in self._container.demux(self._stream):
                if not packet.size:
                    continue
                dts = round(packet.dts * self._scale) if packet.dts is not None else None
                pts = round(packet.pts * self._scale) if packet.pts is not None else None
                yield Packet(bytes(packet), bool(packet.is_keyframe), dts, pts)
                last = time.monotonic()  # the wait for the next packet starts now, not before our own work
        except av.error.FFmpegError as exc:
            raise self._ended(last, f"read failed: {type(exc).__name__}") from None
        raise self._ended(last, "stream ended")

    def _ended(self, last: float, reason: str) -> SourceError:
        # A silent camera ends the read in one of two ways (PyAV's interrupt: ExitError; the RTSP
        # socket's own timeout: end of stream): name the silence, which is what an operator acts on.
        silent = time.monotonic() - last
        if silent >= self.read_timeout * 0.9:
            return SourceError(f"no data for {silent:.1f} s (read timeout)")
        return SourceError(reason)

    def decode(self, data: bytes, pictures: bool = True) -> list[np.ndarray]:
        """Pictures (BGR) from one access unit; errors of a broken packet yield nothing.

        With pictures=False the access unit is decoded (the next ones refer to it) but not
        converted to BGR, which costs about as much as the decode itself.
        """
        import av

        assert self._stream is not None
        if self._reformatter is None:
            from av.video.reformatter import VideoReformatter

            self._reformatter = VideoReformatter()
        try:
            frames = self._stream.codec_context.decode(av.Packet(data))
            # One converter, one thread: frame.to_ndarray() makes a converter per picture whose
            # "automatic" threads start and join a thread per core each time (2.2x the time of
            # decode and conversion at 360p, bench/convert.py; the process's threads never settle).
            return [self._reformatter.reformat(frame, format="bgr24", threads=1).to_ndarray()
                    for frame in frames] if pictures else []
        except av.error.FFmpegError:
            return []

    def interrupt(self) -> None:
        pass  # the read timeout bounds a blocked read; closing from another thread is not safe in FFmpeg

    def close(self) -> None:
        self._reformatter = None  # a reopened stream may come back at another size
        if self._container is not None:
            self._container.close()
            self._container = None
