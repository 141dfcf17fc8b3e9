"""Pixels the relay handles itself: JPEG encode, reduced decode, and the pictures it draws."""
from __future__ import annotations

import numpy as np

from ._cv import cv2
from .capture import Frame, State
from .lettering import draw_text, text_width

STATE_COLOURS = {  # BGR; high contrast for a wall seen from 5 m
    State.LIVE: (60, 180, 60), State.STALE: (0, 170, 255), State.OFFLINE: (40, 40, 220),
    State.CONNECTING: (200, 160, 60),
}


# A camera's state in words on the pictures the relay draws, as the screens say it (web/i18n
# cam.state.*): a picture has one language, and the wall's is Vietnamese.
STATE_WORDS = {State.LIVE: "TRỰC TUYẾN", State.STALE: "CHẬM TÍN HIỆU", State.OFFLINE: "MẤT TÍN HIỆU",
               State.CONNECTING: "ĐANG KẾT NỐI"}


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encode failed")
    return buf.tobytes()


def decode_for_width(frame: Frame, width: int) -> np.ndarray:
    """Pixels of a frame at (about) `width`: JPEG DCT scaling makes 1/2, 1/4, 1/8 almost free."""
    if frame.image is not None:
        image = frame.image
    else:
        assert frame.jpeg is not None
        flag = cv2.IMREAD_COLOR
        for factor, reduced in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
                                (2, cv2.IMREAD_REDUCED_COLOR_2)):
            if frame.width and frame.width // factor >= width:
                flag = reduced
                break
        image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), flag)
        if image is None:
            raise ValueError("undecodable JPEG")
    if image.shape[1] != width:
        height = max(2, round(image.shape[0] * width / image.shape[1]))
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return image


def offline_tile(name: str, width: int, height: int, state: State = State.OFFLINE) -> np.ndarray:
    """A dark picture with the camera's name and its state in large coloured letters."""
    image = np.full((height, width, 3), 28, np.uint8)
    scale = max(0.35, width / 640)
    draw_text(image, name, int(12 * scale), int(40 * scale), int(30 * scale), (230, 230, 230))
    text = STATE_WORDS[state]
    size = max(10, int(40 * scale))
    size = min(size, int(size * (width - 8) / max(1, text_width(text, size))))  # the words fit
    draw_text(image, text, (width - text_width(text, size)) // 2, (height + size * 7 // 10) // 2, size,
              STATE_COLOURS[state])
    return image
