"""Hardware ops of the dataflow pipeline (one class per hw/ module), their
folding, memory mapping and the device table.  No torch, no sim/: the budget
estimator and the RTL backend's manifest both read these numbers."""
from .devices import DEVICES, Device
from .fold import FoldError, auto_fold, check_fold, load_fold
from .graph import build_ops
from .memory import Mapping, Memory, dsp_per_multiplier, map_memory
from .ops import ConvEngine, Fifo, GlobalAvgPool, HwOp, MaxPool, Stream, WindowGen

__all__ = ["DEVICES", "Device", "FoldError", "auto_fold", "check_fold", "load_fold",
           "build_ops", "Mapping", "Memory", "dsp_per_multiplier", "map_memory", "ConvEngine",
           "Fifo", "GlobalAvgPool", "HwOp", "MaxPool", "Stream", "WindowGen"]
