"""Verilator/cocotb infrastructure for the hand-written RTL library in hw/.

runner  -- builds a module with cocotb_tools.runner on Verilator (cached per
           parameter set under sim_build/) and runs a cocotb test module.
packing -- NCHW numpy tensors <-> channels-last AXI-Stream beats, im2col
           windows, conv weight/bias ROM files.
axis_tb -- cocotb-side helpers: clock/reset, cocotbext-axi sources/sinks with
           pause generators, handshake cycle monitor, bit-exact scoreboard.
"""
