"""Register slices between ops: one hw/axis_register on each stream from one
op to another whose tdata is at most ``MAX_W`` bits wide.

Why: on a part as full as the ECP5 builds are (codegen/budget/device_fold.py),
nextpnr often places two connected modules far apart.  A valid or ready gate
of one module then feeds the other's control logic across the die, or goes
there and back (a FIFO's pop gate reused by the window generator's write
side): the paths that set fmax after every module's own paths were
pipelined (docs/timing.md).  A slice ends every such path at a flop on each
side (axis_register's s_axis_tready is a flop, its m_axis_* are flops), and
the slice is small, so the placer puts it between the two.

Cost per slice: 1 cycle of latency, 2 beats of capacity (never fewer beats
in flight than without it: the FIFO depths of fifos.py stay sufficient),
DATA_W + 8 LUT4 and 2 * DATA_W + 4 flip-flops on ECP5 (AxisRegister's
model).  The stream at the top's ports already has a slice (templates/io.v).
Wider streams (a convolution's accumulators into its requant) are left
alone: a slice there costs hundreds of LUTs, and the modules on both sides
keep their handshakes short themselves (conv_mvu's output FIFO, requant).

Cycles per frame do not change (a slice moves a beat a cycle); the slices
are ops of the netlist, so the budget, the manifest and the device fold
count them.
"""
from __future__ import annotations

from dataclasses import replace

from ..hwops.streaming import AxisFifo, AxisRegister

MAX_W = 128     # widest stream that gets a slice (bits of tdata)


def _wire(op) -> bool:
    """A depth-0 branch FIFO: emitted as wires (templates/connect.v)."""
    return isinstance(op, AxisFifo) and not op.depth


def insert(ops: list, max_w: int = MAX_W) -> list:
    """``ops`` with a slice in front of every op input fed by another op over a
    stream of at most ``max_w`` bits (a wire-only FIFO is looked through: the
    slice goes after it).  The slice takes the stream; the consumer reads the
    slice's output stream ``<stream>_rs`` (its ``ins`` are rewired in place).
    Returns the new op list."""
    made = {s.name for op in ops for _, s in op.outs}
    names = {op.name for op in ops} | {s.name for op in ops for _, s in op.ins + op.outs}
    out = []
    for op in ops:
        if not _wire(op):
            for i, (port, s) in enumerate(op.ins):
                if s.name not in made or s.width > max_w:
                    continue
                name, yname = f"rs_{s.name}", f"{s.name}_rs"
                while name in names or yname in names:
                    name, yname = name + "_", yname + "_"
                names |= {name, yname}
                y = replace(s, name=yname, tensor=None)   # the same stream type, no tap
                out.append(AxisRegister(name, op.layer, [("s_axis", s)], [("m_axis", y)],
                                        {"purpose": "register slice between two ops"}))
                op.ins[i] = (port, y)
        out.append(op)
    return out
