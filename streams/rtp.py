"""RTP for H.264 (RFC 6184) and H.265 (RFC 7798): packetisation, SDP and a timestamp SEI."""
from __future__ import annotations

import base64
import struct

MTU = 1400  # RTP payload bytes per packet: what a camera on Ethernet sends
CLOCK = 90000  # RTP video clock rate
PAYLOAD_TYPE = 96
# user_data_unregistered SEI carrying the capture time as ASCII seconds ("1764500000.123456"): the
# relay reads it as the camera's timestamp, and a viewer can measure picture age end to end.
# Chosen without 00 bytes, so no emulation prevention is ever needed.
SEI_UUID = bytes.fromhex("6f707363616d657261a5a5a5a5a5a5a5")


def fragment(nal: bytes, codec: str, mtu: int = MTU) -> list[bytes]:
    """RTP payloads of one NAL unit: the NAL itself, or FU-A (H.264) / FU (H.265) fragments."""
    if len(nal) <= mtu:
        return [nal]
    if codec == "hevc":
        ntype = (nal[0] >> 1) & 0x3F
        head = bytes(((nal[0] & 0x81) | (49 << 1), nal[1]))
        body, fu = nal[2:], ntype
    else:
        head = bytes(((nal[0] & 0xE0) | 28,))
        body, fu = nal[1:], nal[0] & 0x1F
    step = mtu - len(head) - 1
    out = []
    for offset in range(0, len(body), step):
        flags = (0x80 if offset == 0 else 0) | (0x40 if offset + step >= len(body) else 0)
        out.append(head + bytes((flags | fu,)) + body[offset : offset + step])
    return out


def packetise(nals: list[bytes], codec: str) -> list[bytes]:
    """Every RTP payload of one access unit, in order (the last one gets the marker bit)."""
    return [payload for nal in nals for payload in fragment(nal, codec)]


def sei_nal(codec: str, stamp: float) -> bytes:
    """A user_data_unregistered SEI NAL with `stamp` (epoch seconds) in ASCII."""
    text = f"{stamp:.6f}".encode()
    body = bytes((5, len(SEI_UUID) + len(text))) + SEI_UUID + text + b"\x80"
    return (b"\x4e\x01" if codec == "hevc" else b"\x06") + body


def sei_stamp(data: bytes) -> float | None:
    """The capture time carried by our SEI anywhere in `data` (an access unit), or None."""
    at = data.find(SEI_UUID)
    if at < 0:
        return None
    text = data[at + 16 : at + 16 + 17]
    try:
        return float(text)
    except ValueError:
        return None


def rtp_header(seq: int, timestamp: int, ssrc: int, marker: bool) -> bytes:
    return struct.pack(">BBHII", 0x80, (0x80 if marker else 0) | PAYLOAD_TYPE, seq & 0xFFFF,
                       timestamp & 0xFFFFFFFF, ssrc)


def interleaved(channel: int, packet: bytes) -> bytes:
    """RTSP interleaved framing (RFC 2326 §10.12): '$', channel, length, packet."""
    return struct.pack(">cBH", b"$", channel, len(packet)) + packet


def sdp(codec: str, params: list[bytes], fps: int, host: str = "127.0.0.1") -> str:
    """Session description with the parameter sets, so a client knows the picture before the first frame."""
    b64 = [base64.b64encode(p).decode() for p in params]
    if codec == "hevc":
        vps, sps, pps = b64
        media = ["a=rtpmap:96 H265/90000", f"a=fmtp:96 sprop-vps={vps};sprop-sps={sps};sprop-pps={pps}"]
    else:
        sps = params[0]
        profile = sps[1:4].hex().upper()
        media = ["a=rtpmap:96 H264/90000",
                 f"a=fmtp:96 packetization-mode=1;profile-level-id={profile};sprop-parameter-sets={','.join(b64)}"]
    lines = ["v=0", f"o=- 0 0 IN IP4 {host}", "s=Ops Centre simulated camera", f"c=IN IP4 {host}", "t=0 0",
             "a=control:*", "m=video 0 RTP/AVP 96", *media, f"a=framerate:{fps}", "a=control:trackID=0"]
    return "\r\n".join(lines) + "\r\n"
