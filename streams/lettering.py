"""Text with Vietnamese diacritics on pictures the relay draws (PIL and a TrueType font), with
the Hershey ASCII fold as the fallback when no font is installed."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._cv import cv2

FONTS = (  # bold sans faces with Vietnamese coverage, as Debian/Ubuntu and Fedora ship them
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def ascii_label(text: str) -> str:
    """Hershey fonts are ASCII-only: fold Vietnamese diacritics ('Hòa Bình' -> 'Hoa Binh')."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=16)
def _font(size: int) -> object | None:
    try:
        from PIL import ImageFont
    except ImportError:
        return None
    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return None


def draw_text(image: np.ndarray, text: str, left: int, baseline: int, size: int,
              colour: tuple[int, int, int] = (255, 255, 255)) -> None:
    """Write `text` (any Unicode the font has) into a BGR image in place; size in pixels."""
    font = _font(max(8, size))
    if font is None:
        cv2.putText(image, ascii_label(text), (left, baseline), cv2.FONT_HERSHEY_SIMPLEX, size / 30,
                    colour, 1, cv2.LINE_AA)
        return
    from PIL import Image, ImageDraw

    picture = Image.fromarray(image[:, :, ::-1])
    ImageDraw.Draw(picture).text((left, baseline), text, font=font, fill=colour[::-1], anchor="ls")
    image[:] = np.asarray(picture)[:, :, ::-1]


def text_width(text: str, size: int) -> int:
    """How wide draw_text writes `text` at `size` pixels (to centre it)."""
    font = _font(max(8, size))
    if font is None:
        return cv2.getTextSize(ascii_label(text), cv2.FONT_HERSHEY_SIMPLEX, size / 30, 1)[0][0]
    return round(font.getlength(text))  # type: ignore[attr-defined]


def stamp_box(image: np.ndarray, text: str, height: int, top: int = 0) -> None:
    """The picture's capture time in a dark box at the left, `top` rows down (ASCII digits:
    Hershey is enough)."""
    scale = height / 26
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    pad = max(2, height // 6)
    image[top : top + h + base + 2 * pad, 0 : w + 2 * pad] //= 4
    cv2.putText(image, text, (pad, top + pad + h), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1,
                cv2.LINE_AA)
