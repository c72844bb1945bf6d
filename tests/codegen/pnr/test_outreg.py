"""outreg: flip-flops after a DP16KD's read go into its output register
(REGMODE OUTREG, OCE = their enable) only when that is the same circuit."""
import copy
import json

from squeezefpga.codegen.pnr.outreg import (absorb_file, absorb_input_registers,
                                            absorb_output_registers)

CLK, CLK2, EN, EN2, RST = 2, 3, 4, 5, 6


def ram(name, width_b=18, clk_a=CLK, clk_b=CLK, outs=None):
    """A DP16KD whose DOxN pins drive the bits in ``outs`` ({pin: bit})."""
    conn = {"CLKA": [clk_a], "CLKB": [clk_b], "OCEA": ["1"], "OCEB": ["1"], "CEA": ["1"],
            "CEB": ["1"], "RSTA": ["0"], "RSTB": ["0"]}
    conn.update({p: [b] for p, b in (outs or {}).items()})
    dirs = {p: "output" if p.startswith("DO") else "input" for p in conn}
    return name, {"type": "DP16KD", "parameters": {
        "REGMODE_A": "NOREG", "REGMODE_B": "NOREG", "CLKAMUX": "CLKA", "CLKBMUX": "CLKB",
        "DATA_WIDTH_A": format(width_b, "032b"), "DATA_WIDTH_B": format(width_b, "032b")},
        "port_directions": dirs, "connections": conn}


def ff(name, d, q, clk=CLK, ce=None, lsr="0", regset="RESET"):
    conn = {"CLK": [clk], "DI": [d], "Q": [q], "LSR": [lsr]}
    par = {"CLKMUX": "CLK", "CEMUX": "1 " if ce is None else "CE", "LSRMUX": "LSR",
           "REGSET": regset, "GSR": "DISABLED"}
    if ce is not None:
        conn["CE"] = [ce]
    return name, {"type": "TRELLIS_FF", "parameters": par, "connections": conn,
                  "port_directions": {"CLK": "input", "DI": "input", "Q": "output",
                                      "LSR": "input", "CE": "input"}}


def lut(name, a, z):
    return name, {"type": "LUT4", "parameters": {}, "connections": {"A": [a], "Z": [z]},
                  "port_directions": {"A": "input", "Z": "output"}}


def netlist(*cells):
    return {"modules": {"top": {"cells": dict(cells), "netnames": {}}}}


def test_registers_on_port_b_with_an_enable_are_absorbed():
    n = netlist(ram("r", outs={"DOB0": 10, "DOB1": 11, "DOB5": 12}),
                ff("f0", 10, 20, ce=EN), ff("f1", 11, 21, ce=EN), ff("f5", 12, 22, ce=EN),
                lut("use", 20, 30))
    assert absorb_output_registers(n, "top") == 3
    cells = n["modules"]["top"]["cells"]
    assert set(cells) == {"r", "use"}
    r = cells["r"]
    assert (r["parameters"]["REGMODE_A"], r["parameters"]["REGMODE_B"]) == ("NOREG", "OUTREG")
    assert r["connections"]["OCEB"] == [EN] and r["connections"]["OCEA"] == ["1"]
    assert [r["connections"][p] for p in ("DOB0", "DOB1", "DOB5")] == [[20], [21], [22]]
    assert cells["use"]["connections"]["A"] == [20]   # still reads the register's net


def test_always_enabled_registers_leave_oce_high():
    n = netlist(ram("r", outs={"DOA0": 10}), ff("f", 10, 20))
    assert absorb_output_registers(n, "top") == 1
    r = n["modules"]["top"]["cells"]["r"]
    assert r["parameters"]["REGMODE_A"] == "OUTREG" and r["connections"]["OCEA"] == ["1"]


def test_36_bit_read_port_takes_both_output_halves():
    """DATA_WIDTH_B 36: DOA and DOB are the read port B's (nextpnr's PDPW16KD
    conversion), one register mode for both, OCEB."""
    n = netlist(ram("r", width_b=36, clk_a="0", outs={"DOA3": 10, "DOB0": 11}),
                ff("fa", 10, 20, ce=EN), ff("fb", 11, 21, ce=EN))
    assert absorb_output_registers(n, "top") == 2
    r = n["modules"]["top"]["cells"]["r"]
    assert (r["parameters"]["REGMODE_A"], r["parameters"]["REGMODE_B"]) == ("OUTREG", "OUTREG")
    assert r["connections"]["OCEB"] == [EN] and r["connections"]["OCEA"] == ["1"]


