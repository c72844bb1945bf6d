"""The vendor half of a build directory: AXI-Stream wrapper, Vitis HLS IP export,
Vivado block design with an AXI DMA for a real board, README and board driver.

Everything is rendered from ``templates/vendor/`` (placeholders ``@{name}``,
so Tcl's and C++'s own ``$``/braces stay untouched).
"""
from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from string import Template

VENDOR = Path(str(resources.files(__package__))) / "templates" / "vendor"
AXI_TOP = "squeezefpga_axi"
IP_VENDOR, IP_LIBRARY, IP_VERSION = "squeezefpga.org", "hls", "1.0"
CLOCK_NS = 10

BOARDS = {
    "pynq-z2": {"part": "xc7z020clg400-1", "board_part": "tul.com.tw:pynq-z2:part0:1.0",
                "ps_name": "Zynq-7000", "ps_vlnv": "xilinx.com:ip:processing_system7:5.5",
                "ps_rule": "xilinx.com:bd_rule:processing_system7",
                "ps_auto": 'make_external "FIXED_IO, DDR" apply_board_preset "1"',
                "ps_hp_enable": "CONFIG.PCW_USE_S_AXI_HP0", "ps_master": "M_AXI_GP0",
                "ps_slave": "S_AXI_HP0", "ps_clk": "FCLK_CLK0"},
    "zcu104": {"part": "xczu7ev-ffvc1156-2-e", "board_part": "xilinx.com:zcu104:part0:1.1",
               "ps_name": "Zynq UltraScale+", "ps_vlnv": "xilinx.com:ip:zynq_ultra_ps_e:3.5",
               "ps_rule": "xilinx.com:bd_rule:zynq_ultra_ps_e", "ps_auto": 'apply_board_preset "1"',
               "ps_hp_enable": "CONFIG.PSU__USE__S_AXI_GP2", "ps_master": "M_AXI_HPM0_FPD",
               "ps_slave": "S_AXI_HP0_FPD", "ps_clk": "pl_clk0"},
}

# hls4ml's build_prj.tcl options for the vendor flow: synthesis and IP export
BUILD_OPT = """array set opt {
    reset      1
    csim       0
    synth      1
    cosim      0
    validation 0
    export     1
    vsynth     0
    fifo_opt   0
}
"""


class _T(Template):
    delimiter = "@"


def render(name: str, values: dict) -> str:
    return _T((VENDOR / name).read_text()).substitute(values)


def values(meta: dict, board: str) -> dict:
    b = BOARDS[board]
    h, w, c = meta["input_shape_nhwc"]
    it, ot = meta["input_type"], meta["output_type"]
    v = dict(b, board=board, top=meta["top"], axi_top=AXI_TOP, model=meta["model"],
             ip_vendor=IP_VENDOR, ip_library=IP_LIBRARY, ip_version=IP_VERSION,
             ip_vlnv=f"{IP_VENDOR}:{IP_LIBRARY}:{AXI_TOP}:{IP_VERSION}", clock_period=CLOCK_NS,
             n_pixels=h * w, n_chan=c, n_in=h * w * c, in_chw=f"{c} x {h} x {w}",
             in_bits=it["width"], n_out=meta["n_out"], out_bits=ot["width"],
             out_exp=ot["integer"] - ot["width"],
             code_type=f"ap_{'' if ot['signed'] else 'u'}int<{ot['width']}>")
    if it["width"] > 32 or ot["width"] > 32:
        raise ValueError("input and output codes must fit 32-bit stream words")
    return v


def add_vendor_project(d: Path, meta: dict, board: str) -> None:
    """Write the vendor files into build directory ``d`` (hls4ml project already there)."""
    d = Path(d)
    v = values(meta, board)
    (d / "vivado").mkdir(exist_ok=True)
    (d / "driver").mkdir(exist_ok=True)
    (d / "vivado" / "axi_top.cpp").write_text(render("axi_top.cpp.tpl", v))
    (d / "vivado" / "axi_tb.cpp").write_text(render("axi_tb.cpp.tpl", v))
    shutil.copy(VENDOR / "squeezefpga_axis.h", d / "vivado" / "squeezefpga_axis.h")
    (d / "vivado" / "hls_axi.tcl").write_text(render("hls_axi.tcl.tpl", v))
    (d / "vivado" / "block_design.tcl").write_text(render("block_design.tcl.tpl", v))
    (d / "README.md").write_text(render("README.md.tpl", v))
    (d / "build_opt.tcl").write_text(BUILD_OPT)
    shutil.copy(VENDOR / "squeezefpga_driver.py", d / "driver" / "squeezefpga_driver.py")
    it, ot = meta["input_type"], meta["output_type"]
    lo = -(1 << (it["width"] - 1)) if it["signed"] else 0
    hi = (1 << (it["width"] - (1 if it["signed"] else 0))) - 1
    board_meta = {"input_shape_nhwc": meta["input_shape_nhwc"], "n_out": meta["n_out"],
                  "input_exp": it["integer"] - it["width"], "input_range": [lo, hi],
                  "output_exp": v["out_exp"], "axi_top": AXI_TOP, "board": board, "part": v["part"]}
    (d / "driver" / "squeezefpga_board.json").write_text(json.dumps(board_meta, indent=1))
    meta["board"], meta["axi_top"], meta["ip_vlnv"] = board, AXI_TOP, v["ip_vlnv"]
