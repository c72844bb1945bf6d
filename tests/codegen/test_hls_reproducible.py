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