def test_ports_that_are_not_the_same_circuit_are_left_alone():
    cases = {
        "an output also read by logic": [ff("f0", 10, 20), lut("l", 10, 30), ff("f1", 11, 21)],
        "two registers on one output": [ff("f0", 10, 20), ff("g0", 10, 23), ff("f1", 11, 21)],
        "a register on another clock": [ff("f0", 10, 20), ff("f1", 11, 21, clk=CLK2)],
        "two enables": [ff("f0", 10, 20, ce=EN), ff("f1", 11, 21, ce=EN2)],
        "a reset": [ff("f0", 10, 20), ff("f1", 11, 21, lsr=RST)],
        "a set register": [ff("f0", 10, 20), ff("f1", 11, 21, regset="SET")],
        "an output into logic only": [lut("l0", 10, 30), ff("f1", 11, 21)],
    }
    for why, loads in cases.items():
        n = netlist(ram("r", outs={"DOA0": 10, "DOA1": 11}), *loads)
        before = copy.deepcopy(n)
        assert absorb_output_registers(n, "top") == 0, why
        assert n == before, why


def test_inverted_clock_or_register_already_used():
    n = netlist(ram("r", outs={"DOA0": 10}), ff("f", 10, 20))
    n["modules"]["top"]["cells"]["r"]["parameters"]["CLKAMUX"] = "INV"
    assert absorb_output_registers(n, "top") == 0
    n = netlist(ram("r", outs={"DOA0": 10}), ff("f", 10, 20))
    n["modules"]["top"]["cells"]["r"]["parameters"]["REGMODE_A"] = "OUTREG"
    assert absorb_output_registers(n, "top") == 0


def test_file_rewritten_only_when_changed(tmp_path):
    f = tmp_path / "d.json"
    f.write_text(json.dumps(netlist(ram("r", outs={"DOA0": 10}), lut("l", 10, 30))))
    stamp = f.stat().st_mtime_ns
    assert absorb_file(f, "top") == (0, 0) and f.stat().st_mtime_ns == stamp
    f.write_text(json.dumps(netlist(ram("r", outs={"DOA0": 10}), ff("f", 10, 20))))
    assert absorb_file(f, "top") == (1, 0)
    assert "f" not in json.loads(f.read_text())["modules"]["top"]["cells"]
    assert not list(tmp_path.glob("*.tmp"))


def mult(name, outs, **par):
    """A MULT18X18D as yosys maps ``*`` (no register) whose P pins drive ``outs``."""
    conn = {"A0": [40], "B0": [41], "SIGNEDA": ["1"], "SIGNEDB": ["1"]}
    conn.update({p: [b] for p, b in outs.items()})
    dirs = {p: "output" if p.startswith("P") else "input" for p in conn}
    return name, {"type": "MULT18X18D", "parameters": dict(par), "port_directions": dirs,
                  "connections": conn}


def test_product_registers_go_into_the_multiplier_output_register():
    n = netlist(mult("m", {"P0": 10, "P1": 11, "P7": 12}),
                ff("f0", 10, 20, ce=EN), ff("f1", 11, 21, ce=EN), ff("f7", 12, 22, ce=EN))
    assert absorb_output_registers(n, "top") == 3
    cells = n["modules"]["top"]["cells"]
    m = cells["m"]
    assert set(cells) == {"m"}
    assert (m["parameters"]["REG_OUTPUT_CLK"], m["parameters"]["REG_OUTPUT_CE"],
            m["parameters"]["REG_OUTPUT_RST"]) == ("CLK0", "CE0", "RST0")
    assert (m["connections"]["CLK0"], m["connections"]["CE0"], m["connections"]["RST0"]) == \
        ([CLK], [EN], ["0"])
    assert [m["connections"][p] for p in ("P0", "P1", "P7")] == [[20], [21], [22]]


def test_multipliers_that_are_not_the_same_circuit_are_left_alone():
    cases = {
        "a product into an adder": [ff("f0", 10, 20), lut("add", 11, 30)],
        "two clocks": [ff("f0", 10, 20), ff("f1", 11, 21, clk=CLK2)],
        "a reset": [ff("f0", 10, 20), ff("f1", 11, 21, lsr=RST)],
    }
    for why, loads in cases.items():
        n = netlist(mult("m", {"P0": 10, "P1": 11}), *loads)
        before = copy.deepcopy(n)
        assert absorb_output_registers(n, "top") == 0, why
        assert n == before, why
    n = netlist(mult("m", {"P0": 10}, REG_INPUTA_CLK="CLK0"), ff("f0", 10, 20))
    assert absorb_output_registers(n, "top") == 0   # a register already in use


