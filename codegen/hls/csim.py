"""C simulation of a written hls4ml project, always in a subprocess.

hls4ml's own ``compile``/``predict`` load the library into the calling
process, where a C ``assert`` (or a stream read past the end) aborts Python.
Here the library is built with the project's ``build_lib.sh`` and run by
``csim_worker`` in a child process; a crash becomes a ``CsimError``.
"""
from __future__ import annotations

import json
import shutil
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..errors import CliError

META = "squeezefpga.json"


class CsimError(CliError):
    """The C simulation failed to build or crashed."""


def meta(prj: Path) -> dict:
    return json.loads((Path(prj) / META).read_text())


def library(prj: Path, timeout: float = 3600) -> Path:
    """Build (once) and return the csim shared library of project ``prj``."""
    prj = Path(prj)
    libs = sorted((prj / "firmware").glob("*.so"))
    if libs:
        return libs[0]
    r = subprocess.run(["nice", "-n", "15", "bash", "build_lib.sh"], cwd=prj, capture_output=True,
                       text=True, timeout=timeout)
    libs = sorted((prj / "firmware").glob("*.so"))
    if r.returncode != 0 or not libs:
        err = [l for l in (r.stderr or r.stdout).splitlines() if "error" in l.lower()] or \
              (r.stderr or r.stdout or "no output").splitlines()[-1:]
        raise CsimError(f"{prj}: csim build failed: {err[0].strip()}")
    return libs[0]


def run(prj: Path, x_nchw: np.ndarray, timeout: float = 3600) -> np.ndarray:
    """Outputs (N, n_out) of the csim for float32 NCHW inputs, frame by frame."""
    prj = Path(prj)
    m = meta(prj)
    lib = library(prj, timeout)
    x = np.ascontiguousarray(np.asarray(x_nchw, np.float32).transpose(0, 2, 3, 1))
    with tempfile.TemporaryDirectory() as tmp:
        xi, yo = Path(tmp) / "x.npy", Path(tmp) / "y.npy"
        np.save(xi, x)
        _worker(prj, [str(lib), m["top"], str(m["n_out"]), str(xi), str(yo)], timeout)
        return np.load(yo)


def trace(prj: Path, x_nchw: np.ndarray, layers, timeout: float = 3600) -> dict[str, np.ndarray]:
    """Every named hls4ml layer's output for one frame (float NCHW, batch 1):
    ``{layer: flat array in hls4ml order (channels last), as float64}``.

    hls4ml only emits its trace hooks (``save_layer_output``) when a layer is
    converted with ``Trace``; the built project has none.  The project is copied
    (its weights, and any change made to them, kept), the hooks hls4ml would
    write are inserted into the copy's ``myproject.cpp`` and bridge, and the
    copy is compiled and run once by ``csim_worker trace``."""
    prj = Path(prj)
    m = meta(prj)
    with tempfile.TemporaryDirectory() as tmp:
        cp = Path(tmp) / "prj"
        shutil.copytree(prj, cp, ignore=shutil.ignore_patterns("*.so"))
        hooks = _hooks(prj, set(layers), Path(tmp) / "conv")
        _insert_hooks(cp, m["top"], hooks)
        lib = library(cp, timeout)
        x = np.ascontiguousarray(np.asarray(x_nchw, np.float32)[:1].transpose(0, 2, 3, 1))
        xi, yo, sz = Path(tmp) / "x.npy", Path(tmp) / "t.npz", Path(tmp) / "sizes.json"
        np.save(xi, x)
        sz.write_text(json.dumps({h["layer"]: h["n"] for h in hooks}))
        _worker(prj, ["trace", str(lib), m["top"], str(m["n_out"]), str(xi), str(yo), str(sz)],
                timeout)
        with np.load(yo) as z:
            return {k: z[k] for k in z.files}


def _worker(prj: Path, args: list[str], timeout: float) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run(["nice", "-n", "15", sys.executable, "-m", "squeezefpga.codegen.hls.csim_worker",
                        *args], capture_output=True, text=True, timeout=timeout, env=env)
    if r.returncode != 0:
        tail = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1]
        raise CsimError(f"{prj}: csim crashed (exit {r.returncode}): {tail}")


def _hooks(prj: Path, layers: set[str], outdir: Path) -> list[dict]:
    """What hls4ml's writer emits for each traced layer, from the project's own
    config converted again with ``Trace`` set (nothing is written)."""
    import contextlib
    import io

    import hls4ml
    import yaml

    from .extensions import register

    register()
    cfg = yaml.safe_load((prj / "hls4ml_config.yml").read_text())
    cfg.update(OnnxModel=str(prj / "model_prepared.onnx"), OutputDir=str(outdir), TraceOutput=True)
    names = cfg["HLSConfig"].setdefault("LayerName", {})
    for name in layers:
        names[name] = dict(names.get(name) or {}, Trace=True)
    with contextlib.redirect_stdout(io.StringIO()):
        hm = hls4ml.converters.convert_from_config(cfg)
    hooks = []
    for layer in hm.get_layers():
        func = layer.get_attr("function_cpp", None)
        if not func or not layer.get_attr("trace", False) or layer.name not in layers:
            continue
        var = layer.get_output_variable()
        hooks.append({"layer": layer.name, "calls": 1 if isinstance(func, str) else len(func) + 1,
                      "type": var.type.name, "var": var.name, "size": var.size_cpp(),
                      "n": int(np.prod(var.shape))})
    return hooks


def _insert_hooks(cp: Path, top: str, hooks: list[dict]) -> None:
    """``save_layer_output`` after each traced layer's call, its storage in the bridge."""
    src = cp / "firmware" / f"{top}.cpp"
    lines = src.read_text().splitlines()
    for h in hooks:
        at = next((i for i, ln in enumerate(lines) if ln.rstrip().endswith(f"// {h['layer']}")), None)
        if at is None:
            raise CsimError(f"{cp}: no call of layer {h['layer']} in {src.name}")
        at += h["calls"]
        lines[at:at] = ["#ifndef __SYNTHESIS__",
                        f'    nnet::save_layer_output<{h["type"]}>({h["var"]}, "{h["layer"]}", {h["size"]});',
                        "#endif"]
    src.write_text("\n".join(lines) + "\n")
    bridge = cp / f"{top}_bridge.cpp"
    anchor = "nnet::trace_type_size = element_size;"
    text = bridge.read_text()
    if anchor not in text:
        raise CsimError(f"{bridge}: no trace storage to extend")
    alloc = "".join(f'\n    nnet::trace_outputs->insert(std::pair<std::string, void *>("{h["layer"]}", '
                    f'(void *) malloc({h["size"]} * element_size)));' for h in hooks)
    bridge.write_text(text.replace(anchor, anchor + alloc, 1))
