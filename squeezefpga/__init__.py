"""squeezefpga: quantization-aware SqueezeNet to FPGA dataflow firmware, verified bit for bit.

Subpackages: ``quant`` (model description, Brevitas training, QONNX export),
``codegen`` (QONNX passes, hls4ml front end, the RTL backend, budgets),
``sim`` (the golden model, the Verilator runner) and ``cli`` (the command line,
which alone wires codegen and sim together).  The Verilog library ships as
package data in ``squeezefpga.hw``; presets in ``squeezefpga.configs``.
"""
import os
from pathlib import Path

__version__ = "0.1.0"


def cache_root() -> Path:
    """Where simulator builds and the yowasp tool cache live: $SQUEEZEFPGA_CACHE,
    else the user's cache directory (never the checkout).  Here, in the top
    package, because codegen (synthesis) and sim (simulation) both use it and
    never import each other."""
    env = os.environ.get("SQUEEZEFPGA_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "squeezefpga"


def yowasp_cache() -> str:
    """YOWASP_CACHE_DIR for the yowasp tools: as set, else under ``cache_root()``."""
    return os.environ.get("YOWASP_CACHE_DIR") or str(cache_root() / "yowasp")