def operand_mult(name="m", a=None, b=None, outs=None):
    """A MULT18X18D (no register) with A / B pins on the bits in ``a`` / ``b``."""
    conn = {"SIGNEDA": ["1"], "SIGNEDB": ["1"], "CE0": ["1"], "RST0": ["0"]}
    conn.update({p: [x] for p, x in {**(a or {}), **(b or {}), **(outs or {})}.items()})
    dirs = {p: "output" if p.startswith("P") else "input" for p in conn}
    return name, {"type": "MULT18X18D", "parameters": {}, "port_directions": dirs,
                  "connections": conn}


def test_operand_registers_go_into_the_input_registers():
    """x on A0..A1 (A1's register also drives the sign-extension pins A2..A17),
    w on B0, product on P0; the operands load on another enable than the product."""
    a = {"A0": 50, "A1": 51, **{f"A{i}": 51 for i in range(2, 18)}}
    n = netlist(operand_mult(a=a, b={"B0": 52}, outs={"P0": 10}),
                ff("xa0", 60, 50, ce=EN2), ff("xa1", 61, 51, ce=EN2), ff("wb0", 62, 52, ce=EN2),
                ff("p0", 10, 20, ce=EN), lut("src", 1, 60))
    assert absorb_output_registers(n, "top") == 1
    assert absorb_input_registers(n, "top") == 3
    cells = n["modules"]["top"]["cells"]
    assert set(cells) == {"m", "src"}
    m = cells["m"]
    par, conn = m["parameters"], m["connections"]
    assert par["REG_OUTPUT_CLK"] == "CLK0" and conn["CE0"] == [EN]
    for port in "AB":
        assert (par[f"REG_INPUT{port}_CLK"], par[f"REG_INPUT{port}_CE"],
                par[f"REG_INPUT{port}_RST"]) == ("CLK0", "CE1", "RST0")
    assert conn["CE1"] == [EN2] and conn["CLK0"] == [CLK] and conn["RST0"] == ["0"]
    assert conn["A0"] == [60] and conn["B0"] == [62]
    assert all(conn[f"A{i}"] == [61] for i in range(1, 18))
    assert conn["P0"] == [20]


def test_operand_registers_on_the_product_enable_share_ce0():
    n = netlist(operand_mult(a={"A0": 50}, b={"B0": 52}, outs={"P0": 10}),
                ff("xa0", 60, 50, ce=EN), ff("wb0", 62, 52, ce=EN), ff("p0", 10, 20, ce=EN))
    assert absorb_output_registers(n, "top") == 1
    assert absorb_input_registers(n, "top") == 2
    par = n["modules"]["top"]["cells"]["m"]["parameters"]
    assert par["REG_INPUTA_CE"] == par["REG_INPUTB_CE"] == "CE0"


def test_operands_that_are_not_the_same_circuit_stay_in_the_fabric():
    """Each case leaves both operand registers (nextpnr times a multiplier with
    one registered input as if neither were); the product register still moves."""
    cases = {
        "an operand register also read by logic": [ff("xa0", 60, 50), ff("wb0", 62, 52),
                                                   lut("l", 50, 30)],
        "an operand from logic": [lut("xa0", 60, 50), ff("wb0", 62, 52)],
        "an operand register with a reset": [ff("xa0", 60, 50, lsr=RST), ff("wb0", 62, 52)],
        "an operand register on another clock": [ff("xa0", 60, 50, clk=CLK2),
                                                 ff("wb0", 62, 52)],
        "one operand register on two enables": [ff("xa0", 60, 50, ce=EN),
                                                ff("xa1", 61, 51, ce=EN2), ff("wb0", 62, 52)],
    }
    for why, loads in cases.items():
        n = netlist(operand_mult(a={"A0": 50, "A1": 51}, b={"B0": 52}, outs={"P0": 10}),
                    ff("p0", 10, 20), *loads)
        assert absorb_output_registers(n, "top") == 1, why
        assert absorb_input_registers(n, "top") == 0, why
        m = n["modules"]["top"]["cells"]["m"]
        assert "REG_INPUTA_CLK" not in m["parameters"], why
        assert "REG_INPUTB_CLK" not in m["parameters"], why
        assert m["connections"]["B0"] == [52], why
        assert "wb0" in n["modules"]["top"]["cells"], why
