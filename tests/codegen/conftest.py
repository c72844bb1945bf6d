import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def hls_cache(tmp_path_factory):
    """One compiled csim per model per test session (squeezefpga.cli.checks.hls caches by content)."""
    path = os.environ.get("SQUEEZEFPGA_HLS_CACHE") or str(tmp_path_factory.mktemp("hls-cache"))
    old = os.environ.get("SQUEEZEFPGA_HLS_CACHE")
    os.environ["SQUEEZEFPGA_HLS_CACHE"] = path
    yield path
    if old is None:
        os.environ.pop("SQUEEZEFPGA_HLS_CACHE", None)


@pytest.fixture(scope="session")
def export_random(tmp_path_factory):
    """export_random(config) -> a random-weight QONNX export of a TOML config."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]

    def export(config, seed: int = 0, shape=None) -> Path:
        out = tmp_path_factory.mktemp("export") / f"{Path(config).stem}_{seed}.onnx"
        size = ["--input-shape", ",".join(map(str, shape))] if shape else []
        subprocess.run([sys.executable, "-m", "squeezefpga", "export", str(config),
                        "--random-weights", "--seed", str(seed), "--out", str(out), *size],
                       check=True, capture_output=True, cwd=root)
        return out
    return export
