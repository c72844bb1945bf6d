"""crc8: every (crc, byte) pair for CRC-8/SMBUS (0x07) and a sample for
another polynomial equal a bitwise reference; the host driver's crc8
(codegen/boards/uart_host.py) is the same function for 0x07."""
from pathlib import Path
import random

import cocotb
import pytest
from cocotb.triggers import Timer

from squeezefpga.codegen.boards.uart_host import crc8 as host_crc8
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def reference(crc: int, byte: int, poly: int) -> int:
    c = crc ^ byte
    for _ in range(8):
        c = ((c << 1) ^ poly) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    return c


@cocotb.test()
async def step(dut):
    poly = tb.tb_params()["POLY"]
    rng = random.Random(poly)
    pairs = ([(c, b) for c in range(256) for b in range(256)] if poly == 7 else
             [(rng.randrange(256), rng.randrange(256)) for _ in range(2000)])
    for c, b in pairs:
        dut.crc_in.value, dut.data.value = c, b
        await Timer(1, "ns")
        got = int(dut.crc_out.value)
        assert got == reference(c, b, poly), f"crc {c:#04x} byte {b:#04x}: got {got:#04x}"
        if poly == 7 and c == 0:
            assert got == host_crc8(bytes([b]))


@pytest.mark.verilator
@pytest.mark.parametrize("poly", [0x07, 0x9B])
def test_crc8(poly):
    run("crc8", "test_crc8", Path(__file__).parent, {"POLY": poly})
