"""hls4ml ReuseFactor -> conv_mvu PE/SIMD (codegen/rtl/fold.reuse_fold), through
``build --rtl-fold reuse`` and the hls4ml backend's ModelGraph."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "e2e" / "configs" / "tiny_simple.toml"


@pytest.fixture(scope="module")
def model(export_random):
    return export_random(CONFIG)


def convs(man: dict) -> dict[str, dict]:
    return {i["layer"]: i for i in man["instances"] if i["module"] == "conv_mvu"}


def per_pixel(i: dict) -> int:
    p = i["params"]
    return -(-p["COUT"] // p["PE"]) * p["K"] ** 2 * -(-p["CIN"] // p["SIMD"])


def test_reuse_maps_to_pe_simd(model, tmp_path, capsys):
    fold = tmp_path / "fold.toml"
    out = tmp_path / "b"
    # first find the conv names, then fold one of them hard
    assert main(["build", str(model), "--out", str(tmp_path / "probe"), "--backend", "rtl"]) == 0
    names = list(convs(json.loads((tmp_path / "probe" / "rtl" / "manifest.json").read_text())))
    fold.write_text(f'default_reuse = 9\n["{names[1]}"]\nreuse = 36\n["Conv2D_{names[2]}"]\nreuse = 1\n')
    assert main(["build", str(model), "--out", str(out), "--backend", "rtl", "--fold", str(fold),
                 "--rtl-fold", "reuse"]) == 0
    man = json.loads((out / "rtl" / "manifest.json").read_text())
    c = convs(man)
    for name, i in c.items():
        p, r = i["params"], {names[1]: 36, names[2]: 1}.get(name, 9)
        kk = p["K"] ** 2
        if r < kk:   # faster than one window position per cycle: fully parallel
            assert (p["PE"], p["SIMD"]) == (p["COUT"], p["CIN"]), (name, p)
            continue
        # as fast as the HLS layer (R cycles per pixel) on the fewest multipliers
        fewest = min(pe * simd for pe in range(1, p["COUT"] + 1) if p["COUT"] % pe == 0
                     for simd in range(1, p["CIN"] + 1) if p["CIN"] % simd == 0
                     and (p["COUT"] // pe) * kk * (p["CIN"] // simd) <= r)
        assert per_pixel(i) <= r and p["PE"] * p["SIMD"] == fewest, (name, r, p)
    capsys.readouterr()


def test_reuse_rejects_unknown_fold_key(model, tmp_path, capsys):
    fold = tmp_path / "fold.toml"
    fold.write_text("default_reuse = 0\n")
    rc = main(["build", str(model), "--out", str(tmp_path / "b"), "--backend", "rtl",
               "--fold", str(fold), "--rtl-fold", "reuse"])
    assert rc == 2 and "must be a positive integer" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
