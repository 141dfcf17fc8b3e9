"""The simulator's RTSP server speaks enough RTSP for real clients: FFmpeg through OpenCV, and refusals."""
from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from streams import rtp
from streams._cv import cv2
from streams.packets import PacketSource
from streams.simloop import LoopSpec, load, split_annexb
from streams.simulator import Simulator
from streams.sources import SourceError

from .conftest import small_video

pytestmark = pytest.mark.timeout(60)


def request(port: int, lines: list[str]) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return sock.recv(4096).decode("latin-1")


def test_opencv_reads_the_simulated_camera_like_a_real_one(sim_cache: Any) -> None:
    sim = Simulator([("cam-a", "Cam A", "h264")], video=small_video(sim_cache)).start()
    try:
        assert sim.rtsp_url is not None
        url = f"{sim.rtsp_url}/cam-a/sub"
        cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000,
                                                     cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000])
        try:
            assert cap.isOpened()
            ok, image = cap.read()
            assert ok and image.shape == (180, 320, 3)
        finally:
            cap.release()
        port = int(sim.rtsp_url.rsplit(":", 1)[1])
        base = f"rtsp://127.0.0.1:{port}"
        describe = request(port, [f"DESCRIBE {base}/cam-a/main RTSP/1.0", "CSeq: 2"])
        assert describe.startswith("RTSP/1.0 200") and "CSeq: 2" in describe
        assert "a=rtpmap:96 H264/90000" in describe and "sprop-parameter-sets=" in describe
        assert request(port, [f"DESCRIBE {base}/nope/main RTSP/1.0", "CSeq: 3"]).startswith("RTSP/1.0 404")
        udp = request(port, [f"SETUP {base}/cam-a/main/trackID=0 RTSP/1.0", "CSeq: 4",
                             "Transport: RTP/AVP;unicast;client_port=5000-5001"])
        assert udp.startswith("RTSP/1.0 461")  # interleaved TCP only
        sim.stop_camera("cam-a")
        assert request(port, [f"DESCRIBE {base}/cam-a/main RTSP/1.0", "CSeq: 5"]).startswith("RTSP/1.0 503")
    finally:
        sim.stop()


def test_packetisation_round_trips_and_marks_the_last_packet(sim_cache: Any) -> None:
    loop = load(LoopSpec("cam-p", "Cam P", "MAIN", 640, 360, 25, 2.0), sim_cache)
    key = loop.frames[0]
    payloads = rtp.packetise(key, "h264")
    assert all(len(p) <= rtp.MTU for p in payloads) and len(payloads) > len(key)  # big NALs became FU-A
    # Reassemble FU-A fragments (RFC 6184 5.8) and get the NAL units back.
    nals, current = [], b""
    for p in payloads:
        if p[0] & 0x1F == 28:
            if p[1] & 0x80:
                current = bytes(((p[0] & 0xE0) | (p[1] & 0x1F),))
            current += p[2:]
            if p[1] & 0x40:
                nals.append(current)
        else:
            nals.append(p)
    assert nals == key
    assert split_annexb(b"".join(b"\x00\x00\x00\x01" + n for n in key)) == key
    stamp = rtp.sei_stamp(rtp.sei_nal("h264", 1764500000.25))
    assert stamp == pytest.approx(1764500000.25)


def test_simulated_h264_cameras_need_no_ffmpeg_binary(tmp_path: Any) -> None:
    """Issue 9: with no ffmpeg on PATH the simulator still serves H.264 that a relay can read."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "from pathlib import Path\n"
        "from streams.simulator import Simulator, VideoOptions\n"
        "from streams.packets import PacketSource\n"
        "sim = Simulator([('cam-x', 'Cam X', 'h264')], video=VideoOptions((320, 180), 25, (160, 90), 10, 2.0, 1.0,"
        f" Path({str(tmp_path)!r}))).start()\n"
        "src = PacketSource(sim.rtsp_url + '/cam-x/main', 5, 5)\n"
        "src.open()\n"
        "packet = next(src.packets())\n"
        "print(src.codec, src.width, src.height, packet.key)\n"
        "src.close(); sim.stop()\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty directory: no ffmpeg, no other binaries
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["h264", "320", "180", "True"]


def test_a_camera_that_goes_silent_is_reported_as_a_read_timeout(sim_cache: Any) -> None:
    sim = Simulator([("cam-a", "Cam A", "h264")], video=small_video(sim_cache)).start()
    source = PacketSource(f"{sim.rtsp_url}/cam-a/sub", open_timeout=5, read_timeout=0.5)
    try:
        source.open()
        packets = source.packets()
        assert next(packets).data
        sim.rtsp.streams["cam-a/sub"].running = False  # connected, but nothing more is sent
        started = time.monotonic()
        with pytest.raises(SourceError, match=r"no data for \d+\.\d s \(read timeout\)"):
            for _ in packets:
                pass
        assert time.monotonic() - started < 3
    finally:
        source.close()
        sim.stop()


def test_decoding_pictures_starts_no_threads(sim_cache: Any) -> None:
    """Colour conversion on one thread with one converter: PyAV's default makes a converter per
    picture whose automatic threading starts and joins a thread per core every time."""
    sim = Simulator([("cam-a", "Cam A", "h264")], video=small_video(sim_cache)).start()
    source = PacketSource(f"{sim.rtsp_url}/cam-a/sub", open_timeout=5, read_timeout=5)
    try:
        source.open()
        packets = [p for _, p in zip(range(30), source.packets(), strict=False)]
        last_pid = Path("/proc/sys/kernel/ns_last_pid")
        before = int(last_pid.read_text())
        pictures = [image for p in packets for image in source.decode(p.data)]
        started = int(last_pid.read_text()) - before  # every thread (and process) started meanwhile
        assert len(pictures) >= 25 and pictures[0].shape == (180, 320, 3)
        assert started < 10, f"{started} threads started while decoding {len(pictures)} pictures"
    finally:
        source.close()
        sim.stop()
