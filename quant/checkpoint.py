"""Checkpoint files: written atomically, read with one-line errors."""
from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import torch


class CheckpointError(ValueError):
    """A missing or corrupt checkpoint; the message names the file."""


REQUIRED = ("model", "epoch", "config", "config_hash")


def save_checkpoint(path: Path, **fields) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(fields, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict:
    p = Path(path)
    if p.is_dir():
        p = p / "checkpoint.pt"
    if not p.is_file():
        raise CheckpointError(f"{p}: checkpoint not found")
    try:
        ck = torch.load(p, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError) as e:
        kind = type(e).__name__
        raise CheckpointError(f"{p}: corrupt checkpoint (not a readable torch file: {kind})") from None
    if not isinstance(ck, dict) or any(k not in ck for k in REQUIRED):
        missing = [k for k in REQUIRED if not isinstance(ck, dict) or k not in ck]
        raise CheckpointError(f"{p}: not a squeezefpga checkpoint (missing {', '.join(missing)})")
    return ck
