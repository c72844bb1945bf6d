"""The vendor half of a build directory: a Vivado block design with an AXI DMA
for a real board (PYNQ-Z2, ZCU104), README and the PYNQ board driver, around
either network:

* hls4ml (``add_vendor_project``): an AXI-Stream wrapper in C++, its Vitis HLS
  IP export, the IP in the block design (vivado/block_design.tcl);
* the RTL (``add_rtl_vendor``): rtl/squeezefpga_axis_top.v, the generated
  network between hw/axis_dma_rx.v and hw/axis_dma_tx.v, as a module
  reference (vivado/rtl_block_design.tcl adds every Verilog and ROM file).

Both take the driver's stream format (one 32-bit word per value; the driver
is the same file).  With ``build --board`` both networks come from the device
fold of the board's part: the RTL's PE/SIMD, and hls4ml ReuseFactors from the
same fold (``fold_reuse``).

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
RTL_TOP = "squeezefpga_axis_top"
RTL_CELL = "net"
WORD_BITS = 32      # the driver's word per value
ADAPTERS = ("axis_frame_refold.v", "axis_dma_rx.v", "axis_dma_tx.v")  # after axis_lane_conv's files
IP_VENDOR, IP_LIBRARY, IP_VERSION = "squeezefpga.org", "hls", "1.0"
CLOCK_NS = 10

# per board: the part, its entry in the device table (codegen/hwops/devices.py)
# and the RTL design's DMA stream width (the HLS IP's stream is 32 bits)
BOARDS = {
    "pynq-z2": {"part": "xc7z020clg400-1", "device": "xc7z020", "dma_width": 32,
                "board_part": "tul.com.tw:pynq-z2:part0:1.0",
                "ps_name": "Zynq-7000", "ps_vlnv": "xilinx.com:ip:processing_system7:5.5",
                "ps_rule": "xilinx.com:bd_rule:processing_system7",
                "ps_auto": 'make_external "FIXED_IO, DDR" apply_board_preset "1"',
                "ps_hp_enable": "CONFIG.PCW_USE_S_AXI_HP0", "ps_master": "M_AXI_GP0",
                "ps_slave": "S_AXI_HP0", "ps_clk": "FCLK_CLK0"},
    "zcu104": {"part": "xczu7ev-ffvc1156-2-e", "device": "xczu7ev", "dma_width": 64,
               "board_part": "xilinx.com:zcu104:part0:1.1",
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


def _stream_values(board: str, model: str, shape_nhwc, n_out: int, in_bits: int,
                   in_signed: bool, in_exp: int, out_bits: int, out_signed: bool,
                   out_exp: int, folded: bool) -> dict:
    """What the driver, the README and both wrappers share: the stream format."""
    h, w, c = shape_nhwc
    if in_bits > WORD_BITS or out_bits > WORD_BITS:
        raise ValueError(f"input and output codes must fit {WORD_BITS}-bit stream words")
    b = BOARDS[board]
    note = (f"The network is folded to fit the part: the device fold for {b['device']} "
            f"(`build --device {b['device']}`), for both the RTL and the hls4ml ReuseFactors."
            if folded else "The hls4ml ReuseFactors are those of `--fold` (default 1), not "
                           "folded to fit the part (`build --board` folds them).")
    lo = -(1 << (in_bits - 1)) if in_signed else 0
    hi = (1 << (in_bits - (1 if in_signed else 0))) - 1
    v = dict(b, board=board, model=model, clock_period=CLOCK_NS, fold_note=note,
             n_pixels=h * w, n_chan=c, n_in=h * w * c, in_chw=f"{c} x {h} x {w}",
             in_bits=in_bits, n_out=n_out, out_bits=out_bits, out_exp=out_exp,
             out_ext="sign-extended" if out_signed else "zero-extended")
    v["board_meta"] = {"input_shape_nhwc": [h, w, c], "n_out": n_out, "input_exp": in_exp,
                       "input_range": [lo, hi], "output_exp": out_exp, "board": board,
                       "part": b["part"]}
    return v


def values(meta: dict, board: str, folded: bool = False) -> dict:
    """Template values of the hls4ml design (``meta``: the HLS project's)."""
    it, ot = meta["input_type"], meta["output_type"]
    v = _stream_values(board, meta["model"], meta["input_shape_nhwc"], meta["n_out"],
                       it["width"], it["signed"], it["integer"] - it["width"], ot["width"],
                       ot["signed"], ot["integer"] - ot["width"], folded)
    v.update(top=meta["top"], axi_top=AXI_TOP, ip_vendor=IP_VENDOR, ip_library=IP_LIBRARY,
             ip_version=IP_VERSION, ip_vlnv=f"{IP_VENDOR}:{IP_LIBRARY}:{AXI_TOP}:{IP_VERSION}",
             code_type=f"ap_{'' if ot['signed'] else 'u'}int<{ot['width']}>")
    return v


def rtl_values(man: dict, board: str, folded: bool = True) -> dict:
    """Template values of the RTL design (``man``: the RTL manifest)."""
    i, o = man["input"], man["output"]
    (oh, ow, oc) = o["shape_hwc"]
    v = _stream_values(board, man["model"], i["shape_hwc"], oh * ow * oc, i["bits"],
                       i["signed"], i["exp"], o["bits"], o["signed"], o["exp"], folded)
    h, w, c = i["shape_hwc"]
    v.update(net_top=man["top"], rtl_top=RTL_TOP, in_c=c, in_lanes=i["lanes"], in_pix=h * w,
             out_c=oc, out_lanes=o["lanes"], out_pix=oh * ow, out_signed=int(o["signed"]),
             cycles=f"{man['expected_cycles_per_frame']:,}", multipliers=man["multipliers"])
    return v


def _design(v: dict, script: str, cell: str, cell_tpl: str, **kw) -> str:
    """A block design script: the project, the network's cell, the shared design."""
    v = dict(v, script=script, cell=cell, **kw)
    return render("project.tcl.tpl", v) + render(cell_tpl, v) + render("block_design.tcl.tpl", v)


def _driver(d: Path, v: dict, extra: dict) -> None:
    """driver/: the PYNQ driver (unchanged) and its squeezefpga_board.json; a second
    design in the same build adds its entries after checking the stream format."""
    (d / "driver").mkdir(exist_ok=True)
    shutil.copy(VENDOR / "squeezefpga_driver.py", d / "driver" / "squeezefpga_driver.py")
    f = d / "driver" / "squeezefpga_board.json"
    meta = dict(v["board_meta"])
    if f.exists():
        old = json.loads(f.read_text())
        diff = [k for k in meta if old.get(k) != meta[k]]
        if diff:
            raise ValueError(f"the RTL and hls4ml streams differ in {diff[0]}: "
                             f"{old.get(diff[0])} vs {meta[diff[0]]}")
        meta = old
    meta.update(extra)
    f.write_text(json.dumps(meta, indent=1))


def _readme(d: Path, v: dict, part: str) -> None:
    """README.md: the head, then each design's section (hls and / or rtl), then the board."""
    f = d / "README.md"
    parts = (f.read_text().split("\n<!-- board -->\n")[0] if f.exists()
             else render("readme_head.md.tpl", v))
    f.write_text(parts + render(f"readme_{part}.md.tpl", v) + "\n<!-- board -->\n"
                 + render("readme_board.md.tpl", v))


def add_vendor_project(d: Path, meta: dict, board: str, folded: bool = False) -> None:
    """Write the hls4ml design's vendor files into build directory ``d`` (hls4ml
    project already there); ``folded``: its ReuseFactors come from the device fold."""
    d = Path(d)
    v = values(meta, board, folded)
    v["dma_width"] = WORD_BITS   # the HLS IP's stream
    (d / "vivado").mkdir(exist_ok=True)
    (d / "vivado" / "axi_top.cpp").write_text(render("axi_top.cpp.tpl", v))
    (d / "vivado" / "axi_tb.cpp").write_text(render("axi_tb.cpp.tpl", v))
    shutil.copy(VENDOR / "squeezefpga_axis.h", d / "vivado" / "squeezefpga_axis.h")
    (d / "vivado" / "hls_axi.tcl").write_text(render("hls_axi.tcl.tpl", v))
    (d / "vivado" / "block_design.tcl").write_text(_design(
        v, "vivado/block_design.tcl", AXI_TOP, "bd_hls_cell.tcl.tpl", cell_what=v["ip_vlnv"],
        run_after=", after vivado/hls_axi.tcl", out_dir="vivado/output",
        prj_name="squeezefpga_bd", prj_dir="vivado/prj",
        cell_create=f"-type ip -vlnv {v['ip_vlnv']}", cell_clk="ap_clk"))
    _readme(d, v, "hls")
    (d / "build_opt.tcl").write_text(BUILD_OPT)
    _driver(d, v, {"axi_top": AXI_TOP})
    meta["board"], meta["axi_top"], meta["ip_vlnv"] = board, AXI_TOP, v["ip_vlnv"]


def rtl_files(rtl: Path) -> tuple[list[str], list[str]]:
    """(Verilog files of the wrapper in elaboration order, the ROM files), relative
    to ``rtl`` (an RTL directory with the wrapper written)."""
    return ((rtl / "axis_top.f").read_text().split(),
            sorted(str(p.relative_to(rtl)) for p in (rtl / "mem").glob("*.hex")))


def add_rtl_vendor(d: Path, man: dict, board: str, folded: bool = True) -> dict:
    """The RTL design's vendor files in build directory ``d`` (``d/rtl`` written,
    ``man`` its manifest): the wrapper and its adapters in rtl/ (rtl/axis_top.f
    lists every Verilog file), vivado/rtl_block_design.tcl, README, driver.
    Returns what the report shows."""
    from squeezefpga.codegen.hwops.streaming import LaneConv
    from squeezefpga.codegen.rtl.emit import HW_DIR

    d = Path(d)
    rtl = d / "rtl"
    v = rtl_values(man, board, folded)
    lib = (rtl / "files.f").read_text().split()
    net_file = f"{man['top']}.v"
    lib = [f for f in lib if f != net_file]
    for f in LaneConv.files() + list(ADAPTERS):
        if f"hw/{f}" not in lib:
            shutil.copy2(HW_DIR / f, rtl / "hw" / f)
            lib.append(f"hw/{f}")
    (rtl / f"{RTL_TOP}.v").write_text(render("axis_top.v.tpl", v))
    (rtl / "axis_top.f").write_text("".join(f"{f}\n" for f in lib + [net_file, f"{RTL_TOP}.v"]))
    _, mems = rtl_files(rtl)
    (d / "vivado").mkdir(exist_ok=True)
    (d / "vivado" / "rtl_block_design.tcl").write_text(_design(
        v, "vivado/rtl_block_design.tcl", RTL_CELL, "bd_rtl_cell.tcl.tpl",
        cell_what=f"module reference {RTL_TOP}", run_after="", out_dir="vivado/rtl_output",
        prj_name="squeezefpga_rtl", prj_dir="vivado/rtl_prj",
        cell_create=f"-type module -reference {RTL_TOP}", cell_clk="aclk",
        lib_files=" ".join(lib), mem_files=" ".join(mems)))
    _readme(d, v, "rtl")
    _driver(d, v, {"rtl_top": RTL_TOP, "dma_width": v["dma_width"]})
    return {"board": board, "part": v["part"], "rtl_top": RTL_TOP, "dma_width": v["dma_width"],
            "script": "vivado/rtl_block_design.tcl"}


def valid_reuse(n_in: int, n_out: int, rf: int) -> bool:
    """hls4ml's rule for a ReuseFactor of a layer with n_in x n_out products per
    output (FPGABackend._validate_reuse_factor; hls4ml moves any other value to the
    closest valid one)."""
    mult = -(-(n_in * n_out) // min(n_in, rf))
    return ((mult % n_out == 0 or rf >= n_in) and (rf % n_in == 0 or rf < n_in)
            and (n_in * n_out) % rf == 0)


def fold_reuse(model, fold: dict) -> dict[str, int]:
    """hls4ml ReuseFactor per Conv node from an RTL fold (the inverse of
    ``codegen.rtl.fold.reuse_fold``): conv_mvu with PE x SIMD takes NF * SF
    cycles per output pixel on PE*SIMD multipliers; hls4ml with ReuseFactor R
    takes R cycles on K*K*CIN*COUT/R.  R = the smallest valid ReuseFactor >= NF *
    SF: at most the engine's multipliers (equal where R = NF * SF is valid)."""
    from squeezefpga.codegen.hwops.conv import ConvMvu
    from squeezefpga.codegen.rtl.netlist import build_netlist

    ops, _, _ = build_netlist(model, fold)
    out = {}
    for op in ops:
        if isinstance(op, ConvMvu):
            n_in, n_out = op.k * op.k * op.cin, op.cout
            r = op.nf * op.sf
            while not valid_reuse(n_in, n_out, r):   # n_in * n_out is always valid
                r += 1
            out[op.layer] = r
    return out
