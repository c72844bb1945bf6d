"""Run the squeezefpga network on the board (PYNQ): bytes in, class scores out.

    python3 squeezefpga_driver.py --bit squeezefpga.bit --inputs x.npy [--out y.npy]

x.npy: float32 or uint8 NCHW frames of raw pixel values (as the QONNX model
takes them); y.npy: float64 outputs (code * 2**out_exp), identical to the
golden model.  squeezefpga.hwh must lie next to the .bit.  Packing (see
vivado/axi_top.cpp): one 32-bit word per input value in NHWC order, one
sign-extended 32-bit word per output value.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def load_meta(path: Path | None = None) -> dict:
    return json.loads((path or HERE / "squeezefpga_board.json").read_text())


def pack(x: np.ndarray, meta: dict) -> np.ndarray:
    """NCHW frames -> (N, n_in) uint32 words, NHWC order, raw input codes."""
    x = np.asarray(x)
    h, w, c = meta["input_shape_nhwc"]
    if x.shape[1:] != (c, h, w):
        raise ValueError(f"inputs must be N x {c} x {h} x {w}, got {x.shape}")
    codes = np.rint(np.asarray(x, np.float64) * 2.0 ** -meta["input_exp"])
    lo, hi = meta["input_range"]
    if (codes != np.clip(codes, lo, hi)).any():
        raise ValueError(f"input codes must lie in [{lo}, {hi}]")
    return codes.transpose(0, 2, 3, 1).reshape(len(x), -1).astype(np.int64).astype(np.uint32)


def unpack(words: np.ndarray, meta: dict) -> np.ndarray:
    """(N, n_out) 32-bit words -> float outputs (code * 2**out_exp)."""
    return np.asarray(words, np.uint32).view(np.int32).astype(np.float64) * 2.0 ** meta["output_exp"]


def run(bit: Path, x: np.ndarray, meta: dict) -> np.ndarray:
    from pynq import Overlay, allocate  # on the board only

    ol = Overlay(str(bit))
    dma = ol.dma
    words = pack(x, meta)
    inb = allocate(shape=(words.shape[1],), dtype=np.uint32)
    outb = allocate(shape=(meta["n_out"],), dtype=np.uint32)
    out = np.zeros((len(words), meta["n_out"]), np.uint32)
    for i, frame in enumerate(words):
        inb[:] = frame
        dma.recvchannel.transfer(outb)
        dma.sendchannel.transfer(inb)
        dma.sendchannel.wait()
        dma.recvchannel.wait()
        out[i] = outb
    return unpack(out, meta)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bit", type=Path, default=HERE / "squeezefpga.bit")
    p.add_argument("--inputs", type=Path, required=True)
    p.add_argument("--out", type=Path, default=Path("y.npy"))
    a = p.parse_args()
    y = run(a.bit, np.load(a.inputs), load_meta())
    np.save(a.out, y)
    print(f"{len(y)} frames -> {a.out}; classes: {y.argmax(axis=1).tolist()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
