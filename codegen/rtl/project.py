"""``generate``: QONNX file -> an RTL directory, atomically (temp dir + rename)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import CliError
from . import emit
from .fifos import size
from .fold import auto_fold, fold_cycles
from .netlist import build_netlist


def load_fold(path) -> dict:
    """A JSON or TOML RTL fold file (``{node: {pe, simd} | {lanes}}``)."""
    import tomllib

    p = Path(path)
    try:
        text = p.read_text()
        return json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as e:
        raise CliError(f"{path}: cannot read folding file: {e}") from None


def netlist(model, fold=None, target: int | None = None):
    """(instances, input stream, output stream, fold) of a prepared model;
    ``target``: cycles per frame of the automatic fold (default: the fastest)."""
    fold = auto_fold(model, target) if fold in (None, "auto") else fold
    insts, src, dst = build_netlist(model, fold)
    size(insts)
    return insts, src, dst, fold


def generate(model_path, out, fold=None, model=None, target: int | None = None) -> dict:
    """Write the RTL of ``model_path`` into ``out`` (must not exist); the manifest."""
    from ..qonnx import prepare

    out = Path(out)
    if out.exists():
        raise CliError(f"{out}: already exists (remove it or choose another --out)")
    model = model if model is not None else prepare(model_path)
    insts, src, dst, fold = netlist(model, fold, target)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        manifest = emit.write(insts, src, dst, tmp, Path(model_path).name, fold_cycles(insts))
        manifest["fold"] = fold
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
