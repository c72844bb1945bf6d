"""mvu_wrom: conv_mvu's weight ROM.  Every address, then random addresses with
a new one each cycle; q equals ROM word addr two cycles later (three with
banks: the multiplexer's register), flat
(BANK_DEPTH 0) and in banks side by side (the banked file layout written by
the op class's layout rule: word a holds ROM words b*BANK_DEPTH + a)."""
from pathlib import Path
import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from squeezefpga.codegen.hwops.base import write_hex
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import BUILD_ROOT, run


def rom_words(width: int, depth: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.getrandbits(width) for _ in range(depth)]


@cocotb.test()
async def reads(dut):
    p = tb.tb_params()
    words = rom_words(p["WIDTH"], p["DEPTH"], p["SEED"])
    cocotb.start_soon(Clock(dut.clk, 10, "ns").start())
    rng = random.Random(p["SEED"] + 1)
    addrs = list(range(p["DEPTH"])) + [rng.randrange(p["DEPTH"]) for _ in range(300)]
    lag = 2 if p["BANK_DEPTH"] else 1   # edges after the one that samples addr
    seen = []
    for i, a in enumerate(addrs + [0] * lag):
        dut.addr.value = a
        await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        if i >= lag:   # after edge i: the word of the address sampled at edge i - lag
            seen.append(int(dut.q.value))
    exp = [words[a] for a in addrs]
    assert len(seen) == len(exp)
    assert seen == exp, next(
        f"read {k} (address {addrs[k]}): got {g:#x}, expected {e:#x}"
        for k, (g, e) in enumerate(zip(seen, exp)) if g != e)


@pytest.mark.verilator
@pytest.mark.parametrize("width,depth,bank,style", [
    (8, 16, 0, 0),     # flat
    (1, 1, 0, 0),      # one word
    (5, 37, 8, 0),     # 5 banks, the last partial
    (12, 100, 32, 1),  # block style, 4 banks
    (3, 7, 2, 2),      # LUT style, banks of 2
    (70, 64, 16, 0),   # wide words
])
def test_mvu_wrom(width, depth, bank, style):
    seed = width * 1000 + depth + bank
    words = rom_words(width, depth, seed)
    if bank:
        nb = -(-depth // bank)
        words += [0] * (nb * bank - depth)
        words = [sum(words[b * bank + a] << (b * width) for b in range(nb))
                 for a in range(bank)]
    f = BUILD_ROOT / "mvu_wrom_data" / f"{width}_{depth}_{bank}_{style}.hex"
    write_hex(f, words, width * (-(-depth // bank) if bank else 1))
    run("mvu_wrom", "test_mvu_wrom", Path(__file__).parent,
        {"WIDTH": width, "DEPTH": depth, "BANK_DEPTH": bank, "STYLE": style,
         "INIT_FILE": str(f)}, tb_params={"SEED": seed})
