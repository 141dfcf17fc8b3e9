"""StreamHub on real socket pairs: prompt delivery under racing publishers, bounded lag, one release."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from streams.hub import StreamHub

from .conftest import wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def hub() -> Iterator[StreamHub]:
    h = StreamHub("test-hub").start()
    yield h
    h.stop()


def pair() -> tuple[socket.socket, socket.socket]:
    """(the hub's end, the viewer's end)."""
    return socket.socketpair()


def read_until(sock: socket.socket, marker: bytes, timeout: float) -> bytes:
    sock.settimeout(timeout)
    got = b""
    deadline = time.monotonic() + timeout
    while marker not in got:
        if time.monotonic() > deadline:
            raise AssertionError(f"{marker!r} not received within {timeout}s (got {len(got)} bytes)")
        got += sock.recv(1 << 20)
    return got


def test_racing_publishers_never_leave_data_waiting(hub: StreamHub) -> None:
    # A lost wake-up would leave data queued until the hub's idle wait: make that wait long.
    hub.idle_wait = 30.0
    feeds = [f"feed-{n}" for n in range(8)]
    viewers = []
    for feed in feeds:
        mine, theirs = pair()
        hub.attach(mine, b"HEAD", feed)
        read_until(theirs, b"HEAD", 5)
        viewers.append(theirs)
    rounds = 200
    go = threading.Barrier(len(feeds) + 1)

    def publisher(feed: str) -> None:
        for i in range(rounds):
            go.wait()
            hub.publish(feed, b"<%d>" % i)  # all at once, while the hub may be draining its wake-up

    threads = [threading.Thread(target=publisher, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for i in range(rounds):
        go.wait()
        for theirs in viewers:  # every round's data arrives at once, not after the idle wait
            read_until(theirs, b"<%d>" % i, 3)
    for thread in threads:
        thread.join()


def test_a_lagging_viewer_keeps_the_head_and_only_the_newest_frame(hub: StreamHub) -> None:
    hub.send_buffer = 4096
    mine, theirs = pair()
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    head = b"H" * 100_000  # far more than the socket buffers: it stays in flight
    viewer = hub.attach(mine, head, "cam")
    assert viewer is not None
    for i in range(50):
        hub.publish("cam", b"<frame %d>" % i)
        assert len(viewer.queue) <= 1
    got = read_until(theirs, b"<frame 49>", 5)
    assert got.startswith(head)  # whole, never cut by a newer frame
    assert got[len(head):] == b"<frame 49>"  # everything older was skipped
    assert viewer.dropped == 49


def test_chunks_without_resync_points_are_skipped_until_the_next_one(hub: StreamHub) -> None:
    """fMP4-style: a viewer past its budget waits for a keyframe fragment instead of a broken stream."""
    hub.max_queue_bytes = 30
    hub.send_buffer = 4096
    mine, theirs = pair()
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # Far more than both small socket buffers, and nobody reads yet: the head stays in flight.
    viewer = hub.attach(mine, b"H" * 400_000, "mp4")
    for i in range(5):
        hub.publish("mp4", b"p%02d-------" % i, resync=False)  # 11 bytes each: the third overflows
    assert viewer.skipping
    hub.publish("mp4", b"K", resync=True)
    hub.publish("mp4", b"p99", resync=False)
    got = read_until(theirs, b"p99", 5)
    assert got.endswith(b"Kp99") and b"p00" not in got and b"p04" not in got


def test_every_way_out_releases_once(hub: StreamHub) -> None:
    released: list[str] = []
    socks = {}
    for name in ("left", "revoked", "stopped"):
        mine, theirs = pair()
        socks[name] = theirs
        hub.attach(mine, b"HEAD", name, principal=f"display:{len(socks)}",
                   on_close=lambda v, name=name: released.append(name))
    for theirs in socks.values():
        read_until(theirs, b"HEAD", 5)
    socks["left"].close()
    wait_for(lambda: released == ["left"], 5, "the viewer that left released")
    assert hub.close_principals({"display:2"}) == 1
    wait_for(lambda: released == ["left", "revoked"], 5, "the revoked viewer released")
    assert socks["revoked"].recv(10) == b""  # its stream ended
    hub.stop()
    assert released == ["left", "revoked", "stopped"]
    assert hub.attach(pair()[0], b"", "late") is None  # a stopped hub takes nobody
