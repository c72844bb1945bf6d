"""squeezefpga UART host driver: runs a network on a board built by
``squeezefpga bitstream MODEL --board NAME`` (written there as
host/squeezefpga_uart.py, with CONFIG filled in for that network).

    python squeezefpga_uart.py --port /dev/ttyUSB0 --inputs X.npy --out Y.npy

X.npy: float NCHW frames as ``squeezefpga golden`` takes them; Y.npy: the
network's outputs, float32, equal to ``squeezefpga golden --out``.  Needs
numpy and pyserial.

Protocol (the board top: hw/frame_loader.v, hw/frame_unloader.v), 8N1 UART
at CONFIG["baud"]:
  request  (host -> board): 0x00 COBS(SEQ, PAYLOAD, CRC) 0x00
  response (board -> host): 0xA5 0x5A SEQ STATUS PAYLOAD CRC
SEQ is a frame number (mod 256), CRC the CRC-8 (polynomial 0x07, initial 0,
MSB first, no final xor) of the bytes before it, STATUS 0 good, 1 CRC error,
2 wrong length.  COBS (consistent overhead byte stuffing: each block of up to
254 non-zero bytes is preceded by its length + 1, a block shorter than 254 was
followed by a 0x00) leaves no 0x00 inside a frame, so 0x00 delimits frames
and a lost byte spoils only its own frame (the leading 0x00 also makes the
first request after the board's reset, which waits for a delimiter, count;
between two requests the two 0x00 are an empty frame, which is ignored).  The request payload is the network's input stream: pixels in
raster order, each pixel's channels in beats of CONFIG lanes (channel f*lanes
+ i in lane i, bits [i*W, (i+1)*W)), each beat as ceil(lanes*W/8) bytes,
least significant first.  The response payload is the output stream the
same way.  A frame whose response is bad or missing (timeout) is sent again;
at most WINDOW frames are in flight.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

CONFIG: dict = {}   # this network's: written by squeezefpga bitstream

SYNC = b"\xa5\x5a"
HEADER = 4          # SYNC, SEQ, STATUS
WINDOW = 2          # frames in flight
STATUS = {0: "good", 1: "CRC error", 2: "wrong length"}


def crc8(data: bytes, crc: int = 0) -> int:
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def cobs_encode(data: bytes) -> bytes:
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block.clear()
        else:
            block.append(b)
            if len(block) == 254:
                out += b"\xff" + block
                block.clear()
    return bytes(out + bytes([len(block) + 1]) + block)


def cobs_decode(data: bytes) -> bytes:
    """One frame's bytes (no 0x00) decoded as frame_loader does: a block cut
    short by the frame's end (a lost byte) yields what is there."""
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]
        out += data[i + 1:i + code]
        i += code
        if code < 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def request_wire_bytes(payload_bytes: int) -> int:
    """Worst-case bytes on the wire of one request (COBS overhead and delimiter)."""
    n = payload_bytes + 2
    return 1 + n + 1 + n // 254 + 1


def response_wire_bytes(payload_bytes: int) -> int:
    return payload_bytes + HEADER + 1


def encode_request(seq: int, payload: bytes) -> bytes:
    body = bytes([seq & 0xFF]) + bytes(payload)
    return b"\x00" + cobs_encode(body + bytes([crc8(body)])) + b"\x00"


def beat_bytes(port: dict) -> int:
    return (port["lanes"] * port["bits"] + 7) // 8


