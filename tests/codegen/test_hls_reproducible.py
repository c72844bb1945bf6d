"""Two HLS builds of one model are byte-identical (no random stamp, no path of
the temporary directory the project was written in)."""
from __future__ import annotations

from pathlib import Path

from squeezefpga.codegen.hls.project import build

MODEL = Path(__file__).resolve().parents[2] / "models" / "fmnist" / "fmnist.onnx"


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build(MODEL, a)
    build(MODEL, b)
    fa, fb = _files(a), _files(b)
    assert fa.keys() == fb.keys()
    assert [k for k in fa if fa[k] != fb[k]] == []
    yml = fa["hls4ml_config.yml"].decode()
    assert "OutputDir: .\n" in yml and str(tmp_path) not in yml
    assert not any(str(tmp_path).encode() in v for v in fa.values())


def test_stamp_line_independent_of_the_random_stamp(tmp_path):
    """hls4ml's random stamp may read as a number to YAML ('12345678', '1234e567'),
    which it then quotes: the rewritten line must not depend on that."""
    from squeezefpga.codegen.hls.project import _reproducible

    out = []
    for i, rnd in enumerate(("12345678", "1234e567", "abcdef12")):
        prj = tmp_path / f"p{i}"
        prj.mkdir()
        quoted = f"'{rnd}'" if rnd[0].isdigit() else rnd
        (prj / "hls4ml_config.yml").write_text(f"OutputDir: {prj}\nStamp: {quoted}\nVersion: 1.0.0\n")
        (prj / "build_lib.sh").write_text(f"cd {prj}/firmware; stamp={rnd}\n")
        _reproducible(prj, rnd, "0123abcd")
        out.append(((prj / "hls4ml_config.yml").read_text(), (prj / "build_lib.sh").read_text()))
    assert out[0] == out[1] == out[2]
    assert "Stamp: 0123abcd" in out[0][0] and "OutputDir: .\n" in out[0][0]
