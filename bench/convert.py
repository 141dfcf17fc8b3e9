"""Decoding the simulator's H.264 to BGR pictures: the relay's converter against PyAV's default.

    python bench/convert.py [--pictures 200] [--size sub|main]

Reads a simulated camera's stream once (640×360 sub or 1920×1080 main), then decodes the same
packets twice per round: with `PacketSource.decode` (one colour converter per stream, one thread)
and, as the baseline, with `frame.to_ndarray(format="bgr24")` (a converter per picture, whose
automatic threading starts a thread per core each time). Prints ms per picture (median, p95), the
ratio baseline / relay, and the threads the kernel started during each way (ns_last_pid: every
thread or process started on the machine meanwhile, so other work adds to it).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._table import p95, print_table  # noqa: E402
from streams.packets import PacketSource  # noqa: E402
from streams.simulator import Simulator, VideoOptions  # noqa: E402

LAST_PID = Path("/proc/sys/kernel/ns_last_pid")


def baseline_decode(source: PacketSource, data: bytes) -> list:
    """What the relay did before: PyAV's to_ndarray, a new converter for every picture."""
    frames = source._stream.codec_context.decode(av.Packet(data))  # noqa: SLF001 - the same decoder
    return [frame.to_ndarray(format="bgr24") for frame in frames]


def run(source: PacketSource, packets: list[bytes], way: str) -> tuple[list[float], int]:
    """Milliseconds per packet decoded to pictures, and the threads started meanwhile."""
    out: list[float] = []
    before = int(LAST_PID.read_text())
    for data in packets:
        started = time.perf_counter()
        if way == "relay":
            source.decode(data)
        else:
            baseline_decode(source, data)
        out.append((time.perf_counter() - started) * 1000)
    return out, int(LAST_PID.read_text()) - before


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pictures", type=int, default=200)
    ap.add_argument("--size", choices=["sub", "main"], default="sub")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="bench-convert-"))
    sim = Simulator([("cam-a", "Cam A", "h264")], video=VideoOptions(cache_dir=cache)).start()
    try:
        source = PacketSource(f"{sim.rtsp_url}/cam-a/{args.size}", open_timeout=10, read_timeout=10)
        source.open()
        packets = [p.data for _, p in zip(range(args.pictures), source.packets(), strict=False)]
        results: dict[str, tuple[list[float], int]] = {"baseline": ([], 0), "relay": ([], 0)}
        for _ in range(args.rounds):  # alternate, so both ways see the same machine
            for way in ("baseline", "relay"):
                ms, threads = run(source, packets, way)
                results[way] = (results[way][0] + ms, results[way][1] + threads)
        source.close()
    finally:
        sim.stop()
    base_median = statistics.median(results["baseline"][0])
    rows = [[way, statistics.median(ms), p95(ms), base_median / statistics.median(ms), threads]
            for way, (ms, threads) in results.items()]
    print(f"{args.size} stream, {len(packets)} packets x {args.rounds} rounds")
    print_table(["way", "median ms", "p95 ms", "baseline / this", "threads started"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
