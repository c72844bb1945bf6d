"""quant/folders.py and `train PRESET --data DIR` on users' own image folders."""
import json

import numpy as np
import pytest
from PIL import Image

from squeezefpga.cli import main
from squeezefpga.quant import data, folders
from squeezefpga.quant.checkpoint import load_checkpoint

CLASSES = ("ant", "bee", "cat")


def make_folder(root, per_class=(3, 2), classes=CLASSES):
    """root/{train,val}/CLASS/*: 40x30 images, PNG and JPEG, one colour per class."""
    rng = np.random.default_rng(0)
    for split, n in zip(("train", "val"), per_class):
        for c, cls in enumerate(classes):
            d = root / split / cls
            d.mkdir(parents=True)
            for i in range(n):
                a = rng.integers(0, 60, (30, 40, 3), dtype=np.uint8)
                a[..., c % 3] += 150
                Image.fromarray(a).save(d / f"{i}.{'png' if i % 2 else 'jpg'}")
    return root


def test_center_crop_keeps_the_middle(tmp_path):
    a = np.zeros((30, 40, 3), np.uint8)
    a[:, :5] = a[:, 35:] = 255  # white bands outside the central 30x30
    Image.fromarray(a).save(tmp_path / "x.png")
    img = folders.read_image(tmp_path / "x.png", (3, 30, 30))
    assert img.shape == (3, 30, 30) and img.dtype == np.uint8 and img.max() == 0
    gray = folders.read_image(tmp_path / "x.png", (1, 12, 16))
    assert gray.shape == (1, 12, 16) and gray[0, :, 0].min() > 200  # 4:3 -> all of it


def test_load_folders_and_val_split(tmp_path):
    make_folder(tmp_path)
    (tmp_path / "train" / "ant" / ".DS_Store").write_bytes(b"junk")  # hidden: skipped
    tr, va, classes = folders.load_folders(tmp_path, (3, 8, 8))
    assert classes == list(CLASSES)
    assert tr.images.shape == (9, 3, 8, 8) and list(va.labels) == [0, 0, 1, 1, 2, 2]
    assert np.array_equal(data.load_split("test", tmp_path, (3, 8, 8)).images, va.images)


def _train(tmp_path, root, *extra):
    out = tmp_path / "runs" / "r"
    rc = main(["train", "squeezenet1_1", "--out", str(out), "--data", str(root),
               "--input-shape", "3,32,32", "--epochs", "1", "--batch-size", "4",
               "--device", "cpu", *extra])
    return rc, out


def test_train_squeezenet_on_a_folder(tmp_path):
    """3 classes: the run's classifier has 3 outputs, and the run exports."""
    rc, out = _train(tmp_path, make_folder(tmp_path / "d"))  # with the progress bar
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["classes"] == list(CLASSES) and m["test_images"] == 6
    ck = load_checkpoint(out)
    assert ck["config"]["net"]["num_classes"] == 3 and ck["config"]["net"]["input_shape"] == [3, 32, 32]
    from squeezefpga.quant.export import trained_model
    cfg, _ = trained_model(out)
    assert cfg.num_classes == 3 and cfg.layers[-1].out_channels == 3


def _break_empty(root):
    for p in (root / "train").iterdir():
        for f in p.iterdir():
            f.unlink()
        p.rmdir()
    return root / "train", "no class folders"


def _break_unreadable(root):
    bad = root / "val" / "bee" / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    return bad, "cannot read image"


def _break_classes(root):
    (root / "val" / "cat").rename(root / "val" / "cow")
    return root / "val", "class folders differ"


def _break_no_val(root):
    import shutil
    shutil.rmtree(root / "val")
    return root, "no val/ folder"


@pytest.mark.parametrize("breaker", [_break_empty, _break_unreadable, _break_classes,
                                     _break_no_val])
def test_bad_folders_one_line_and_nothing_left(tmp_path, capsys, breaker):
    named, msg = breaker(make_folder(tmp_path / "d"))
    rc, out = _train(tmp_path, tmp_path / "d", "--no-progress")
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("squeezefpga train: error: ") and err.count("\n") == 1
    assert str(named) in err and msg in err
    assert not (tmp_path / "runs").exists() or list((tmp_path / "runs").iterdir()) == []


def test_class_difference_is_named(tmp_path):
    make_folder(tmp_path)
    (tmp_path / "val" / "cat").rename(tmp_path / "val" / "cow")
    with pytest.raises(data.DataError, match="only in .*train: cat; only in .*val: cow"):
        folders.load_folders(tmp_path, (3, 8, 8))
