"""ULX3S board bitstreams (issue #13): refusals; the host driver's retry loop
against a board modelled in Python; the board top over its UART pins under
Verilator against golden (board files made by the functions ``bitstream
--board`` uses, no place and route), a planted fault caught; slow: the
whole ``bitstream --board ulx3s`` flow on a small network, then the same
co-simulation on its directory."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.boards import board, ulx3s, uart_host

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "fmnist" / "fmnist.onnx"
MICRO = ROOT / "tests" / "codegen" / "pnr" / "micro.toml"


def refused(capsys, argv, match: str, code: int = 2) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1, err


def test_board_options_refused(tmp_path, capsys):
    out = str(tmp_path / "o")
    refused(capsys, ["bitstream", str(MODEL), "--board", "icebreaker", "--out", out],
            "--board icebreaker: unknown board (known: ulx3s)")
    refused(capsys, ["bitstream", str(MODEL), "--device", "lfe5u-85f", "--baud", "115200",
                     "--out", out], "--baud goes with --board")
    refused(capsys, ["bitstream", str(MODEL), "--board", "ulx3s", "--device", "lfe5u-25f",
                     "--out", out], "--device lfe5u-25f: --board ulx3s has lfe5u-85f")
    refused(capsys, ["bitstream", str(MODEL), "--board", "ulx3s", "--baud", "20000000",
                     "--out", out], "--baud 20000000: needs a design clock of at least 160 MHz")
    refused(capsys, ["bitstream", str(MODEL), "--board", "ulx3s", "--baud", "0", "--out", out],
            "--baud 0: must be positive")
    assert not (tmp_path / "o").exists()
    refused(capsys, ["cosim", str(MODEL), "--frames", "1", "--data", "random", "--check", "uart"],
            "has no board top (rtl/board/board.json)")


def test_cobs_round_trip():
    rng = np.random.default_rng(1)
    cases = [b"", b"\0", b"\0\0", bytes(range(1, 255)), bytes(range(1, 256)),
             bytes(508 * [7]), bytes(253 * [9]) + b"\0"]
    cases += [bytes(rng.choice([0, 1, 200], n)) for n in (1, 5, 300, 1000)]
    for data in cases:
        enc = uart_host.cobs_encode(data)
        assert 0 not in enc and uart_host.cobs_decode(enc) == data
        if len(data) >= 2:   # SEQ + payload + CRC, two delimiters: within the worst case
            assert len(enc) + 2 <= uart_host.request_wire_bytes(len(data) - 2)


class FakeBoard:
    """The board as the driver sees it: request frames in, responses out (the
    output codes are the first input codes), with planted faults: the Nth
    byte written is lost, the Mth response is never sent."""

    def __init__(self, cfg, lose_byte: int, lose_response: int):
        self.cfg, self.lose_byte, self.lose_response = cfg, lose_byte, lose_response
        self.written, self.responses, self.out = 0, 0, bytearray()
        self.frame = bytearray()

    def write(self, data: bytes) -> None:
        for b in data:
            self.written += 1
            if self.written == self.lose_byte:
                continue
            if b:
                self.frame.append(b)
            elif self.frame:
                self.answer(uart_host.cobs_decode(bytes(self.frame)))
                self.frame.clear()

    def answer(self, dec: bytes) -> None:
        n_in = uart_host.payload_bytes(self.cfg["input"])
        n_out = uart_host.payload_bytes(self.cfg["output"])
        status = 2 if len(dec) != n_in + 2 else 1 if uart_host.crc8(dec) else 0
        self.responses += 1
        if self.responses == self.lose_response:
            return
        body = bytes([dec[0], status]) + dec[1:1 + n_out].ljust(n_out, b"\0")
        self.out += b"\xa5\x5a" + body + bytes([uart_host.crc8(body)])

    def read(self, n: int) -> bytes:
        got = bytes(self.out[:n])
        del self.out[:n]
        return got


def test_host_driver_recovers(capsys):
    cfg = {"baud": 1, "golden_shape": [4],
           "input": {"shape_hwc": [2, 3, 1], "shape_chw": [1, 2, 3], "lanes": 1, "bits": 8,
                     "signed": False, "exp": 0},
           "output": {"shape_hwc": [1, 1, 4], "lanes": 1, "bits": 8, "signed": True, "exp": -2}}
    x = np.random.default_rng(0).integers(1, 256, (5, 1, 2, 3)).astype(np.float32)
    # lost: a data byte of frame 1 (not its code byte: the SEQ stays readable)
    first = len(uart_host.encode_request(0, uart_host.input_payload(x[0], cfg)))
    link = FakeBoard(cfg, lose_byte=first + 5, lose_response=4)
    msgs = []
    y = uart_host.infer(link, x, cfg, timeout=0.2, log=msgs.append)
    codes = x.reshape(5, -1)[:, :4].astype(np.int64)
    want = np.ldexp(np.where(codes > 127, codes - 256, codes), -2).astype(np.float32)
    assert np.array_equal(y, want)
    assert any("wrong length" in m for m in msgs) and any("no response" in m for m in msgs), msgs


def board_dir(tmp_path: Path, clock_mhz: float = 50.0) -> Path:
    """A micro network's build with the board files ``bitstream --board`` writes."""
    model = tmp_path / "micro.onnx"
    subprocess.run([sys.executable, "-m", "squeezefpga", "export", str(MICRO), "--random-weights",
                    "--seed", "0", "--out", str(model)], check=True, capture_output=True, cwd=ROOT)
    d = tmp_path / "b"
    assert main(["build", str(model), "--backend", "rtl", "--device", "lfe5u-85f",
                 "--out", str(d)]) == 0
    man = json.loads((d / "rtl" / "manifest.json").read_text())
    plan = board.write_board(d, ulx3s, man, clock_mhz, board.DEFAULT_BAUD, "micro.onnx")
    board.write_host(d, man, board.DEFAULT_BAUD, [3])
    assert plan["clock_mhz"] <= clock_mhz and plan["clks_per_bit"] == round(plan["clock_mhz"] / 3)
    return d


