"""The simulator build cache: one build per key under a lock, atomic publish,
LRU eviction that spares entries in use, content-only keys, scanned deps."""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from pathlib import Path

import pytest

from squeezefpga.sim.rtl import cache, runner


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SQUEEZEFPGA_CACHE", str(tmp_path / "c"))
    monkeypatch.delenv("SQUEEZEFPGA_CACHE_MAX", raising=False)


def _slow_build(d: Path) -> None:
    log = d.parent.parent.parent / "builds.log"
    with open(log, "a") as fh:
        fh.write(f"{os.getpid()}\n")
    (d / "half").write_text("x")
    time.sleep(0.5)
    (d / "exe").write_bytes(b"y" * 1000)


def _worker(name: str, q) -> None:
    with cache.use(name, _slow_build) as e:
        q.put(sorted(p.name for p in e.iterdir()))


def test_concurrent_users_build_once_and_never_see_half_an_entry(tmp_path):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=("top_abc", q)) for _ in range(4)]
    for p in procs:
        p.start()
    seen = [q.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(10)
        assert p.exitcode == 0
    assert all(s == [cache.ENTRY_MARK, "exe", "half"] for s in seen)
    assert len((tmp_path / "c" / "builds.log").read_text().split()) == 1
    assert not list((cache.root() / ".tmp").iterdir())


def test_failed_build_leaves_nothing():
    def bad(d: Path) -> None:
        (d / "partial").write_text("x")
        raise RuntimeError("gcc crashed")

    with pytest.raises(RuntimeError):
        with cache.use("top_bad", bad):
            pass
    assert not (cache.root() / "top_bad").exists()
    assert not list((cache.root() / ".tmp").iterdir())
    assert cache.entries() == []


def _fill(d: Path, n: int = 1000) -> None:
    (d / "exe").write_bytes(b"z" * n)


def test_lru_eviction_keeps_recent_and_in_use(monkeypatch):
    monkeypatch.setenv("SQUEEZEFPGA_CACHE_MAX", "2500")
    for name in ("top_a", "top_b"):
        with cache.use(name, _fill):
            pass
        time.sleep(0.02)
    with cache.use("top_a", _fill):     # a is now the most recent
        pass
    time.sleep(0.02)
    with cache.use("top_c", _fill):      # over 2500 bytes: b (least recent) goes
        names = {e["name"] for e in cache.entries()}
    assert names == {"top_a", "top_c"}
    with cache.use("top_a", _fill):
        assert cache.evict(limit=0) == ["top_c"]     # a is in use: kept
        assert (cache.root() / "top_a").is_dir()
    assert cache.clean() == ["top_a"] and cache.entries() == []


def test_size_setting():
    assert cache.parse_size("4G") == 4 << 30 and cache.parse_size("500M") == 500 << 20
    assert cache.parse_size("123") == 123
    with pytest.raises(ValueError):
        cache.parse_size("lots")


def test_key_is_content_only(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, model in ((a, "a.onnx"), (b, "other_name.onnx")):
        d.mkdir()
        (d / "top.v").write_text(f"// top: generated from {model}.\nmodule top; endmodule\n")
    key = runner.content_key("x", files=[a / "top.v"], root=a)
    assert key == runner.content_key("x", files=[b / "top.v"], root=b)
    (b / "top.v").write_text("// top\nmodule top; wire w; endmodule\n")
    assert key != runner.content_key("x", files=[b / "top.v"], root=b)


def test_dependencies_are_scanned_from_the_verilog():
    names = [p.stem for p in runner.sources("maxpool")]
    assert names[-1] == "maxpool" and {"window_gen", "axis_register"} <= set(names)
    assert names.index("axis_register") < names.index("window_gen")
    fire = [p.stem for p in runner.sources("tb_fire")]
    assert {"conv_mvu", "requant", "axis_dup", "axis_fifo", "window_gen", "axis_concat"} <= set(fire)
    assert runner.instantiated("axis_register") == []
    assert not hasattr(runner, "DEPS")


def test_key_names_the_tool_installation(monkeypatch, tmp_path):
    """A simulator built from one virtual environment links its cocotb libraries:
    another installation (same versions, other place) must not reuse the entry."""
    here = runner.tool_key()
    assert str(runner.verilator_bin_dir().resolve()) in here
    monkeypatch.setattr(runner, "verilator_bin_dir", lambda: tmp_path / "other" / "bin")
    assert runner.tool_key() != here
