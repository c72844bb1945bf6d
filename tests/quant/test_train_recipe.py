"""train --device and the recipe options (--label-smoothing, --distill, --qat-lr) on
tiny runs: each option changes what it should and nothing before it."""
import json

import pytest
import torch

import squeezefpga.quant.loop as qloop
from squeezefpga.cli import main
from squeezefpga.quant.checkpoint import load_checkpoint

TWO = ["--epochs", "2", "--float-epochs", "1"]


def _run(tmp, data, name, *extra):
    out = tmp / name
    rc = main(["train", "fmnist", "--out", str(out), "--data", str(data), "--batch-size", "64",
               "--limit-train", "128", "--no-progress", "--device", "cpu", *extra])
    return rc, out


def _history(run):
    return json.loads((run / "metrics.json").read_text())["history"]


@pytest.fixture(scope="module")
def base(tmp_path_factory, tiny_fmnist):
    """Today's recipe: one float epoch, one QAT epoch."""
    rc, out = _run(tmp_path_factory.mktemp("base"), tiny_fmnist, "base", *TWO)
    assert rc == 0
    return out


def test_label_smoothing_changes_the_loss(tmp_path, tiny_fmnist, base):
    rc, out = _run(tmp_path, tiny_fmnist, "ls", *TWO, "--label-smoothing", "0.1")
    assert rc == 0
    assert _history(out)[0]["train_loss"] != _history(base)[0]["train_loss"]
    assert json.loads((out / "metrics.json").read_text())["label_smoothing"] == 0.1


def test_distill_uses_the_float_teacher_in_qat_only(tmp_path, tiny_fmnist, base, monkeypatch):
    seen = []
    real = qloop.LossSpec.__call__

    def spy(self, logits, y, teacher_logits=None):
        seen.append(teacher_logits is not None)
        return real(self, logits, y, teacher_logits)
    monkeypatch.setattr(qloop.LossSpec, "__call__", spy)
    rc, out = _run(tmp_path, tiny_fmnist, "kd", *TWO, "--distill", "0.5")
    assert rc == 0
    assert seen == [False, False, True, True]  # 2 float steps, then 2 QAT steps with the teacher
    h, hb = _history(out), _history(base)
    assert h[0]["train_loss"] == hb[0]["train_loss"] and h[1]["train_loss"] != hb[1]["train_loss"]
    ck = load_checkpoint(out)
    assert "teacher" in ck and any(".bn." in k for k in ck["teacher"])
    # the teacher travels with the checkpoint: a resumed QAT run keeps distilling
    seen.clear()
    rc, _ = _run(tmp_path, tiny_fmnist, "kd", "--epochs", "3", "--float-epochs", "1",
                 "--distill", "0.5", "--resume")
    assert rc == 0 and seen == [True, True]


def test_distill_cannot_resume_a_run_without_teacher(tmp_path, tiny_fmnist, base, capsys):
    import shutil
    shutil.copytree(base, tmp_path / "b")
    rc, _ = _run(tmp_path, tiny_fmnist, "b", "--epochs", "3", "--float-epochs", "1",
                 "--distill", "0.5", "--resume")
    assert rc == 2 and "no float teacher saved" in capsys.readouterr().err


def test_qat_lr_changes_only_the_qat_epochs(tmp_path, tiny_fmnist, base):
    rc, out = _run(tmp_path, tiny_fmnist, "qlr", *TWO, "--qat-lr", "1e-5")
    assert rc == 0
    h, hb = _history(out), _history(base)
    assert h[0] == hb[0] and h[1]["train_loss"] != hb[1]["train_loss"]
    wa, wb = load_checkpoint(out)["model"], load_checkpoint(base)["model"]
    assert any(not torch.equal(wa[k], wb[k]) for k in wa)


@pytest.mark.parametrize("extra, msg", [
    (["--distill", "0.5"], "--distill needs --float-epochs"),
    (["--label-smoothing", "1"], "--label-smoothing = 1.0 must be in [0, 1)"),
    (["--qat-lr", "0"], "--qat-lr = 0.0 must be > 0"),
])
def test_bad_recipe_options(tmp_path, tiny_fmnist, capsys, extra, msg):
    rc, out = _run(tmp_path, tiny_fmnist, "bad", "--epochs", "1", *extra)
    err = capsys.readouterr().err
    assert rc == 2 and msg in err and err.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_device_auto_falls_back_to_cpu(tmp_path, tiny_fmnist, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rc, out = _run(tmp_path, tiny_fmnist, "auto", "--epochs", "1", "--device", "auto")
    assert rc == 0 and json.loads((out / "metrics.json").read_text())["device"] == "cpu"
    ck = load_checkpoint(out)
    tensors = list(ck["model"].values()) + [
        t for s in ck["optimizer"]["state"].values() for t in s.values()]
    assert all(t.device.type == "cpu" for t in tensors if isinstance(t, torch.Tensor))


def test_device_cuda_without_gpu(tmp_path, tiny_fmnist, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rc, out = _run(tmp_path, tiny_fmnist, "cuda", "--epochs", "1", "--device", "cuda")
    assert rc == 2 and "CUDA is not available" in capsys.readouterr().err
    assert not out.exists()


def test_resume_repeats_the_uninterrupted_run(tmp_path, tiny_fmnist, base, monkeypatch):
    """Cut after the float epoch, resumed: the same weights as the run in one go."""
    import squeezefpga.quant.train as qt
    real = qt.save_checkpoint

    def stop_before_second(path, **fields):
        if fields["epoch"] == 2:
            raise KeyboardInterrupt
        real(path, **fields)
    monkeypatch.setattr(qt, "save_checkpoint", stop_before_second)
    assert _run(tmp_path, tiny_fmnist, "cut", *TWO)[0] == 130
    monkeypatch.setattr(qt, "save_checkpoint", real)
    rc, out = _run(tmp_path, tiny_fmnist, "cut", *TWO, "--resume")
    assert rc == 0
    wa, wb = load_checkpoint(out)["model"], load_checkpoint(base)["model"]
    assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)
