"""Import OpenCV with the FFmpeg settings the relay needs (DESIGN §6)."""
from __future__ import annotations

import os

# Read by OpenCV when the first capture opens; setdefault keeps an operator's explicit choice.
# IS_THREAD_SAFE lets 32 readers open concurrently instead of queueing behind one global lock;
# THREADS=1 stops FFmpeg's frame-threaded decoder from adding latency (and idle threads).
os.environ.setdefault("OPENCV_FFMPEG_IS_THREAD_SAFE", "1")
os.environ.setdefault("OPENCV_FFMPEG_THREADS", "1")
# Process-wide FFmpeg options for cv2 captures: RTSP over interleaved TCP, as PyAV readers use it.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")

import cv2  # noqa: E402

# The relay already runs one thread per camera; OpenCV's own pool would only oversubscribe.
cv2.setNumThreads(1)

__all__ = ["cv2"]
