"""The mosaic: tiles spliced from their own JPEGs, refreshed in turns, state changes at once."""
from __future__ import annotations

import time

import numpy as np

from streams._cv import cv2
from streams.capture import CameraReader, State
from streams.config import RelayOptions
from streams.mosaic import Mosaic
from streams.scene import DamScene

from .conftest import camera, camera_set

COUNT = 10  # 4 columns: 3 rows, the last one with 2 empty cells


def readers(**relay: object) -> list[CameraReader]:
    cams = camera_set([camera(f"dam-{i}", f"sim://dam-{i}") for i in range(COUNT)], **relay)
    out = []
    for cam in cams.cameras:  # never started: frames are fed through the reader's own ingest path
        reader = CameraReader(cam, "http://127.0.0.1:9/unused", cams.relay)
        reader.connected, reader.attempts = True, 1
        out.append(reader)
    return out


def feed(cams: list[CameraReader], scenes: list[DamScene], now: float) -> None:
    for reader, scene in zip(cams, scenes, strict=True):
        reader._publish(scene.jpeg(now), None)


def decode(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "the spliced mosaic must be a valid JPEG"
    return image


def test_spliced_mosaic_is_the_same_picture_as_one_full_encode() -> None:
    cams = readers()
    scenes = [DamScene(r.camera.id, r.camera.name) for r in cams]
    feed(cams, scenes, time.time())
    options = cams[0].relay
    spliced, pasted = Mosaic(cams, options), Mosaic(cams, options, splice=False)
    assert spliced.spliced and not pasted.spliced
    a, b = decode(spliced._build()), decode(pasted._build())
    assert a.shape == b.shape == (3 * 96, 4 * 160, 3)
    # Tiles sit on MCU boundaries, so every 8x8 block is coded the same way in both pictures.
    assert int(np.abs(a.astype(int) - b.astype(int)).max()) <= 2
    # Tiles are in place: camera 5 (row 1, column 1) shows its own picture, empty cells are black.
    tile = a[96:192, 160:320]
    assert tile[10:60].std() > 5
    assert a[192:, 320:].max() < 40


def test_tiles_take_turns_and_a_state_change_does_not_wait() -> None:
    cams = readers(mosaic_fps=2.0, mosaic_tile_fps=1.0)
    scenes = [DamScene(r.camera.id, r.camera.name) for r in cams]
    mosaic = Mosaic(cams, cams[0].relay)
    assert mosaic.turns == 2
    now = time.time()
    feed(cams, scenes, now)
    start = mosaic.tile_encodes
    mosaic._build()
    assert mosaic.tile_encodes - start == COUNT  # first picture: every tile

    counts = []
    for tick in range(1, 3):  # new frames everywhere: each tick refreshes one half, a checkerboard
        feed(cams, scenes, now + tick)
        before = mosaic.tile_encodes
        mosaic._build()
        counts.append(mosaic.tile_encodes - before)
    assert counts == [5, 5]

    before = mosaic.tile_encodes
    mosaic._build()  # no new frames: the half refreshed first catches up with the newest frame
    assert mosaic.tile_encodes - before == 5
    before = mosaic.tile_encodes
    mosaic._build()  # every tile now shows its camera's newest frame: nothing to encode
    assert mosaic.tile_encodes == before

    down = cams[3]
    down.connected = False  # the link dropped: OFFLINE now, whatever the tile's turn
    assert down.state() is State.OFFLINE
    for expected in (1, 0):
        before = mosaic.tile_encodes
        mosaic._build()
        assert mosaic.tile_encodes - before == expected
    assert mosaic._tiles[down.camera.id].key == (-1, State.OFFLINE)


def test_decoded_sources_and_broken_frames_still_get_tiles() -> None:
    cams = readers()
    scenes = [DamScene(r.camera.id, r.camera.name) for r in cams]
    now = time.time()
    feed(cams, scenes, now)
    cams[0]._publish(None, scenes[0].raw(now))  # an H.264 camera hands over pixels, not JPEG
    cams[1]._publish(b"\xff\xd8\xff\xc0\x00\x11\x08\x01\x68\x02\x80" + b"\x00" * 64, None)  # header, no data
    mosaic = Mosaic(cams, RelayOptions(mosaic_columns=4, mosaic_tile_width=160))
    image = decode(mosaic._build())
    assert image.shape == (3 * 96, 4 * 160, 3)
    assert image[10:60, 10:150].std() > 5  # the decoded camera's picture, scaled into its tile
    assert scenes[0].raw(now).shape == (360, 640, 3)  # the reader's own pixels were not drawn on


def test_a_watched_fast_mosaic_asks_for_every_picture_and_stamps_each_tile() -> None:
    cams = readers()
    assert RelayOptions().mosaic_tile_fps == 5.0  # the default: a wall that moves
    assert not cams[0]._grid_watched()  # nobody watches: keyframes only
    scenes = [DamScene(r.camera.id, r.camera.name) for r in cams]
    feed(cams, scenes, time.time())
    mosaic = Mosaic(cams, cams[0].relay)
    image = decode(mosaic._build())
    assert all(r._grid_watched() for r in cams)  # the grid streams decode every picture now
    tile_h = mosaic.tile_h
    stamp = image[1 : tile_h // 9, 2 : mosaic.tile_w // 3]  # the capture time, top left
    assert stamp.max() > 200 and np.median(stamp) < 80  # white digits on a darkened box
    slow = readers(mosaic_fps=1.0, mosaic_tile_fps=1.0)
    Mosaic(slow, slow[0].relay)._build()
    assert not slow[0]._grid_watched()  # one picture a second: keyframes are enough


def test_names_keep_their_diacritics() -> None:
    from streams.lettering import _font, draw_text

    assert _font(20) is not None, "a TrueType font with Vietnamese letters is installed"
    plain, marked = (np.zeros((30, 200, 3), np.uint8) for _ in range(2))
    draw_text(plain, "Hoa Binh", 4, 24, 20)
    draw_text(marked, "Hòa Bình", 4, 24, 20)
    def top(image: np.ndarray) -> int:
        return int(np.nonzero(image.max(axis=(1, 2)))[0][0])  # first row with ink

    assert top(marked) < top(plain)  # the accents stand above the letters


def test_a_tile_keeps_the_cameras_own_top_line_whole() -> None:
    """The capture-time stamp sits under the picture's top line: it must not cut a dam's name
    from the left ('g (Na Hang)' for 'Tuyên Quang (Na Hang)')."""
    from streams.imaging import decode_for_width

    cams = readers()
    scenes = [DamScene(r.camera.id, "Tuyên Quang (Na Hang)") for r in cams]
    feed(cams, scenes, time.time())
    mosaic = Mosaic(cams, cams[0].relay, splice=False, tile_width=240)
    mosaic._build()
    tile = mosaic._tiles[cams[0].camera.id].pixels
    assert tile is not None
    picture = decode_for_width(cams[0].slot.latest, mosaic.tile_w)
    crop = max(0, (picture.shape[0] - mosaic.tile_h) // 2)
    line = round(picture.shape[0] * 0.125) - crop  # the scene's name bar, as the tile shows it
    name = (slice(1, line), slice(1, mosaic.tile_w // 2))  # where the name starts (inside the 1 px frame)
    diff = np.abs(tile[name].astype(int) - picture[crop:][name].astype(int))
    assert diff.mean() < 3, "the camera's name at the top left is covered"
    # The stamp is still there, just below: digits drawn over the picture.
    below = (slice(line, line + mosaic.tile_h // 5), slice(1, mosaic.tile_w // 3))
    assert np.abs(tile[below].astype(int) - picture[crop:][below].astype(int)).mean() > 10


def test_placeholders_name_the_state_in_the_screens_words() -> None:
    from streams.imaging import STATE_COLOURS, STATE_WORDS, offline_tile
    from web import i18n

    for state, words in STATE_WORDS.items():
        assert words == i18n.t(f"cam.state.{state.value}", "vi").upper()
    picture = offline_tile("Hòa Bình", 320, 180, State.OFFLINE)
    colour = np.all(np.abs(picture.astype(int) - STATE_COLOURS[State.OFFLINE]) < 40, axis=2)
    cols = np.flatnonzero(colour.any(axis=0))
    assert cols.size and cols[0] > 4 and cols[-1] < 316  # written whole, inside the picture
    assert abs((cols[0] + cols[-1]) / 2 - 160) < 12  # centred
