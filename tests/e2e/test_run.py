"""The main job, end to end, on a freshly trained tiny model."""
import json

import pytest

from squeezefpga.cli import main


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, tiny_fmnist):
    out = tmp_path_factory.mktemp("run") / "r"
    assert main(["train", "fmnist", "--out", str(out), "--epochs", "2", "--float-epochs", "1",
                 "--data", str(tiny_fmnist), "--batch-size", "64", "--no-progress"]) == 0
    return out


def test_run_with_model(tmp_path, tiny_run, tiny_fmnist, capsys):
    out = tmp_path / "job"
    rc = main(["run", "fmnist", "--model", str(tiny_run), "--data", str(tiny_fmnist),
               "--frames", "8", "--cosim-frames", "3", "--out", str(out)])
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["checks"] == {"qonnx": 0} and s["check_frames"] == 8
    c = s["cosim"]
    assert c["frames"] == 3 and c["mismatches"] == {"qonnx": 0, "hls": 0, "rtl": 0}, c
    assert c["expected_cycles_per_frame"] <= c["cycles_per_frame"] <= \
        1.05 * c["expected_cycles_per_frame"], c
    assert c["multipliers"] > 0 and c["memory_bits"] > 0 and c["latency_cycles"] > 0
    assert (out / "build" / "rtl" / "manifest.json").is_file()
    assert (out / "build" / "model.onnx").is_file()
    assert s["export"]["max_abs_diff_brevitas_vs_qonnx"] == 0.0
    assert s["accuracy"]["images"] == 64 and 0 <= s["accuracy"]["value"] <= 1
    assert (out / "fmnist.onnx").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["job"]   # no temporary left
    printed = capsys.readouterr().out
    assert "mismatches qonnx" in printed and "cosim rtl" in printed and "cycles/frame" in printed


def test_run_refuses_model_of_other_config(tmp_path, tiny_run, capsys):
    rc = main(["run", "squeezenet1_1", "--model", str(tiny_run), "--out", str(tmp_path / "j")])
    assert rc == 2 and "another config" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_run_missing_model(tmp_path, capsys):
    rc = main(["run", "fmnist", "--model", str(tmp_path / "none"), "--out", str(tmp_path / "j")])
    assert rc == 2 and "checkpoint not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
