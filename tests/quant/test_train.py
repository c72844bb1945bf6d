"""quant/train.py and the train CLI, on a tiny IDX dataset."""
import json

import pytest
import torch

from squeezefpga.cli import main
from squeezefpga.quant import presets
from squeezefpga.quant.checkpoint import load_checkpoint


def _train(tmp_path, tiny_fmnist, name, *extra):
    out = tmp_path / name
    rc = main(["train", "fmnist", "--out", str(out), "--epochs", "1", "--data", str(tiny_fmnist),
               "--batch-size", "64", "--no-progress", *extra])
    return rc, out


def test_train_writes_metrics_and_is_repeatable(tmp_path, tiny_fmnist):
    rc, a = _train(tmp_path, tiny_fmnist, "a")
    assert rc == 0
    m = json.loads((a / "metrics.json").read_text())
    assert m["test_images"] == 64 and 0.0 <= m["test_accuracy"] <= 1.0
    assert len(m["history"]) == 1 and m["config_hash"]
    rc, b = _train(tmp_path, tiny_fmnist, "b")
    wa, wb = load_checkpoint(a)["model"], load_checkpoint(b)["model"]
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_resume_continues(tmp_path, tiny_fmnist):
    _, a = _train(tmp_path, tiny_fmnist, "r")
    rc = main(["train", "fmnist", "--out", str(a), "--epochs", "2", "--data", str(tiny_fmnist),
               "--batch-size", "64", "--no-progress", "--resume"])
    assert rc == 0
    assert json.loads((a / "metrics.json").read_text())["epochs"] == 2


def test_existing_out_refused(tmp_path, tiny_fmnist, capsys):
    _, a = _train(tmp_path, tiny_fmnist, "e")
    rc, _ = _train(tmp_path, tiny_fmnist, "e")
    assert rc == 2 and "already exists" in capsys.readouterr().err


def test_missing_dataset_leaves_nothing(tmp_path, capsys):
    out = tmp_path / "nodata"
    rc = main(["train", "fmnist", "--out", str(out), "--data", str(tmp_path / "none"),
               "--no-progress"])
    assert rc == 2 and "not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_corrupt_checkpoint_on_resume(tmp_path, capsys):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "checkpoint.pt").write_bytes(b"not a checkpoint")
    rc = main(["train", "fmnist", "--out", str(d), "--resume", "--no-progress"])
    assert rc == 2 and "corrupt checkpoint" in capsys.readouterr().err


def test_resume_inside_float_warmup(tmp_path, tiny_fmnist, monkeypatch):
    """A run cut off during the BatchNorm warm-up resumes into calibration and QAT."""
    import squeezefpga.quant.train as qt
    real = qt.save_checkpoint
    calls = []

    def cut_after_first_epoch(path, **fields):
        calls.append(fields["epoch"])
        if fields["epoch"] == 2:
            raise KeyboardInterrupt
        real(path, **fields)

    out = tmp_path / "w"
    args = ["train", "fmnist", "--out", str(out), "--epochs", "3", "--float-epochs", "2",
            "--data", str(tiny_fmnist), "--batch-size", "64", "--no-progress"]
    monkeypatch.setattr(qt, "save_checkpoint", cut_after_first_epoch)
    assert main(args) == 130
    assert load_checkpoint(out)["batchnorm"] and load_checkpoint(out)["epoch"] == 1
    monkeypatch.setattr(qt, "save_checkpoint", real)
    assert main(args + ["--resume"]) == 0
    ck = load_checkpoint(out)
    assert ck["epoch"] == 3 and not ck["batchnorm"]
    assert [h["phase"] for h in ck["history"]] == ["float", "float", "qat"]
    from squeezefpga.quant.export import trained_model
    trained_model(out)   # the finished run loads for export
