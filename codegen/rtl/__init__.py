"""RTL backend: prepared QONNX -> a Verilog dataflow of the hw/ library.

``generate(model_path, out, fold)`` writes the RTL directory (see emit.py);
netlist.py maps the graph, fold.py balances it, fifos.py sizes the branch
FIFOs, backend.py exposes it as the hls4ml backend ``squeezefpga_rtl``.
"""
