"""quant/data.py: IDX parsing, image folders, clear errors."""
import gzip

import numpy as np
import pytest

from squeezefpga.quant import data
from tests.conftest import write_idx


def test_idx_roundtrip(tmp_path):
    a = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x-idx3-ubyte.gz", a)
    assert np.array_equal(data.read_idx(tmp_path / "x-idx3-ubyte"), a)


def test_idx_truncated(tmp_path):
    a = np.zeros((2, 3, 4), np.uint8)
    write_idx(tmp_path / "x.gz", a)
    raw = gzip.decompress((tmp_path / "x.gz").read_bytes())
    (tmp_path / "y").write_bytes(raw[:-1])
    with pytest.raises(data.DataError, match="y: expected 24 data bytes"):
        data.read_idx(tmp_path / "y")


def test_idx_corrupt_gzip(tmp_path):
    (tmp_path / "z.gz").write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(data.DataError, match="corrupt gzip"):
        data.read_idx(tmp_path / "z")


def test_missing_dataset_names_directory(tmp_path):
    with pytest.raises(data.DataError, match=str(tmp_path)):
        data.load_fmnist("test", tmp_path)


def test_tiny_fmnist_loads(tiny_fmnist):
    s = data.load_fmnist("train", tiny_fmnist)
    assert s.images.shape == (256, 1, 28, 28) and s.images.dtype == np.uint8


def test_image_folder(tmp_path):
    from PIL import Image
    for cls in ("cat", "dog"):
        (tmp_path / "train" / cls).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(np.full((10, 12, 3), 40 * i, np.uint8)).save(
                tmp_path / "train" / cls / f"{i}.png")
    s = data.load_split("train", tmp_path, (3, 8, 8))
    assert s.images.shape == (4, 3, 8, 8) and list(s.labels) == [0, 0, 1, 1]


def test_wrong_shape_without_folder():
    with pytest.raises(data.DataError, match="--data"):
        data.load_split("train", None, (3, 32, 32))


def test_shipped_subset():
    s = data.load_subset()
    assert s.images.shape[0] >= 300 and s.images.shape[1:] == (1, 28, 28)
    assert set(np.unique(s.labels)) == set(range(10))
