"""``squeezefpga cache info|clean`` and two cold RTL co-simulations at once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.sim.rtl import cache

MODEL = Path(__file__).resolve().parents[2] / "models" / "fmnist" / "fmnist.onnx"


def test_cache_info_and_clean(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SQUEEZEFPGA_CACHE", str(tmp_path))
    with cache.use("top_x", lambda d: (d / "exe").write_bytes(b"1" * 2048)):
        pass
    assert main(["cache", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in info["entries"]] == ["top_x"] and info["bytes"] >= 2048
    assert main(["cache", "clean"]) == 0
    assert "removed 1 entries" in capsys.readouterr().out
    assert cache.entries() == []
    monkeypatch.setenv("SQUEEZEFPGA_CACHE_MAX", "plenty")
    assert main(["cache", "info"]) == 2
    assert capsys.readouterr().err.startswith("squeezefpga cache: error: SQUEEZEFPGA_CACHE_MAX")


@pytest.mark.verilator
@pytest.mark.slow
def test_two_cold_rtl_cosims_at_once(tmp_path):
    env = dict(os.environ, SQUEEZEFPGA_CACHE=str(tmp_path / "cache"),
               SQUEEZEFPGA_RTL_CACHE=str(tmp_path / "rtl"))
    cmd = [sys.executable, "-m", "squeezefpga", "cosim", str(MODEL), "--frames", "2",
           "--data", "fmnist", "--check", "rtl", "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
        assert json.loads(out)["ok"]
    env_cache = tmp_path / "cache" / "sim_build"
    tops = [d for d in env_cache.iterdir() if d.name.startswith("top_")]
    assert len(tops) == 1 and sum(f.stat().st_size for f in tops[0].iterdir()) < 20 << 20
    assert not list((env_cache / ".tmp").iterdir())
