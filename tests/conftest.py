"""Fixtures shared by every test package."""
import gzip
import os
import struct

import numpy as np
import pytest
from hypothesis import settings

from squeezefpga.quant.data import load_subset

# property tests draw the same examples on every run (CI stays reproducible);
# HYPOTHESIS_PROFILE=explore searches afresh
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def write_idx(path, arr):
    arr = np.asarray(arr, np.uint8)
    head = bytes([0, 0, 8, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    path.write_bytes(gzip.compress(head + arr.tobytes()))


@pytest.fixture(scope="session")
def tiny_fmnist(tmp_path_factory):
    """A Fashion-MNIST directory in IDX format made from the shipped subset."""
    d = tmp_path_factory.mktemp("fmnist")
    s = load_subset()
    imgs = s.images[:, 0]
    for prefix, sl in (("train", slice(0, 256)), ("t10k", slice(256, 320))):
        write_idx(d / f"{prefix}-images-idx3-ubyte.gz", imgs[sl])
        write_idx(d / f"{prefix}-labels-idx1-ubyte.gz", s.labels[sl])
    return d
