"""Hardware ops of the dataflow pipeline (one class per hw/ module: base.py,
conv.py and mvu_parts.py, window.py, gap.py, streaming.py), their memory mapping and the
device table.  No torch, no sim/: the RTL netlist is a list of these objects
and the budget estimator, the manifest and the ROM files read them."""
from .base import FoldError, HwOp, Mult, Stream
from .conv import ConvMvu
from .devices import DEVICES, Device
from .gap import GlobalAvgPool
from .memory import Mapping, Memory, dsp_per_multiplier, map_memory
from .streaming import AxisAdd, AxisConcat, AxisDup, AxisFifo, AxisRegister, LaneConv, Requant
from .window import MaxPool, WindowGen

__all__ = ["FoldError", "HwOp", "Mult", "Stream", "ConvMvu", "DEVICES", "Device",
           "GlobalAvgPool", "Mapping", "Memory", "dsp_per_multiplier", "map_memory", "AxisAdd",
           "AxisConcat", "AxisDup", "AxisFifo", "AxisRegister", "LaneConv", "Requant", "MaxPool",
           "WindowGen"]
