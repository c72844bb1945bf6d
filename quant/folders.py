"""Users' own image datasets, in torchvision's ImageFolder layout (no torch import):

    DIR/train/CLASS/*   training images, one subfolder per class
    DIR/val/CLASS/*     evaluation images, the same class subfolders
                        (DIR/test/ is read when there is no DIR/val/)

Classes are the subfolder names, sorted; files and folders whose names start
with "." are skipped, subfolders of a class folder are read too.  Every image
is resized (aspect kept) to cover the network's input and center-cropped to it,
as grayscale for 1-channel inputs and RGB for 3-channel ones, and kept as raw
0..255 bytes: the network learns its own normalization.  The whole split is
held in memory.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import DataError, Split

EVAL_SPLITS = ("val", "test")


def is_image_folder(root: str | Path | None) -> bool:
    return root is not None and (Path(root) / "train").is_dir()


def eval_dir(root: str | Path) -> Path:
    for name in EVAL_SPLITS:
        if (Path(root) / name).is_dir():
            return Path(root) / name
    raise DataError(f"{root}: no val/ folder (expected {root}/val/CLASS/* next to train/)")


def _visible(p: Path, base: Path) -> bool:
    return not any(part.startswith(".") for part in p.relative_to(base).parts)


def class_names(base: Path) -> list[str]:
    if not base.is_dir():
        raise DataError(f"{base}: not a directory")
    classes = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataError(f"{base}: no class folders (expected {base}/CLASS/* images)")
    return classes


def read_image(path: Path, shape: tuple[int, int, int]) -> np.ndarray:
    """One image as uint8 (C, H, W): resized to cover H x W, center-cropped."""
    from PIL import Image, ImageOps

    c, h, w = shape
    if c not in (1, 3):
        raise DataError(f"input shape {list(shape)}: image folders give 1 (grayscale) "
                        f"or 3 (RGB) channels")
    try:
        with Image.open(path) as im:
            im = ImageOps.fit(im.convert("L" if c == 1 else "RGB"), (w, h),
                              method=Image.Resampling.BILINEAR)
            a = np.asarray(im, np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"{path}: cannot read image ({type(e).__name__}: {e})") from None
    return a[None] if c == 1 else a.transpose(2, 0, 1)


def load_folder(base: Path, classes: list[str], shape: tuple[int, int, int]) -> Split:
    """base/CLASS/* for the given classes (label = index in ``classes``)."""
    images, labels = [], []
    for label, cls in enumerate(classes):
        d = base / cls
        files = sorted(p for p in d.rglob("*") if p.is_file() and _visible(p, d))
        if not files:
            raise DataError(f"{d}: no images")
        images += [read_image(f, shape) for f in files]
        labels += [label] * len(files)
    return Split(np.stack(images), np.asarray(labels, np.int64))


def load_split(root: str | Path, split: str, shape: tuple[int, int, int]) -> Split:
    """One split ("train", or "test"/"val" for the evaluation folder), its own classes."""
    base = Path(root) / "train" if split == "train" else eval_dir(root)
    return load_folder(base, class_names(base), shape)


def load_folders(root: str | Path, shape: tuple[int, int, int]) -> tuple[Split, Split, list[str]]:
    """(train, val, classes); train/ and val/ must hold the same class folders."""
    tr_dir, ev_dir = Path(root) / "train", eval_dir(root)
    classes = class_names(tr_dir)
    other = class_names(ev_dir)
    if other != classes:
        only_tr = sorted(set(classes) - set(other))
        only_ev = sorted(set(other) - set(classes))
        diff = "; ".join(s for s in (
            f"only in {tr_dir}: {', '.join(only_tr)}" if only_tr else "",
            f"only in {ev_dir}: {', '.join(only_ev)}" if only_ev else "") if s)
        raise DataError(f"{ev_dir}: class folders differ from {tr_dir} ({diff})")
    return load_folder(tr_dir, classes, shape), load_folder(ev_dir, classes, shape), classes


def fit_classes(tree: dict, num_classes: int) -> dict:
    """A config tree whose classifier has ``num_classes`` outputs (net.num_classes
    and the last layer's out_channels), for a dataset with that many classes."""
    layers = list(tree.get("layers", []))
    if not layers:
        raise DataError("config: no layers to fit to the dataset's classes")
    layers[-1] = {**layers[-1], "out_channels": num_classes}
    return {**tree, "net": {**tree.get("net", {}), "num_classes": num_classes}, "layers": layers}
