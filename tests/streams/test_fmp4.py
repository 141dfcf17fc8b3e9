"""fMP4 remux and the live feed: valid MP4 from a real encoded loop, bounded viewers, keyframe starts."""
from __future__ import annotations

import io
from typing import Any

import av

from streams import fmp4, live
from streams.simloop import LoopSpec, load


def access_units(sim_cache: Any, gops: int = 2) -> list[tuple[bytes, bool]]:
    """Annex B access units of a real 640x360 H.264 loop (keyframe every 50 pictures)."""
    loop = load(LoopSpec("cam-f", "Cam F", "MAIN", 640, 360, 25, 2.0), sim_cache)
    units = [(b"".join(b"\x00\x00\x00\x01" + n for n in nals), key)
             for nals, key in zip(loop.frames, loop.keyframes, strict=True)]
    return units * gops


def feed_with(units: list[tuple[bytes, bool]], feed: live.LiveFeed) -> None:
    for index, (data, key) in enumerate(units):
        feed.push(data, key, index * 3600, index * 3600)


def test_remuxed_stream_is_valid_mp4_and_a_new_viewer_starts_on_a_keyframe(sim_cache: Any) -> None:
    feed = live.LiveFeed("cam-f")
    feed.start_source(None, 640, 360)
    units = access_units(sim_cache)
    feed_with(units[:60], feed)  # the second GOP began at picture 50
    assert feed.codec.startswith("avc1.") and len(feed.gop) == 10
    viewer = live.LiveViewer()
    feed.attach(viewer)
    first = viewer.queue[0]
    boxes, used = fmp4.top_boxes(first)
    assert used == len(first) and [k for k, _ in boxes][:3] == [b"ftyp", b"moov", b"moof"]
    assert fmp4.is_key_fragment(boxes[2][1])
    feed_with(units[60:70], feed)
    data = b"".join(viewer.queue)
    pictures = list(av.open(io.BytesIO(data), format="mp4").decode(video=0))
    assert len(pictures) == 20 and (pictures[0].width, pictures[0].height) == (640, 360)
    times = [p.pts for p in pictures]
    assert times == sorted(times) and times[1] - times[0] == 3600  # 25 fps on a 90 kHz clock


def test_a_viewer_that_stops_reading_stays_bounded_and_restarts_on_a_keyframe(sim_cache: Any) -> None:
    feed = live.LiveFeed("cam-f")
    feed.start_source(None, 640, 360)
    units = access_units(sim_cache, gops=3)
    viewer = live.LiveViewer()  # a server thread's viewer whose client stopped reading: nothing drains it
    feed.attach(viewer)
    biggest, restarts = 0, 0
    for index, (data, key) in enumerate(units):
        before = viewer.queued
        feed.push(data * 80, key, index * 3600, index * 3600)  # fat pictures: megabytes per GOP
        biggest = max(biggest, viewer.queued)
        if viewer.queued < before:  # dropped: what it queues next starts with a keyframe
            restarts += 1
            assert not viewer.queue or fmp4.is_key_fragment(fmp4.top_boxes(viewer.queue[0])[0][0][1])
    assert 0 < biggest <= live.VIEWER_MAX_QUEUED and restarts  # the bound held, by dropping to keyframes
    assert feed.fragments == len(units) and len(feed.gop) <= live.GOP_MAX_FRAGMENTS


def test_a_queued_viewer_far_behind_drops_to_the_next_keyframe() -> None:
    viewer = live.LiveViewer()  # the WSGI-generator kind: a bounded queue
    part = b"x" * (live.VIEWER_MAX_QUEUED // 4)
    viewer.offer(part, True)
    for _ in range(3):
        viewer.offer(part, False)
    assert viewer.queued == 4 * len(part) and not viewer.need_key
    viewer.offer(part, False)  # one more would pass the bound: everything queued goes
    assert viewer.queued == 0 and viewer.need_key
    viewer.offer(b"late delta", False)  # a picture that depends on dropped ones is useless
    assert not viewer.queue
    viewer.offer(b"key", True)
    assert list(viewer.queue) == [b"key"] and not viewer.need_key
