"""Write the generated RTL: top-level Verilog (from templates/), memory
files, the file list and manifest.json, all read off the netlist's op
objects (``codegen/hwops``).

Layout of an RTL directory::

    squeezefpga_top.v   the dataflow (instances of hw/ modules, each with its
                        own registered reset, hw/rst_pipe.v)
    hw/*.v              copies of the library modules it uses
    mem/*.hex           conv_mvu weight / bias ROMs ($readmemh, one word a line)
    files.f             Verilog sources in elaboration order (relative paths)
    manifest.json       per instance: op, shapes, PE/SIMD, stream widths,
                        accumulator widths, memory bits, expected cycles
"""
from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from string import Template

from ..hwops.streaming import AxisFifo, AxisRegister
from ..hwops.window import WindowGen

TEMPLATES = Path(str(resources.files(__package__))) / "templates"
HW_DIR = Path(str(resources.files("squeezefpga.hw")))  # the Verilog library (package data)
TOP = "squeezefpga_top"
RESET_FILE = "rst_pipe.v"   # the top's per-instance reset register (templates/instance.v)


def tpl(template: str, **kw) -> str:
    return Template((TEMPLATES / template).read_text()).substitute(**kw).rstrip("\n")


def _vparam(v) -> str:
    return f'"{v}"' if isinstance(v, str) else str(int(v))


def hw_files(ops) -> list[str]:
    """The hw/ files of a design, in elaboration order (each op class names its own)."""
    files: list[str] = []
    for op in ops:
        if not (isinstance(op, AxisFifo) and not op.depth):
            files += [f for f in type(op).files() if f not in files]
    return files


def _instance(op, out: Path, wires: list[str]) -> tuple[str, dict]:
    """(the instance's Verilog, its manifest row); writes its ROM files."""
    row = op.row()
    if isinstance(op, AxisFifo) and not op.depth:
        return tpl("connect.v", layer=op.layer, doc=f"{op.name}: no FIFO needed",
                   i=op.x.name, o=op.y.name), row
    row["params"].update(op.write_roms(out))
    ports = [tpl("port.v", p=p, s=s.name) for p, s in op.ins + op.outs]
    if type(op) is WindowGen:
        wires.append(tpl("tuser.v", s=op.y.name))
        ports.append(f"        .m_axis_tuser(unused_{op.y.name}_tuser)")
    return tpl("instance.v", layer=op.layer, doc=f"{op.cycles()} cycles/frame", module=op.module,
               name=op.name, params=",\n".join(f"        .{k}({_vparam(v)})"
                                               for k, v in row["params"].items()),
               ports=",\n".join(ports)), row


def write(ops, src, dst, out: Path, model_name: str, expected: int) -> dict:
    """Write everything into ``out`` (an existing directory); returns the manifest."""
    (out / "mem").mkdir(parents=True, exist_ok=True)
    (out / "hw").mkdir(exist_ok=True)
    streams = {src.name: src}
    for op in ops:
        for _, s in op.ins + op.outs:
            streams[s.name] = s
    wires = [tpl("wires.v", width=s.width, s=s.name,
                 doc=f"{s.h}x{s.w}x{s.c}, {s.lanes} x {s.bits}b{' signed' if s.signed else ''}, "
                     f"exp {s.exp}") for s in streams.values()]
    body = [tpl("io.v", i=src.name, o=dst.name, in_w=src.width, out_w=dst.width)]
    rows = []
    for op in ops:
        text, row = _instance(op, out, wires)
        body.append(text)
        rows.append(row)
    in_doc = (f"{src.h}x{src.w} pixels in raster order, one pixel per beat: channel c at "
              f"tdata[c*{src.bits} +: {src.bits}] ({'signed' if src.signed else 'unsigned'} codes "
              f"of the input Quant, value = code * 2^{src.exp})")
    out_doc = (f"{dst.c} class scores in {dst.cf} beat(s) of {dst.lanes} lanes: score c at beat "
               f"c/{dst.lanes}, tdata[(c%{dst.lanes})*{dst.bits} +: {dst.bits}] "
               f"({'signed' if dst.signed else 'unsigned'}, value = code * 2^{dst.exp}); "
               f"lanes past {dst.c} are zero")
    (out / f"{TOP}.v").write_text(tpl("top.v", top=TOP, model=model_name, in_doc=in_doc,
                                      out_doc=out_doc, cycles=expected, in_w=src.width,
                                      out_w=dst.width, wires="\n".join(wires),
                                      body="\n".join(body)) + "\n")
    # the top's own modules (the reset registers, the port slices of templates/io.v),
    # then the instances'
    own = [RESET_FILE] + AxisRegister.files()
    files = own + [f for f in hw_files(ops) if f not in own]
    for f in files:
        shutil.copy2(HW_DIR / f, out / "hw" / f)
    (out / "files.f").write_text("".join(f"hw/{f}\n" for f in files) + f"{TOP}.v\n")
    made_by = {s.name: op.layer for op in ops for _, s in op.outs}
    manifest = {"top": TOP, "model": model_name, "input": src.to_dict(), "output": dst.to_dict(),
                "expected_cycles_per_frame": expected,
                "macs_per_frame": sum(r["macs_per_frame"] for r in rows),
                "multipliers": sum(r["multipliers"] for r in rows),
                "memory_bits": sum(sum(r["memory_bits"].values()) for r in rows),
                "instances": rows,
                # per-layer taps: the wire bundle carrying each whole ONNX tensor
                "taps": [dict(s.to_dict(), tensor=s.tensor, wire=s.name, layer=made_by.get(s.name))
                         for s in streams.values() if s.tensor]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest
