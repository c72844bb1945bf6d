"""The generated RTL (codegen/rtl) under Verilator == golden, bit for bit.

Small random-weight models keep the Verilator builds short: each frame streams
with random input pauses and bursty output backpressure (deadlock-free FIFO
depths under backpressure), then without pauses, where the measured cycles
per frame must be within 5% of the manifest's expectation.  Variants: the
fmnist preset (simple bypass, unequal concat scales), tiny configs with
complex and simple bypass, an odd 9x9 RGB input and a ceil-mode pool
(tests/e2e/configs/), through the ``cosim`` CLI with a JUnit report, and
through the hls4ml backend's compile/predict.
"""
from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
import sys
from pathlib import Path

import numpy as np
import pytest

from squeezefpga.sim.golden.cosim import run_cosim

pytestmark = pytest.mark.verilator

ROOT = Path(__file__).resolve().parents[2]


CONFIGS = Path(__file__).resolve().parent / "configs"


def export(tmp: Path, preset: str, shape: str | None = None, seed: int = 0) -> Path:
    out = tmp / f"{Path(preset).stem}_{(shape or '').replace(',', 'x')}_{seed}.onnx"
    cmd = [sys.executable, "-m", "squeezefpga", "export", preset, "--random-weights",
           "--seed", str(seed), "--out", str(out)]
    subprocess.run(cmd + (["--input-shape", shape] if shape else []), check=True,
                   capture_output=True, cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def rtl_cache(tmp_path_factory, monkeypatch_module):
    path = tmp_path_factory.mktemp("rtl-cache")
    monkeypatch_module.setenv("SQUEEZEFPGA_RTL_CACHE", str(path))
    return path


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def check(model: Path, x: np.ndarray, rate: bool = True) -> dict:
    import squeezefpga.cli.checks.rtl  # noqa: F401

    rep = run_cosim(model, x, ["rtl"])
    rtl = rep["checks"]["rtl"]
    assert rep["mismatches"]["rtl"] == 0, rtl["first_divergence"]
    exp, got = rtl["expected_cycles_per_frame"], rtl["cycles_per_frame"]
    if rate:
        assert exp <= got <= 1.05 * exp, f"{got} cycles/frame, expected {exp}"
    return rtl


def test_fmnist_tiny_random(tmp_path, rtl_cache):
    model = export(tmp_path, "fmnist", "1,11,11")
    x = np.random.default_rng(1).integers(0, 256, (6, 1, 11, 11)).astype(np.float32)
    check(model, x)


def test_tiny_complex_bypass_cli_json_junit(tmp_path, rtl_cache, capsys):
    from squeezefpga.cli import main

    model = export(tmp_path, str(CONFIGS / "tiny_complex.toml"))
    junit = tmp_path / "cosim.xml"
    rc = main(["cosim", str(model), "--frames", "5", "--data", "random", "--check", "qonnx,rtl",
               "--json", "--junit", str(junit)])
    rep = json.loads(capsys.readouterr().out)
    assert rc == 0 and rep["mismatches"] == {"qonnx": 0, "rtl": 0}, rep
    for k in ("cycles_per_frame", "latency_cycles", "expected_cycles_per_frame",
              "macs_per_frame", "multipliers", "mac_efficiency"):
        assert rep[k] is not None and rep[k] > 0, k
    assert rep["mac_efficiency"] == pytest.approx(
        rep["macs_per_frame"] / (rep["cycles_per_frame"] * rep["multipliers"]))
    assert rep["expected_cycles_per_frame"] <= rep["cycles_per_frame"] <= \
        1.05 * rep["expected_cycles_per_frame"]
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "0"
    man = json.loads((Path(rep["checks"]["rtl"]["rtl_dir"]) / "manifest.json").read_text())
    assert sum(i["module"] == "axis_add" for i in man["instances"]) == 2   # both Fires bypassed


def test_tiny_simple_bypass(tmp_path, rtl_cache):
    model = export(tmp_path, str(CONFIGS / "tiny_simple.toml"), seed=3)
    x = np.random.default_rng(2).integers(0, 256, (5, 3, 9, 9)).astype(np.float32)
    check(model, x)


def test_hls4ml_backend_compile_predict(tmp_path, rtl_cache):
    """hls4ml conventions: the converted ModelGraph, retargeted, compiles to the
    Verilator model and predicts exactly what golden computes."""
    import squeezefpga.sim.golden as golden
    from squeezefpga.codegen.hls.project import _convert, build as build_hls
    from squeezefpga.codegen.rtl.backend import retarget

    model = export(tmp_path, str(CONFIGS / "tiny_simple.toml"), seed=3)
    prj = tmp_path / "prj"
    build_hls(model, prj)
    from squeezefpga.codegen.hls.config import hls_config
    from squeezefpga.codegen.qonnx import prepare

    hm = _convert(prj / "model_prepared.onnx", tmp_path / "hm", hls_config(prepare(str(model))),
                  "xc7z020clg400-1")
    retarget(hm)
    # the RTL takes the graph's folding: ReuseFactor 1 (hls4ml's default) is fully
    # parallel; one conv made fully serial
    slow = next(n for n, layer in hm.graph.items() if n.startswith("Conv2D_"))
    hm.graph[slow].set_attr("reuse_factor", 10 ** 6)
    hm.compile()
    man = json.loads((Path(hm.config.get_output_dir()) / "rtl" / "manifest.json").read_text())
    for i in man["instances"]:
        if i["module"] == "conv_mvu":
            p = i["params"]
            want = (1, 1) if f"Conv2D_{i['layer']}" == slow else (p["COUT"], p["CIN"])
            assert (p["PE"], p["SIMD"]) == want, i["name"]
    x = np.random.default_rng(5).integers(0, 256, (3, 3, 9, 9)).astype(np.float32)
    y = hm.predict(np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
    plan = golden.load(model)
    gold = plan.run(x)[plan.output_name].float().reshape(len(x), -1)
    assert np.array_equal(y, gold)


def test_shipped_fmnist_16_images(rtl_cache):
    """The shipped trained model on 16 real Fashion-MNIST test images, exact, and
    the auto fold balanced (MAC efficiency >= 0.8 measured) and its rate within
    5% of the manifest's."""
    models = sorted((ROOT / "models" / "fmnist").glob("*.onnx"))
    subset = ROOT / "data" / "fmnist_subset.npz"
    if not models or not subset.is_file():
        pytest.skip("no shipped model (models/fmnist/*.onnx) or images (data/fmnist_subset.npz)")
    x = np.load(subset)["images"][:16].astype(np.float32)
    rtl = check(models[0], x)
    assert rtl["mac_efficiency"] >= 0.8, rtl


def test_first_diverging_layer_named(tmp_path, rtl_cache):
    """A planted fault (one conv's weight ROM inverted in the built RTL) is
    reported as that conv, found from the RTL's per-layer taps."""
    from squeezefpga.cli import main

    import squeezefpga.cli.checks.rtl  # noqa: F401

    model = export(tmp_path, str(CONFIGS / "tiny_simple.toml"), seed=3)
    out = tmp_path / "build"
    assert main(["build", str(model), "--out", str(out), "--backend", "rtl"]) == 0
    man = json.loads((out / "rtl" / "manifest.json").read_text())
    convs = [i["layer"] for i in man["instances"] if i["module"] == "conv_mvu"]
    victim = convs[len(convs) // 2]
    rom = out / "rtl" / "mem" / f"{victim}_w.hex"
    words = rom.read_text().split()
    digits = len(words[0])
    rom.write_text("".join(f"{int(w, 16) ^ ((1 << 4 * digits) - 1):0{digits}x}\n" for w in words))
    x = np.random.default_rng(4).integers(0, 256, (2, 3, 9, 9)).astype(np.float32)
    rep = run_cosim(out / "model.onnx", x, ["rtl"])
    first = rep["checks"]["rtl"]["first_divergence"]
    assert rep["mismatches"]["rtl"] > 0 and first["layer"] == victim, first
    assert first["message"].startswith(f"layer {victim}: "), first


@pytest.mark.slow
def test_squeezenet1_1_full_size(tmp_path, rtl_cache):
    """squeezenet1_1 at 3x224x224 (random weights): two frames back to back exact,
    the rate within 5% of the manifest and the auto fold >= 0.8 MAC efficiency
    (measured: 110889 = expected, 0.935; bench/rtl_speed.py)."""
    model = export(tmp_path, "squeezenet1_1")
    x = np.random.default_rng(7).integers(0, 256, (2, 3, 224, 224)).astype(np.float32)
    rtl = check(model, x)
    assert rtl["mac_efficiency"] >= 0.8, rtl
