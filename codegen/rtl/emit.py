"""Write the generated RTL: top-level Verilog (from templates/), memory
files, the file list and manifest.json.

Layout of an RTL directory::

    squeezefpga_top.v   the dataflow (instances of hw/ modules)
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

import numpy as np

from squeezefpga.quant.arch import ceil_div

from ..hwops.ops import ConvEngine, line_rows

TEMPLATES = Path(str(resources.files(__package__))) / "templates"
HW_DIR = Path(str(resources.files("squeezefpga.hw")))  # the Verilog library (package data)
TOP = "squeezefpga_top"
DEPS = {"window_gen": ["axis_register"], "maxpool": ["window_gen", "axis_register"],
        "conv_mvu": ["axis_fifo"], "requant": ["axis_register"],
        "global_avgpool": ["axis_register"], "axis_concat": ["axis_register"],
        "axis_add": ["axis_register"], "axis_lane_conv": ["axis_register"]}


def tpl(template: str, **kw) -> str:
    return Template((TEMPLATES / template).read_text()).substitute(**kw)


def _words(inst, key) -> tuple[str, list[int], int]:
    kind, vals, width, pe, simd = inst.roms[key]
    p = inst.params
    if kind == "w":
        eng = ConvEngine(inst.name, inst.layer, cin=p["CIN"], cout=p["COUT"], k=p["K"],
                         pe=pe, simd=simd, w_w=width)
        return f"mem/{inst.layer}_w.hex", eng.pack_weights(vals), pe * simd * width
    nf = ceil_div(len(vals), pe)
    pad = np.zeros(nf * pe, np.int64)
    pad[:len(vals)] = vals
    mask = (1 << width) - 1
    words = [sum((int(v) & mask) << (i * width) for i, v in enumerate(pad[n * pe:(n + 1) * pe]))
             for n in range(nf)]
    return f"mem/{inst.layer}_b.hex", words, pe * width


def memories(inst) -> dict[str, int]:
    """Storage bits of each buffer of an instance (hw/ module headers)."""
    p, m = inst.params, inst.module
    if m == "conv_mvu":
        sf = p["K"] * p["K"] * ceil_div(p["CIN"], p["SIMD"])
        nf = ceil_div(p["COUT"], p["PE"])
        mem = {"weights": nf * sf * p["PE"] * p["SIMD"] * p["W_W"],
               "out_fifo": 16 * (p["PE"] * p["ACC_W"] + 1)}
        if p["USE_BIAS"]:
            mem["bias"] = nf * p["PE"] * p["ACC_W"]
        if nf > 1:
            mem["in_buffer"] = sf * p["SIMD"] * p["IN_W"]
        return mem
    if m in ("window_gen", "maxpool"):
        lanes, w = p["LANES"], p.get("DATA_W")
        oh = (inst.outs[0][1].h if m == "maxpool"   # ceil-mode rows included
              else (p["H"] + p["PAD_T"] + p["PAD_B"] - p["K"]) // p["S"] + 1)
        rows = line_rows(p["H"], p["K"], p["S"], p["PAD_T"], oh)
        return {"line_buffer": rows * p["W"] * ceil_div(p["C"], lanes) * lanes * w}
    if m == "axis_fifo" and p["DEPTH"]:
        return {"fifo": p["DEPTH"] * (p["DATA_W"] + 1)}
    return {}


def _vparam(v) -> str:
    return f'"{v}"' if isinstance(v, str) else str(int(v))


def write(insts, src, dst, out: Path, model_name: str, expected: int) -> dict:
    """Write everything into ``out`` (an existing directory); returns the manifest."""
    (out / "mem").mkdir(parents=True, exist_ok=True)
    (out / "hw").mkdir(exist_ok=True)
    streams = {src.name: src}
    for i in insts:
        for _, s in i.ins + i.outs:
            streams[s.name] = s
    wires = [tpl("wires.v", width=s.width, s=s.name,
                 doc=f"{s.h}x{s.w}x{s.c}, {s.lanes} x {s.bits}b{' signed' if s.signed else ''}, "
                     f"exp {s.exp}").rstrip("\n") for s in streams.values()]
    body = [tpl("io.v", i=src.name, o=dst.name).rstrip("\n")]
    used, rows = set(), []
    for i in insts:
        row = {"name": i.name, "layer": i.layer, "module": i.module, "params": dict(i.params),
               "in": [dict(s.to_dict(), port=p) for p, s in i.ins],
               "out": [dict(s.to_dict(), port=p) for p, s in i.outs],
               "cycles_per_frame": i.info.get("cycles", 0),
               **{k: v for k, v in i.info.items() if k not in ("cycles", "window")}}
        if i.module == "axis_fifo" and i.params["DEPTH"] == 0:
            body.append(tpl("connect.v", layer=i.layer, doc=f"{i.name}: no FIFO needed",
                            i=i.ins[0][1].name, o=i.outs[0][1].name).rstrip("\n"))
            row["params"]["DEPTH"] = 0
            rows.append(row)
            continue
        used.add(i.module)
        params = dict(i.params)
        for key in i.roms:
            fname, words, width = _words(i, key)
            digits = ceil_div(width, 4)
            (out / fname).write_text("".join(f"{w:0{digits}x}\n" for w in words))
            params[key] = fname
        ports = [tpl("port.v", p=p, s=s.name).rstrip("\n") for p, s in i.ins + i.outs]
        if i.module == "window_gen":
            s = i.outs[0][1].name
            wires.append(tpl("tuser.v", s=s).rstrip("\n"))
            ports.append(f"        .m_axis_tuser(unused_{s}_tuser)")
        body.append(tpl("instance.v", layer=i.layer, doc=f"{i.info.get('cycles', 0)} cycles/frame",
                        module=i.module, name=i.name,
                        params=",\n".join(f"        .{k}({_vparam(v)})" for k, v in params.items()),
                        ports=",\n".join(ports)).rstrip("\n"))
        row["params"] = params
        row["memory_bits"] = memories(i)
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
                                      body="\n".join(body)))
    files = []
    def visit(m):
        for d in DEPS.get(m, []):
            visit(d)
        if m not in files:
            files.append(m)
    for m in sorted(used):
        visit(m)
    for m in files:
        shutil.copy2(HW_DIR / f"{m}.v", out / "hw" / f"{m}.v")
    (out / "files.f").write_text("".join(f"hw/{m}.v\n" for m in files) + f"{TOP}.v\n")
    made_by = {s.name: i.layer for i in insts for _, s in i.outs}
    macs = sum(i.info.get("macs", 0) for i in insts)
    mults = sum(i.info.get("mults", 0) for i in insts)
    manifest = {"top": TOP, "model": model_name, "input": src.to_dict(), "output": dst.to_dict(),
                "expected_cycles_per_frame": expected, "macs_per_frame": macs,
                "multipliers": mults,
                "memory_bits": sum(sum(r.get("memory_bits", {}).values()) for r in rows),
                "instances": rows,
                # per-layer taps: the wire bundle carrying each whole ONNX tensor
                "taps": [dict(s.to_dict(), tensor=s.tensor, wire=s.name, layer=made_by.get(s.name))
                         for s in streams.values() if s.tensor]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest
