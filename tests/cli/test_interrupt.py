"""Ctrl-C during ``build --compile`` leaves nothing: no --out, no parents it
made, no half-built simulator in the cache; the same command then works."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from mutate import MODEL


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)   # a background shell may have ignored it


@pytest.mark.verilator
def test_ctrl_c_during_compile_leaves_nothing(tmp_path):
    env = dict(os.environ, SQUEEZEFPGA_CACHE=str(tmp_path / "cache"))
    out = tmp_path / "new" / "deep" / "b"
    cmd = [sys.executable, "-m", "squeezefpga", "build", str(MODEL), "--out", str(out),
           "--backend", "rtl", "--compile"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, preexec_fn=_default_sigint)
    building = tmp_path / "cache" / "sim_build" / ".tmp"
    deadline = time.time() + 120
    while time.time() < deadline and not (building.is_dir() and any(building.iterdir())):
        time.sleep(0.2)
    assert p.poll() is None, p.communicate()
    time.sleep(2)
    os.killpg(p.pid, signal.SIGINT)             # what Ctrl-C in a terminal does
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1] == "squeezefpga build: interrupted"
    assert not (tmp_path / "new").exists()
    assert not list(building.iterdir())
    assert not [d for d in building.parent.iterdir() if d.name.startswith("top_")]
