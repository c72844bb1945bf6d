"""Fixtures of the CLI tests: bad models and inputs made from the fmnist model."""
from __future__ import annotations

import numpy as np
import pytest

import mutate as mu


@pytest.fixture(scope="session")
def bad(tmp_path_factory):
    """name -> path of a mutated model or input file."""
    d = tmp_path_factory.mktemp("bad")

    def model(name, fn):
        m = mu.load()
        fn(m)
        return mu.save(m, d / f"{name}.onnx")

    files = {
        "w1": model("w1", lambda m: mu.bits(m, mu.conv_quants(m)[0], 1)),
        "b33": model("b33", lambda m: mu.bits(m, mu.conv_quants(m)[1], 33)),
        "a1u": model("a1u", lambda m: mu.bits(m, mu.act_quant(m), 1, 0)),
        "dyn": model("dyn", mu.dynamic_batch),
        "sig": model("sig", lambda m: (mu.named(m), mu.sigmoid_at_end(m))),
    }
    (d / "empty.onnx").write_bytes(b"")
    (d / "trunc.onnx").write_bytes(mu.MODEL.read_bytes()[:5000])
    files.update({"empty": d / "empty.onnx", "trunc": d / "trunc.onnx"})
    x = np.zeros((2, 1, 28, 28), np.float32)
    np.save(d / "ok.npy", x)
    for name, idx, v in (("nan", (0, 0, 0, 0), np.nan), ("inf", (1, 0, 3, 4), -np.inf)):
        y = x.copy()
        y[idx] = v
        np.save(d / f"{name}.npy", y)
    np.save(d / "none.npy", np.zeros((0, 1, 28, 28), np.float32))
    np.savez(d / "arch.npz", x=x)
    (d / "arch.npz").rename(d / "npz.npy")
    np.save(d / "wrong.npy", np.zeros((1, 28, 27), np.float32))
    files.update({k: d / f"{k}.npy" for k in ("ok", "nan", "inf", "none", "npz", "wrong")})
    return {k: str(v) for k, v in files.items()}
