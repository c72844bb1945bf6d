"""squeezefpga: quantization-aware SqueezeNet to FPGA dataflow firmware, verified bit for bit.

Subpackages: ``quant`` (model description, Brevitas training, QONNX export),
``codegen`` (QONNX passes, hls4ml front end, the RTL backend, budgets),
``sim`` (the golden model, the Verilator runner) and ``cli`` (the command line,
which alone wires codegen and sim together).  The Verilog library ships as
package data in ``squeezefpga.hw``; presets in ``squeezefpga.configs``.
"""
__version__ = "0.1.0"
