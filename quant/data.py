"""Datasets as uint8 NCHW arrays of raw pixel values (no torch import).

- Fashion-MNIST from IDX files (gzip or plain), found in ``--data DIR`` or in
  Debian's ``dataset-fashion-mnist`` package;
- an image-folder tree ``DIR/{train,val}/CLASS/*`` for other data, resized and
  center-cropped to the network's input size (folders.py);
- the small test subset shipped in ``data/fmnist_subset.npz``.
The model takes float32 raw bytes 0..255, so no normalization happens here.
"""
from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

DEBIAN_FMNIST = Path("/usr/share/datasets/fashion-mnist")
SUBSET = Path(str(resources.files("squeezefpga.data"))) / "fmnist_subset.npz"  # package data
FMNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                  "Sneaker", "Bag", "Ankle boot")
_IDX = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class DataError(ValueError):
    """A missing or corrupt dataset; the message names the file."""


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # uint8 (N, C, H, W)
    labels: np.ndarray  # int64 (N,)


def _open(path: Path) -> bytes:
    for cand in (path, path.with_name(path.name + ".gz")):
        if cand.is_file():
            raw = cand.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                try:
                    return gzip.decompress(raw)
                except (OSError, EOFError) as e:
                    raise DataError(f"{cand}: corrupt gzip ({e})") from None
            return raw
    raise DataError(f"{path}(.gz): not found")


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (unsigned-byte data only)."""
    raw = _open(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise DataError(f"{path}: truncated header")
    dims = struct.unpack(f">{ndim}I", raw[4:head])
    n = int(np.prod(dims))
    if len(raw) != head + n:
        raise DataError(f"{path}: expected {n} data bytes, found {len(raw) - head}")
    return np.frombuffer(raw, np.uint8, offset=head).reshape(dims)


def find_fmnist(data_dir: str | Path | None) -> Path:
    cands = [Path(data_dir)] if data_dir else [DEBIAN_FMNIST]
    for d in cands:
        if any((d / (_IDX["test"][0] + ext)).is_file() for ext in ("", ".gz")):
            return d
    where = data_dir or f"{DEBIAN_FMNIST} (apt-get install dataset-fashion-mnist)"
    raise DataError(f"Fashion-MNIST IDX files not found in {where}; pass --data DIR")


def load_fmnist(split: str, data_dir: str | Path | None = None) -> Split:
    d = find_fmnist(data_dir)
    img_name, lab_name = _IDX[split]
    images = read_idx(d / img_name)
    labels = read_idx(d / lab_name)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"{d}: {split} images {images.shape} and labels {labels.shape} disagree")
    return Split(images[:, None, :, :].copy(), labels.astype(np.int64))


def load_split(split: str, data_dir: str | Path | None, shape: tuple[int, int, int]) -> Split:
    """Fashion-MNIST ("train" or "test"), or an image folder when DIR/train/ exists
    ("test" is then DIR/val/, see folders.py)."""
    from . import folders

    if folders.is_image_folder(data_dir):
        return folders.load_split(data_dir, split, shape)
    if shape != (1, 28, 28):
        raise DataError(f"no dataset for input shape {list(shape)}: pass --data DIR with "
                        f"DIR/train/CLASS/* and DIR/val/CLASS/* images")
    return load_fmnist(split, data_dir)


def load_subset(path: str | Path = SUBSET) -> Split:
    """The shipped Fashion-MNIST test subset (first images of the 10k test set)."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: not found")
    with np.load(p) as z:
        return Split(z["images"], z["labels"].astype(np.int64))
