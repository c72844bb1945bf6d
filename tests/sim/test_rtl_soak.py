"""Soak: the fmnist RTL streams 1,000 random frames under random input pauses
and output backpressure: no mismatch, no lost or duplicated beat, the
expected cycles/frame, flat simulator memory (bench/rtl_soak.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "rtl_soak.py"


@pytest.mark.verilator
@pytest.mark.slow
def test_fmnist_rtl_soak_1000_frames():
    r = subprocess.run([sys.executable, str(BENCH), "--frames", "1000", "--json"],
                       capture_output=True, text=True, timeout=3600)
    assert r.stdout.strip(), r.stderr[-3000:]
    fig = json.loads(r.stdout.strip().splitlines()[-1])
    assert fig["frames"] == 1000 and fig["mismatching_frames"] == 0, fig
    assert fig["frames_with_wrong_beat_count"] == 0 and fig["stray_beats_after_last_frame"] == 0
    assert abs(fig["cycles_per_frame"] - fig["expected_cycles_per_frame"]) \
        <= 0.05 * fig["expected_cycles_per_frame"], fig
    assert fig["rss_growth_kib_after_100_frames"] <= 16 << 10, fig
    assert fig["ok"] and r.returncode == 0
