"""Synthetic dam scene: static background rendered once, small animated bands per tick."""
from __future__ import annotations

import time

import numpy as np

from ._cv import cv2
from .jpegsplice import Band, SplicedJpeg
from .lettering import ascii_label, draw_text

WATER_TOP, WATER_ROWS = 176, 48  # animated reservoir band (16-row aligned for splicing)
CLOCK_TOP, CLOCK_ROWS = 320, 32  # clock band
WAVE_PHASES = 24  # water animation repeats every 24 ticks, so every phase is encoded once
SIM_LABEL = "MÔ PHỎNG"  # burned into every simulated picture, in the screens' language
SIM_LABEL_RIGHT = 140  # its left edge, from the picture's right edge (640 px wide pictures)
VN_OFFSET_S = 7 * 3600  # the dams are in Viet Nam: their clocks show ICT (UTC+7), whatever the server's zone


def clock_text(now: float) -> str:
    """The burned-in clock of a camera in Viet Nam: '2026-11-30 17:53:04'."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now + VN_OFFSET_S))


class DamScene:
    """One simulated camera picture; `jpeg(now)` costs a byte join plus one clock band a second."""

    def __init__(self, cam_id: str, name: str, width: int = 640, height: int = 360, quality: int = 70) -> None:
        self.cam_id, self.name, self.full_name = cam_id, ascii_label(name), name
        self.width, self.height = width, height
        seed = sum(cam_id.encode())
        self.background = self._background(seed)
        self.jpeg_maker = SplicedJpeg(self.background, quality)
        self._water = [self._water_band(seed, phase) for phase in range(WAVE_PHASES)]
        self._water_bands = [self.jpeg_maker.band(WATER_TOP, w) for w in self._water]
        self._clock_second = -1
        self._clock_pixels = self.background[CLOCK_TOP : CLOCK_TOP + CLOCK_ROWS]
        self._clock_band: Band | None = None
        self.tick = 0

    def _background(self, seed: int) -> np.ndarray:
        w, h = self.width, self.height
        img = np.empty((h, w, 3), np.uint8)
        rows = np.linspace(0.0, 1.0, WATER_TOP)[:, None]
        top, bottom = np.array([150, 90, 40]), np.array([235, 200, 160])  # BGR dusk-to-day sky
        img[:WATER_TOP] = (top + (bottom - top) * rows)[:, None, :].astype(np.uint8)
        rng = np.random.default_rng(seed)
        ridge = (WATER_TOP - 20 - 50 * np.abs(np.sin(np.linspace(0, rng.uniform(2, 5), w) + seed))).astype(int)
        for x in range(0, w, 4):  # mountains behind the reservoir
            img[ridge[x] : WATER_TOP, x : x + 4] = (60, 95, 70)
        img[WATER_TOP:] = (110, 80, 40)
        wall_top = WATER_TOP + WATER_ROWS  # the dam wall across the valley, with spillway gates
        cv2.rectangle(img, (0, wall_top), (w, wall_top + 60), (170, 170, 165), -1)
        for gate in range(6):
            x = 80 + gate * 85
            cv2.rectangle(img, (x, wall_top + 10), (x + 45, wall_top + 50), (90, 90, 95), -1)
        img[wall_top + 60 :] = (80, 60, 35)
        cv2.rectangle(img, (0, 0), (w, 44), (20, 20, 20), -1)
        draw_text(img, self.full_name, 12, 32, 26)  # the dam's name as written, with diacritics
        draw_text(img, SIM_LABEL, w - SIM_LABEL_RIGHT, 30, 20, (0, 200, 255))
        cv2.rectangle(img, (0, CLOCK_TOP), (w, CLOCK_TOP + CLOCK_ROWS), (20, 20, 20), -1)
        return img

    def _water_band(self, seed: int, phase: int) -> np.ndarray:
        y, x = np.mgrid[0:WATER_ROWS, 0 : self.width].astype(np.float32)
        t = 2 * np.pi * phase / WAVE_PHASES
        wave = np.sin(x / 23.0 + y / 5.0 - t + seed) * 0.5 + np.sin(x / 51.0 - y / 9.0 + 2 * t) * 0.5
        base = np.array([140, 100, 40], np.float32)
        return np.clip(base + wave[..., None] * np.array([40, 30, 15], np.float32), 0, 255).astype(np.uint8)

    def _clock(self, now: float) -> Band:
        second = int(now)
        if second != self._clock_second or self._clock_band is None:
            pixels = self._clock_pixels.copy()
            stamp = clock_text(now)
            cv2.putText(pixels, f"{stamp}  {self.cam_id}", (12, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.65,
                        (255, 255, 255), 1, cv2.LINE_AA)
            self._clock_pixels_now = pixels
            self._clock_band = self.jpeg_maker.band(CLOCK_TOP, pixels)
            self._clock_second = second
        return self._clock_band

    def jpeg(self, now: float) -> bytes:
        """The next frame as JPEG bytes; advances the water animation by one tick."""
        self.tick += 1
        clock = self._clock(now)
        return self.jpeg_maker.assemble([self._water_bands[self.tick % WAVE_PHASES], clock])

    def raw(self, now: float) -> np.ndarray:
        """The current frame as BGR pixels (for the H.264 encoder); call after jpeg()."""
        frame = self.background.copy()
        frame[WATER_TOP : WATER_TOP + WATER_ROWS] = self._water[self.tick % WAVE_PHASES]
        self._clock(now)
        frame[CLOCK_TOP : CLOCK_TOP + CLOCK_ROWS] = self._clock_pixels_now
        return frame
