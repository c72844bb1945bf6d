"""C simulation of a written hls4ml project, always in a subprocess.

hls4ml's own ``compile``/``predict`` load the library into the calling
process, where a C ``assert`` (or a stream read past the end) aborts Python.
Here the library is built with the project's ``build_lib.sh`` and run by
``csim_worker`` in a child process; a crash becomes a ``CsimError``.
"""
from __future__ import annotations

import json
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
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        r = subprocess.run(["nice", "-n", "15", sys.executable, "-m", "squeezefpga.codegen.hls.csim_worker",
                            str(lib), m["top"], str(m["n_out"]), str(xi), str(yo)],
                           capture_output=True, text=True, timeout=timeout, env=env)
        if r.returncode != 0:
            tail = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1]
            raise CsimError(f"{prj}: csim crashed (exit {r.returncode}): {tail}")
        return np.load(yo)
