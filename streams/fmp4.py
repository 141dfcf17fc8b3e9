"""A small fragmented-MP4 writer for H.264: an init segment and one fragment per access unit (no decode)."""
from __future__ import annotations

import struct

TIMESCALE = 90000  # the RTP clock: packet times need no conversion
MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
# sample_flags: a keyframe depends on nothing; other pictures depend on earlier ones and are not sync samples
KEY_FLAGS, DELTA_FLAGS = 0x02000000, 0x01010000
SKIP_TYPES = (7, 8, 9)  # SPS/PPS live in the init segment's avcC; AUDs mean nothing inside MP4


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def split_nals(data: bytes) -> list[bytes]:
    """NAL units of an Annex B access unit (start codes 00 00 01 or 00 00 00 01)."""
    nals, i, n, start = [], 0, len(data), -1
    while True:
        j = data.find(b"\x00\x00\x01", i)
        if j < 0:
            break
        if start >= 0:
            nals.append(data[start : j - 1 if j > 0 and data[j - 1] == 0 else j])
        start = i = j + 3
    if start >= 0:
        nals.append(data[start:n])
    return [nal for nal in nals if nal]


def parameter_sets(data: bytes) -> tuple[bytes | None, bytes | None]:
    """(SPS, PPS) found in Annex B data (an access unit or the stream's extradata)."""
    sps = pps = None
    for nal in split_nals(data):
        kind = nal[0] & 0x1F
        if kind == 7 and sps is None:
            sps = nal
        elif kind == 8 and pps is None:
            pps = nal
    return sps, pps


def codec_string(sps: bytes) -> str:
    """RFC 6381 codec name for MSE, e.g. avc1.4d4028 (profile, constraints, level from the SPS)."""
    return "avc1." + sps[1:4].hex()


def init_segment(sps: bytes, pps: bytes, width: int, height: int) -> bytes:
    """ftyp + moov for one H.264 video track with no samples (the samples come in fragments)."""
    avcc = box(b"avcC", bytes((1, sps[1], sps[2], sps[3], 0xFF, 0xE1)), struct.pack(">H", len(sps)), sps,
               b"\x01", struct.pack(">H", len(pps)), pps)
    avc1 = box(b"avc1", b"\x00" * 6, struct.pack(">H", 1), b"\x00" * 16, struct.pack(">HH", width, height),
               struct.pack(">II", 0x480000, 0x480000), b"\x00" * 4, struct.pack(">H", 1), b"\x00" * 32,
               struct.pack(">Hh", 0x18, -1), avcc)
    stbl = box(b"stbl", full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
               full_box(b"stts", 0, 0, b"\x00" * 4), full_box(b"stsc", 0, 0, b"\x00" * 4),
               full_box(b"stsz", 0, 0, b"\x00" * 8), full_box(b"stco", 0, 0, b"\x00" * 4))
    minf = box(b"minf", full_box(b"vmhd", 0, 1, b"\x00" * 8),
               box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1))), stbl)
    mdia = box(b"mdia", full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, 0, 0x55C4, 0)),
               full_box(b"hdlr", 0, 0, b"\x00" * 4, b"vide", b"\x00" * 12, b"VideoHandler\x00"), minf)
    tkhd = full_box(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, 1, 0, 0), b"\x00" * 8,
                    struct.pack(">hhhH", 0, 0, 0, 0), MATRIX, struct.pack(">II", width << 16, height << 16))
    mvhd = full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, 0), struct.pack(">IH", 0x10000, 0x100),
                    b"\x00" * 10, MATRIX, b"\x00" * 24, struct.pack(">I", 2))
    mvex = box(b"mvex", full_box(b"trex", 0, 0, struct.pack(">IIIII", 1, 1, 0, 0, 0)))
    ftyp = box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso6avc1mp41")
    return ftyp + box(b"moov", mvhd, box(b"trak", tkhd, mdia), mvex)


def sample(data: bytes) -> bytes:
    """An Annex B access unit as MP4 sample data: 4-byte lengths, parameter sets and AUDs left out."""
    return b"".join(struct.pack(">I", len(nal)) + nal for nal in split_nals(data) if nal[0] & 0x1F not in SKIP_TYPES)


def fragment(seq: int, decode_time: int, duration: int, data: bytes, key: bool, cto: int = 0) -> bytes:
    """moof + mdat holding one access unit (`data`, Annex B) at `decode_time` (90 kHz units)."""
    payload = sample(data)
    trun_size = 8 + 4 + 4 + 4 + 16  # header, flags, count, data offset, one sample's four fields
    traf_size = 8 + (8 + 4 + 4) + (8 + 4 + 8) + trun_size
    moof_size = 8 + (8 + 4 + 4) + traf_size
    trun = full_box(b"trun", 1, 0x000F01, struct.pack(">Ii", 1, moof_size + 8),
                    struct.pack(">IIIi", duration, len(payload), KEY_FLAGS if key else DELTA_FLAGS, cto))
    traf = box(b"traf", full_box(b"tfhd", 0, 0x020000, struct.pack(">I", 1)),
               full_box(b"tfdt", 1, 0, struct.pack(">Q", decode_time)), trun)
    moof = box(b"moof", full_box(b"mfhd", 0, 0, struct.pack(">I", seq)), traf)
    return moof + struct.pack(">I", 8 + len(payload)) + b"mdat" + payload


def top_boxes(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """Complete top-level boxes at the start of `data` as (type, whole box), and the bytes they use.

    For clients that read a live stream (tests, the benchmark): what is left over is an incomplete box.
    """
    out, pos = [], 0
    while pos + 8 <= len(data):
        size = struct.unpack_from(">I", data, pos)[0]
        if size < 8 or pos + size > len(data):
            break
        out.append((data[pos + 4 : pos + 8], data[pos : pos + size]))
        pos += size
    return out, pos


def is_key_fragment(moof: bytes) -> bool:
    """Whether a moof (as written by fragment()) holds a keyframe."""
    at = moof.find(b"trun")
    return at >= 0 and struct.unpack_from(">I", moof, at + 4 + 4 + 8 + 8)[0] == KEY_FLAGS
