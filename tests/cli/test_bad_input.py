"""Every bad input ends in one line ``squeezefpga CMD: error: ...`` with exit
2, names the user's node / field / file, and leaves nothing behind."""
from __future__ import annotations

import numpy as np
import pytest

from mutate import MODEL
from squeezefpga.cli import main

M = str(MODEL)


def one_line_error(capsys, argv, *needles) -> str:
    rc = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1, err
    assert err[0].startswith(f"squeezefpga {argv[0]}: error: "), err[0]
    for n in needles:
        assert n in err[0], err[0]
    return err[0]


@pytest.mark.parametrize("name,node,why", [
    ("w1", "'Quant_1'", "bit width 1"), ("b33", "'Quant_2'", "bit width 33"),
    ("a1u", "'Quant_29'", "activation bit width 1"), ("sig", "'my_sigmoid'", "Sigmoid"),
])
@pytest.mark.parametrize("cmd", ["golden", "build", "budget"])
def test_one_legality_check_with_user_names(bad, capsys, tmp_path, cmd, name, node, why):
    argv = {"golden": ["golden", bad[name], "--inputs", bad["ok"]],
            "build": ["build", bad[name], "--out", str(tmp_path / "o" / "b"), "--backend", "rtl"],
            "budget": ["budget", bad[name]]}[cmd]
    msg = one_line_error(capsys, argv, node, why)
    assert "Sigmoid_0" not in msg and "Flatten_0" not in msg and "overrides" not in msg
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("cmd", ["build", "budget"])
@pytest.mark.parametrize("name,why", [("empty", "no graph nodes"), ("trunc", "cannot read")])
def test_empty_or_truncated_model(bad, capsys, tmp_path, cmd, name, why):
    argv = ["budget", bad[name]] if cmd == "budget" else \
        ["build", bad[name], "--out", str(tmp_path / "b")]
    one_line_error(capsys, argv, bad[name], why)
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("args,why", [
    (["--frames", "0", "--data", "fmnist"], "--frames = 0"),
    (["--frames", "-2", "--data", "fmnist"], "--frames = -2"),
    (["--frames", "2", "--data", "fmnist", "--limit", "0"], "--limit = 0"),
    (["--frames", "321", "--data", "fmnist"], "has 320 images"),
])
def test_cosim_frame_counts(capsys, args, why):
    one_line_error(capsys, ["cosim", M, "--check", "qonnx", *args], why)


@pytest.mark.parametrize("name,why", [
    ("nan", "nan at index [0, 0, 0, 0]"), ("inf", "-inf at index [1, 0, 3, 4]"),
    ("none", "empty array"), ("npz", ".npz archive"),
])
def test_cosim_bad_inputs(bad, capsys, name, why):
    one_line_error(capsys, ["cosim", M, "--inputs", bad[name]], bad[name], why)


def test_wrong_shape_names_the_users_shape(bad, capsys):
    one_line_error(capsys, ["golden", M, "--inputs", bad["wrong"]], "(1, 28, 27)")


def test_dynamic_batch_runs_exactly(bad, capsys):
    assert main(["cosim", bad["dyn"], "--inputs", bad["ok"], "--check", "qonnx"]) == 0
    assert "0 of 2 frames differ" in capsys.readouterr().out


UNWRITABLE = "/proc/squeezefpga-no/"   # cannot be created, even by root


@pytest.mark.parametrize("argv,flag", [
    (lambda b, t: ["golden", M, "--inputs", b["ok"], "--out", f"{t}/nodir/y.npy"], "--out"),
    (lambda b, t: ["golden", M, "--inputs", b["ok"], "--out", "/proc/y.npy"], "--out"),
    (lambda b, t: ["build", M, "--out", UNWRITABLE + "b", "--backend", "rtl"], "--out"),
    (lambda b, t: ["build", M, "--out", f"{b['ok']}/b"], "--out"),
    (lambda b, t: ["budget", M, "--csv", f"{t}/nodir/x.csv"], "--csv"),
    (lambda b, t: ["budget", M, "--plot", "/proc/x.png"], "--plot"),
    (lambda b, t: ["cosim", M, "--inputs", b["ok"], "--junit", "/proc/x.xml"], "--junit"),
    (lambda b, t: ["export", "fmnist", "--random-weights", "--out", f"{t}/nodir/m.onnx"], "--out"),
    (lambda b, t: ["train", "fmnist", "--out", UNWRITABLE + "run"], "--out"),
])
def test_unwritable_outputs(bad, capsys, tmp_path, argv, flag):
    one_line_error(capsys, argv(bad, str(tmp_path)), flag)
    assert list(tmp_path.iterdir()) == []


def test_golden_out_is_the_exact_name(bad, capsys, tmp_path):
    (tmp_path / "adir").mkdir()
    one_line_error(capsys, ["golden", M, "--inputs", bad["ok"], "--out", str(tmp_path / "adir")],
                   "is a directory")
    assert main(["golden", M, "--inputs", bad["ok"], "--out", str(tmp_path / "y.out")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "y.out"]
    assert np.load(tmp_path / "y.out").shape == (2, 10)


def test_export_does_not_overwrite(capsys, tmp_path):
    f = tmp_path / "m.onnx"
    f.write_text("precious")
    one_line_error(capsys, ["export", "fmnist", "--random-weights", "--out", str(f)], "--force")
    assert f.read_text() == "precious"


def test_failed_build_removes_the_parents_it_made(bad, capsys, tmp_path):
    one_line_error(capsys, ["build", bad["w1"], "--out", str(tmp_path / "a" / "b" / "c")])
    assert list(tmp_path.iterdir()) == []


def test_legal_bit_widths_are_the_network_descriptions():
    from squeezefpga.quant import arch
    from squeezefpga.sim.golden.legality import BITS

    assert BITS == {"input": arch.INPUT_BITS, "weight": arch.WEIGHT_BITS,
                    "activation": arch.ACT_BITS, "bias": arch.BIAS_BITS}
