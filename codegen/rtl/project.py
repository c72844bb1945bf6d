"""``generate``: QONNX file -> an RTL directory, atomically (temp dir + rename)."""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from squeezefpga.quant.arch import ConfigError

from ..errors import CliError
from ..hwops.base import FoldError
from . import emit, slices
from .fifos import size
from .fold import auto_fold, by_node, fold_cycles
from .netlist import build_netlist


def netlist(model, fold=None, target: int | None = None, names: dict | None = None):
    """(ops, input stream, output stream, fold) of a prepared model;
    ``target``: cycles per frame of the automatic fold (default: the fastest);
    ``names``: {node: preset layer name} for a fold file keyed by layer names."""
    given = None
    if fold in (None, "auto"):
        fold = auto_fold(model, target)
    else:
        given, fold = fold, by_node(model, fold, names or {})
    try:
        insts, src, dst = build_netlist(model, fold)
    except FoldError as e:
        if given is None:
            raise
        raise FoldError(_as_given(str(e), given, names or {})) from None  # as the user wrote it
    size(insts)
    return slices.insert(insts), src, dst, fold


def _as_given(msg: str, given: dict, names: dict[str, str]) -> str:
    """``msg`` with each node a preset-named fold entry maps onto shown as 'name (node)'."""
    for node, name in names.items():
        if name in given and node not in given:
            msg = re.sub(rf"\b{re.escape(node)}\b", f"{name} ({node})", msg)
    return msg


def preset_names(model_path, model, fold) -> dict[str, str]:
    """{node: preset layer name} when a fold names something that is no node."""
    from ..budget.onnx_input import node_names

    nodes = {n.name for n in model.graph.node}
    if not isinstance(fold, dict) or set(fold) <= nodes:
        return {}
    try:
        return node_names(model_path)
    except ConfigError:     # not a SqueezeNet-shaped graph: node names only
        return {}


def generate(model_path, out, fold=None, model=None, target: int | None = None,
             extra: dict | None = None) -> dict:
    """Write the RTL of ``model_path`` into ``out`` (must not exist); the manifest
    (``extra``: more manifest entries, e.g. how a device fold was chosen)."""
    from ..qonnx import prepare

    out = Path(out)
    if out.exists():
        raise CliError(f"{out}: already exists (remove it or choose another --out)")
    model = model if model is not None else prepare(model_path)
    insts, src, dst, fold = netlist(model, fold, target, preset_names(model_path, model, fold))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        manifest = emit.write(insts, src, dst, tmp, Path(model_path).name, fold_cycles(insts))
        manifest["fold"] = fold
        manifest.update(extra or {})
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
