"""The server-side mosaic: each tile encoded once per refresh, one JPEG per tick spliced from tiles."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from ._cv import cv2
from .capture import CameraReader, Frame, State
from .config import RelayOptions
from .imaging import STATE_COLOURS, decode_for_width, encode_jpeg, offline_tile
from .jpegsplice import MCU, encode, join, split, tables
from .lettering import draw_text, stamp_box
from .multipart import mjpeg_part, wire_chunk
from .scene import clock_text

GRID_WATCH_S = 3.0  # cameras keep decoding every picture this long after a mosaic last showed them
BAND_GREY = 18  # label band and letterbox: dark, so white names read from across the room
OSD_SHARE = 0.125  # a camera's own top line of text (the simulator's name bar: 44 of 360 rows)


@dataclass(frozen=True)
class MosaicFrame:
    seq: int
    built: float  # monotonic
    jpeg: bytes
    ts: float  # capture time of its oldest live picture (camera timestamp), else the build time
    part: bytes = b""  # the whole multipart part (boundary, headers, JPEG, CRLF), shared by all viewers
    wire: bytes = b""  # the part as an HTTP chunk, for viewers fed by the fan-out thread


@dataclass(frozen=True)
class _Tile:
    key: tuple[int, State]  # (frame seq, or -1 without a picture; camera state)
    segments: list[bytes]  # one restart interval per MCU row of the tile
    pixels: np.ndarray | None  # kept only when the mosaic cannot splice
    ts: float = 0.0  # the picture's camera timestamp (0 for placeholders)


class Mosaic:
    """All cameras on one picture, built at most once per tick whoever asks; idle when nobody watches.

    Every tile is encoded as its own small JPEG whose restart intervals are exactly one tile wide,
    so a mosaic frame is a byte join of tile segments: a tick costs a decode and a small encode per
    refreshed tile and nothing for the rest (an offline or frozen camera costs nothing). When
    `mosaic_fps` is above `mosaic_tile_fps` tiles take turns (a checkerboard at 2:1), so every
    picture moves while each camera is decoded only at `mosaic_tile_fps`. A change of state (a
    camera going down or coming back) never waits its turn.
    """

    def __init__(self, readers: list[CameraReader], options: RelayOptions, splice: bool = True,
                 tile_width: int | None = None) -> None:
        self.readers, self.options = readers, options
        self.period = 1.0 / options.mosaic_fps
        self.turns = max(1, round(options.mosaic_fps / options.mosaic_tile_fps))
        # Keyframes alone give about one picture a second (simulator sub_keyframe_s, typical NVR
        # sub streams): a faster tile rate needs every picture decoded, but only while watched.
        self.decode_all = options.mosaic_tile_fps > 1.0
        self.tile_w = tile_width or options.mosaic_tile_width  # a multiple of 16 (validated): whole MCUs
        self.tile_h = max(MCU, round(self.tile_w * 9 / 16 / MCU) * MCU)  # about 16:9, whole MCU rows
        self.columns = min(options.mosaic_columns, max(1, len(readers)))
        self.rows = max(1, -(-len(readers) // self.columns))
        self.quality = options.jpeg_quality
        blank = np.zeros((self.tile_h, self.tile_w, 3), np.uint8)
        tile_header, tile_segments = split(encode(blank, self.quality, self.tile_w))
        canvas = np.zeros((self.rows * self.tile_h, self.columns * self.tile_w, 3), np.uint8)
        self._header, _ = split(encode(canvas, self.quality, self.tile_w))
        # Same quality and libjpeg's standard Huffman tables give identical tables, and one restart
        # interval per tile row of MCUs; if a build of OpenCV ever differs, fall back to pasting
        # pixels and one full encode (correct, slower).
        self.spliced = (splice and tables(tile_header) == tables(self._header)
                        and len(tile_segments) == self.tile_h // MCU)
        self._canvas = canvas
        self.tile_encodes = 0  # counted so tests can prove tiles are refreshed in turns
        self._blank = self._encode_tile(blank, (-1, State.OFFLINE))
        self._tiles: dict[str, _Tile] = {}
        self._bands: dict[tuple[str, State], np.ndarray] = {}  # label bands, drawn once per state
        self._lock = threading.Lock()
        self._frame: MosaicFrame | None = None
        self._tick = 0
        self.builds = 0

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the mosaic picture."""
        return self.columns * self.tile_w, self.rows * self.tile_h

    def current(self) -> MosaicFrame:
        """The mosaic of this tick; the first caller of a tick builds it, the rest reuse its bytes."""
        with self._lock:
            now = time.monotonic()
            if self._frame is None or now - self._frame.built >= self.period * 0.8:
                jpeg = self._build()
                # X-Timestamp of a mosaic part: when its oldest live picture was taken, so a viewer
                # measures the age of what it sees, not of the splice.
                ts = min((t.ts for t in self._tiles.values() if t.ts), default=0.0) or time.time()
                part = mjpeg_part(jpeg, ts)
                self._frame = MosaicFrame((self._frame.seq + 1) if self._frame else 1, now, jpeg, ts,
                                          part, wire_chunk(part))
                self.builds += 1
            return self._frame

    def next_tick(self, stop: threading.Event) -> MosaicFrame | None:
        """Sleep to the next tick boundary (shared by all viewers, so one build serves them all)."""
        now = time.monotonic()
        due = (int(now / self.period) + 1) * self.period
        if stop.wait(due - now):
            return None
        return self.current()

    def _build(self) -> bytes:
        self._tick += 1
        tiles = [self._tile(index, reader) for index, reader in enumerate(self.readers)]
        tiles += [self._blank] * (self.rows * self.columns - len(tiles))
        if not self.spliced:
            return self._encode_canvas(tiles)
        segments: list[bytes] = []
        for row in range(self.rows):
            band = tiles[row * self.columns : (row + 1) * self.columns]
            for mcu_row in range(self.tile_h // MCU):  # scan order: left to right, then down
                segments.extend(tile.segments[mcu_row] for tile in band)
        return join(self._header, segments)

    def _tile(self, index: int, reader: CameraReader) -> _Tile:
        if self.decode_all:  # tells the camera to decode its whole grid stream for a while
            reader.grid_until = time.monotonic() + GRID_WATCH_S
        state = reader.state()
        frame = reader.slot.latest
        live = frame is not None and state is not State.OFFLINE
        key = (frame.seq if live and frame is not None else -1, state)
        cached = self._tiles.get(reader.camera.id)
        if cached is not None:
            if cached.key == key:
                return cached
            row, col = divmod(index, self.columns)
            if cached.key[1] == state and (row + col + self._tick) % self.turns:
                return cached  # a new picture waits for this tile's turn; a new state does not
        pixels = self._picture(reader, frame if live else None, state)
        tile = self._encode_tile(pixels, key)
        if live and frame is not None:
            tile = _Tile(tile.key, tile.segments, tile.pixels, frame.ts)
        self._tiles[reader.camera.id] = tile
        return tile

    def _picture(self, reader: CameraReader, frame: Frame | None, state: State) -> np.ndarray:
        """The tile's pixels (a new array the mosaic owns): picture or placeholder, and its label."""
        name = reader.camera.name
        if frame is None:
            return self._label(offline_tile(name, self.tile_w, self.tile_h, state), name, state)
        try:
            picture = decode_for_width(frame, self.tile_w)
        except ValueError:
            return self._label(offline_tile(name, self.tile_w, self.tile_h, State.STALE), name, state)
        tile = np.full((self.tile_h, self.tile_w, 3), BAND_GREY, np.uint8)
        top = max(0, (picture.shape[0] - self.tile_h) // 2)  # centre crop; a shorter picture sits at the top
        rows = min(self.tile_h, picture.shape[0])
        tile[:rows] = picture[top : top + rows]
        # The picture's own capture time, VN clock, near the top: the name bars (burned in below,
        # and the wall's HTML overlay) cover the bottom of the tile. It sits under the camera's own
        # top line (its name, and MÔ PHỎNG on a simulated one), which it would otherwise cut from
        # the left, leaving the tail of a name ('g (Na Hang)').
        osd = max(0, round(picture.shape[0] * OSD_SHARE) - top)
        stamp_box(tile, clock_text(frame.ts)[11:], max(10, self.tile_h // 9), top=osd)
        return self._label(tile, name, state)

    def _label(self, tile: np.ndarray, name: str, state: State) -> np.ndarray:
        """Paste the label band (drawn once per camera and state) onto a tile the mosaic owns."""
        h, w = tile.shape[:2]
        label_h = max(18, h // 7)
        band = self._bands.get((name, state))
        if band is None:
            band = np.full((label_h, w, 3), BAND_GREY, np.uint8)
            draw_text(band, name, 6, label_h - label_h // 4, int(label_h * 0.72))  # with diacritics
            cv2.circle(band, (w - label_h // 2 - 4, label_h // 2), label_h // 3, STATE_COLOURS[state], -1)
            self._bands[(name, state)] = band
        tile[h - label_h :] = band
        if state is not State.LIVE:
            cv2.rectangle(tile, (0, 0), (w - 1, h - 1), STATE_COLOURS[state], 3)
        tile[:, :1] = tile[:, -1:] = 0  # 1 px black frame between tiles
        tile[:1] = tile[-1:] = 0
        return tile

    def _encode_tile(self, pixels: np.ndarray, key: tuple[int, State]) -> _Tile:
        self.tile_encodes += 1
        if not self.spliced:
            return _Tile(key, [], pixels)
        _, segments = split(encode(pixels, self.quality, self.tile_w))
        if len(segments) != self.tile_h // MCU:  # checked at construction; the encoder is deterministic
            raise RuntimeError(f"tile encoded to {len(segments)} restart intervals, expected {self.tile_h // MCU}")
        return _Tile(key, segments, None)

    def _encode_canvas(self, tiles: list[_Tile]) -> bytes:
        for index, tile in enumerate(tiles):
            row, col = divmod(index, self.columns)
            y, x = row * self.tile_h, col * self.tile_w
            assert tile.pixels is not None
            self._canvas[y : y + self.tile_h, x : x + self.tile_w] = tile.pixels
        return encode_jpeg(self._canvas, self.quality)
