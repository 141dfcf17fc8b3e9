"""Splice JPEGs from restart-marker segments: re-encode only the rows or tiles that changed."""
from __future__ import annotations

import numpy as np

from ._cv import cv2

MCU = 16  # 4:2:0 baseline JPEG (OpenCV's default): one MCU is 16x16 pixels
EOI = b"\xff\xd9"
_RST = [bytes((0xFF, 0xD0 + n)) for n in range(8)]


def encode(image: np.ndarray, quality: int, interval_px: int | None = None) -> bytes:
    """Baseline JPEG with a restart marker every `interval_px` pixels of a row (default: every MCU row).

    Each restart interval is then an independent entropy-coded segment (the DC predictors reset),
    so segments from different encodes with the same tables can be joined into a new scan.
    """
    interval = -(-(interval_px or image.shape[1]) // MCU)
    # 4:2:0 pinned: MCUs are then 16x16, which is what the splicing arithmetic assumes.
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_RST_INTERVAL, interval,
                                           cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420])
    if not ok:
        raise RuntimeError("JPEG encode failed")
    return buf.tobytes()


def split(jpeg: bytes) -> tuple[bytes, list[bytes]]:
    """Header (through SOS) and the entropy-coded segment of every restart interval."""
    pos = 2
    while True:  # walk marker segments to the start of scan
        marker = jpeg[pos + 1]
        length = int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
        pos += 2 + length
        if marker == 0xDA:
            break
    header, scan = jpeg[:pos], jpeg[pos:-2]  # drop EOI
    segments: list[bytes] = []
    start = i = 0
    # Byte stuffing guarantees 0xFF inside data is followed by 0x00, so FFD0..FFD7 are real markers.
    while True:
        i = scan.find(b"\xff", i)
        if i < 0 or i + 1 >= len(scan):
            break
        if 0xD0 <= scan[i + 1] <= 0xD7:
            segments.append(scan[start:i])
            start = i + 2
        i += 2 if scan[i + 1] == 0 or 0xD0 <= scan[i + 1] <= 0xD7 else 1
    segments.append(scan[start:])
    return header, segments


def join(header: bytes, segments: list[bytes]) -> bytes:
    """A whole JPEG from a header and its segments in scan order, restart markers renumbered."""
    out = [header]
    last = len(segments) - 1
    for index, seg in enumerate(segments):
        out.append(seg)
        if index < last:
            out.append(_RST[index % 8])
    out.append(EOI)
    return b"".join(out)


def tables(header: bytes) -> bytes:
    """The DQT and DHT segments of a header, concatenated: equal tables mean segments can be mixed."""
    pos, out = 2, []
    while pos < len(header):
        marker = header[pos + 1]
        length = int.from_bytes(header[pos + 2 : pos + 4], "big")
        if marker in (0xDB, 0xC4):
            out.append(header[pos : pos + 2 + length])
        pos += 2 + length
    return b"".join(out)


class SplicedJpeg:
    """A static background encoded once; each frame re-encodes only the bands that change.

    Bands must start and end on 16-row boundaries and span the full width, so that each band is a
    whole number of restart intervals; the quantisation and Huffman tables are identical because
    both encodes use the same quality and libjpeg's standard tables (checked at construction).
    """

    def __init__(self, background: np.ndarray, quality: int) -> None:
        self.quality = quality
        self.width = background.shape[1]
        self.header, self.rows = split(encode(background, quality))
        probe_header, _ = split(encode(background[:MCU], quality))
        # Tables must match; SOF (image height) differs, so compare everything but SOF.
        self.compatible = tables(probe_header) == tables(self.header)
        self._background = background

    def band(self, top: int, pixels: np.ndarray) -> Band:
        """Encode one full-width band starting at pixel row `top` (cacheable across frames)."""
        if top % MCU or pixels.shape[0] % MCU or pixels.shape[1] != self.width:
            raise ValueError("bands must be full-width and aligned to 16 rows")
        if not self.compatible:
            return Band(top, [], np.ascontiguousarray(pixels))
        _, segs = split(encode(np.ascontiguousarray(pixels), self.quality))
        return Band(top, segs, None)

    def assemble(self, bands: list[Band]) -> bytes:
        """JPEG of the background with the given bands in place."""
        if not self.compatible:  # fall back to a full encode; correct, just slower
            full = self._background.copy()
            for band in bands:
                assert band.pixels is not None
                full[band.top : band.top + band.pixels.shape[0]] = band.pixels
            return encode(full, self.quality)
        rows = list(self.rows)
        for band in bands:
            rows[band.top // MCU : band.top // MCU + len(band.segments)] = band.segments
        return join(self.header, rows)


class Band:
    """Encoded restart segments of one band (or raw pixels when splicing is unavailable)."""

    __slots__ = ("top", "segments", "pixels")

    def __init__(self, top: int, segments: list[bytes], pixels: np.ndarray | None) -> None:
        self.top, self.segments, self.pixels = top, segments, pixels