def uart_cosim(capsys, d: Path, frames: int = 2) -> tuple[int, dict]:
    capsys.readouterr()
    rc = main(["cosim", str(d), "--frames", str(frames), "--data", "random", "--check", "uart",
               "--json"])
    return rc, json.loads(capsys.readouterr().out)


def check_report(rep: dict, frames: int) -> None:
    u = rep["checks"]["uart"]
    assert rep["ok"] and u["mismatches"] == 0 and u["frames"] == frames
    assert u["dropped_byte_status"] == 2   # the short frame was padded and reported
    assert u["measured_frames_per_s"] == pytest.approx(u["uart_frames_per_s"], rel=0.05)


@pytest.mark.verilator
def test_board_top_over_uart(tmp_path, capsys):
    d = board_dir(tmp_path)
    rc, rep = uart_cosim(capsys, d, 3)
    assert rc == 0, rep
    check_report(rep, 3)
    # the driver's file is the template with CONFIG filled in
    spec = importlib.util.spec_from_file_location("drv", d / "host" / "squeezefpga_uart.py")
    drv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drv)
    assert drv.CONFIG["baud"] == 3_000_000 and drv.encode_request(1, b"\0") == \
        uart_host.encode_request(1, b"\0")
    # a planted fault: the network's output bit 0 flipped on its way to the UART
    top = d / "rtl" / "board" / "ulx3s_top.v"
    text = top.read_text()
    assert ".s_axis_tdata(no_d)" in text
    top.write_text(text.replace(".s_axis_tdata(no_d)", ".s_axis_tdata(no_d ^ 8'd1)"))
    rc, rep = uart_cosim(capsys, d)
    assert rc == 1 and rep["checks"]["uart"]["mismatches"] == 2


@pytest.mark.slow
@pytest.mark.verilator
def test_whole_board_flow_on_a_small_network(tmp_path, capsys):
    """bitstream --board ulx3s: a real ECP5 bitstream with timing met at the
    reported clock, then the board top co-simulated over UART exactly."""
    model = tmp_path / "micro.onnx"
    subprocess.run([sys.executable, "-m", "squeezefpga", "export", str(MICRO), "--random-weights",
                    "--seed", "0", "--out", str(model)], check=True, capture_output=True, cwd=ROOT)
    out = tmp_path / "bits"
    assert main(["bitstream", str(model), "--board", "ulx3s", "--out", str(out), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep == json.loads((out / "report.json").read_text())
    assert rep["board"] == "ulx3s" and rep["baud"] == 3_000_000 and rep["device"] == "lfe5u-85f"
    assert rep["timing_met"] and rep["fmax_mhz"] >= rep["clock_mhz"]
    passes = rep["clock_passes"]
    assert passes[-1]["clock_mhz"] == rep["clock_mhz"] and len(passes) <= board.MAX_PASSES
    assert all(p["fmax_mhz"] < p["clock_mhz"] for p in passes[:-1])
    u = rep["uart"]
    assert rep["uart_frames_per_s"] == pytest.approx(3e6 / (10 * u["request_wire_bytes"]), rel=1e-3)
    assert rep["utilization"]["io"]["used"] == 12   # clock, 2 UART, button, 8 LEDs
    bit = (out / "design.bit").read_bytes()
    assert len(bit) > 100_000 and b"LFE5U-85F" in bit
    lpf = (out / "ulx3s.lpf").read_text()
    for pin in ('"clk_25mhz" SITE "G2"', '"ftdi_txd" SITE "M1"', '"ftdi_rxd" SITE "L4"'):
        assert pin in lpf
    assert "Derived frequency constraint" in (out / "nextpnr.log").read_text()
    assert "openFPGALoader --board ulx3s" in (out / "README.md").read_text()
    rc, cos = uart_cosim(capsys, out)
    assert rc == 0, cos
    check_report(cos, 2)
    shutil.rmtree(out / "rtl" / "mem", ignore_errors=True)