def payload_bytes(port: dict) -> int:
    h, w, c = port["shape_hwc"]
    return h * w * -(-c // port["lanes"]) * beat_bytes(port)


def input_payload(frame: np.ndarray, cfg: dict = CONFIG) -> bytes:
    """One float frame (C, H, W) -> the request payload (the input's codes)."""
    p = cfg["input"]
    bits, lanes = p["bits"], p["lanes"]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if p["signed"] else (0, (1 << bits) - 1)
    codes = np.clip(np.rint(np.ldexp(np.asarray(frame, np.float64), -p["exp"])), lo, hi)
    hwc = codes.astype(np.int64).reshape(p["shape_chw"]).transpose(1, 2, 0)
    h, w, c = hwc.shape
    cf = -(-c // lanes)
    padded = np.zeros((h, w, cf * lanes), np.int64)
    padded[:, :, :c] = hwc
    mask, nb = (1 << bits) - 1, beat_bytes(p)
    out = bytearray()
    for beat in padded.reshape(-1, lanes):
        word = 0
        for i, v in enumerate(beat):
            word |= (int(v) & mask) << (i * bits)
        out += word.to_bytes(nb, "little")
    return bytes(out)


def decode_output(payload: bytes, cfg: dict = CONFIG) -> np.ndarray:
    """A response payload -> the frame's output as golden gives it (float)."""
    p = cfg["output"]
    bits, lanes, nb = p["bits"], p["lanes"], beat_bytes(p)
    h, w, c = p["shape_hwc"]
    vals = []
    for k in range(0, len(payload), nb):
        word = int.from_bytes(payload[k:k + nb], "little")
        for i in range(lanes):
            v = (word >> (i * bits)) & ((1 << bits) - 1)
            vals.append(v - (1 << bits) if p["signed"] and v >> (bits - 1) else v)
    cf = -(-c // lanes)
    hwc = np.array(vals, np.float64).reshape(h, w, cf * lanes)[:, :, :c]
    return np.ldexp(hwc.transpose(2, 0, 1), p["exp"]).reshape(cfg["golden_shape"])


class ResponseParser:
    """Bytes from the board in, whole responses out: (seq, status, payload) for
    every frame with its sync bytes, length and CRC right; anything else is
    skipped byte by byte until the next sync."""

    def __init__(self, cfg: dict = CONFIG):
        self.size = response_wire_bytes(payload_bytes(cfg["output"]))
        self.buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> list[tuple[int, int, bytes]]:
        self.buf += data
        out = []
        while True:
            at = self.buf.find(SYNC)
            if at < 0:
                keep = 1 if self.buf[-1:] == SYNC[:1] else 0
                self.skipped += len(self.buf) - keep
                del self.buf[:len(self.buf) - keep]
                return out
            self.skipped += at
            del self.buf[:at]
            if len(self.buf) < self.size:
                return out
            frame = bytes(self.buf[:self.size])
            if crc8(frame[2:-1]) == frame[-1]:
                out.append((frame[2], frame[3], frame[HEADER:-1]))
                del self.buf[:self.size]
            else:
                self.skipped += 1
                del self.buf[:1]


def infer(link, x: np.ndarray, cfg: dict = CONFIG, timeout: float = 1.0,
          tries: int = 5, log=None) -> np.ndarray:
    """Run frames ``x`` (N, C, H, W) through the board on ``link`` (a serial
    port: write(bytes), read(n) returning what arrived within its timeout)."""
    n = len(x)
    payloads = [input_payload(f, cfg) for f in x]
    y: list = [None] * n
    parser = ResponseParser(cfg)
    sent: dict[int, tuple[int, float]] = {}   # seq -> (frame, time sent)
    attempts = [0] * n
    todo = list(range(n))

    def send(i: int) -> None:
        attempts[i] += 1
        if attempts[i] > tries:
            raise RuntimeError(f"frame {i}: no good response after {tries} tries")
        sent[i & 0xFF] = (i, time.monotonic())
        link.write(encode_request(i, payloads[i]))

    while todo or sent:
        while todo and len(sent) < WINDOW:
            send(todo.pop(0))
        for seq, status, payload in parser.feed(link.read(parser.size)):
            if seq not in sent:
                continue
            i, _ = sent.pop(seq)
            if status == 0:
                y[i] = decode_output(payload, cfg)
            else:
                if log:
                    log(f"frame {i}: {STATUS.get(status, status)}, sent again")
                todo.insert(0, i)
        for seq, (i, t) in list(sent.items()):
            if time.monotonic() - t > timeout:
                if log:
                    log(f"frame {i}: no response in {timeout:g} s, sent again")
                del sent[seq]
                todo.insert(0, i)
    return np.stack(y).astype(np.float32)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", required=True, help="serial port, e.g. /dev/ttyUSB0 or COM3")
    ap.add_argument("--inputs", required=True, help="X.npy: float NCHW frames")
    ap.add_argument("--out", required=True, help="Y.npy: the outputs (float32)")
    ap.add_argument("--baud", type=int, default=CONFIG.get("baud"),
                    help=f"must match the bitstream (default {CONFIG.get('baud')})")
    ap.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for a response")
    args = ap.parse_args(argv)
    x = np.load(args.inputs, allow_pickle=False)
    shape = tuple(CONFIG["input"]["shape_chw"])
    if x.ndim == len(shape):
        x = x[None]
    if tuple(x.shape[1:]) != shape:
        print(f"--inputs {args.inputs}: frames are {list(x.shape[1:])}, the network takes "
              f"{list(shape)}", file=sys.stderr)
        return 2
    import serial   # pyserial

    with serial.Serial(args.port, args.baud, timeout=0.05) as link:
        link.reset_input_buffer()
        t0 = time.monotonic()
        y = infer(link, x, CONFIG, args.timeout, log=lambda m: print(m, file=sys.stderr))
        dt = time.monotonic() - t0
    np.save(args.out, y)
    print(f"{len(x)} frames in {dt:.2f} s ({len(x) / dt:.1f} frames/s) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
