import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def hls_cache(tmp_path_factory):
    """One compiled csim per model per test session (sim.hls_check caches by content)."""
    path = os.environ.get("SQUEEZEFPGA_HLS_CACHE") or str(tmp_path_factory.mktemp("hls-cache"))
    old = os.environ.get("SQUEEZEFPGA_HLS_CACHE")
    os.environ["SQUEEZEFPGA_HLS_CACHE"] = path
    yield path
    if old is None:
        os.environ.pop("SQUEEZEFPGA_HLS_CACHE", None)
