"""Folding: auto balance, file loading and the checks."""
import pytest

from squeezefpga.codegen.hwops.fold import FoldError, auto_fold, check_fold, conv_dims, load_fold, min_cycles
from squeezefpga.codegen.hwops.graph import build_ops
from squeezefpga.quant import presets


def test_auto_fold_meets_target_with_whole_divisors():
    cfg = presets.load("fmnist")
    t = min_cycles(cfg)
    assert t == 28 * 28 * 9  # conv1 (3x3 on 28x28) at full parallelism
    fold = auto_fold(cfg)
    for name, (cin, cout, _, _) in conv_dims(cfg).items():
        assert cout % fold[name]["pe"] == 0 and cin % fold[name]["simd"] == 0
    assert max(op.cycles() for op in build_ops(cfg, fold)) == t
    check_fold(cfg, fold)


def test_slower_target_needs_fewer_multipliers():
    cfg = presets.load("fmnist")
    fast, slow = auto_fold(cfg), auto_fold(cfg, 10 * min_cycles(cfg))
    mults = lambda f: sum(e.get("pe", 0) * e.get("simd", 0) for e in f.values())
    assert mults(slow) < mults(fast)
    assert max(op.cycles() for op in build_ops(cfg, slow)) <= 10 * min_cycles(cfg)


def test_fold_file_and_checks(tmp_path):
    cfg = presets.load("fmnist")
    p = tmp_path / "fold.toml"
    p.write_text('["fire2.expand1x1"]\npe = 4\nsimd = 2\n["fire2.expand3x3"]\npe = 8\n')
    with pytest.raises(FoldError, match="fire2: expand1x1 PE = 4 and expand3x3 PE = 8"):
        check_fold(cfg, load_fold(p))
    with pytest.raises(FoldError, match="no layer named 'fire9.squeeze'"):
        check_fold(cfg, {"fire9.squeeze": {"pe": 1}})
    with pytest.raises(FoldError, match="PE <= COUT = 64"):
        check_fold(cfg, {"conv1": {"pe": 128}})
    bad = tmp_path / "bad.json"
    bad.write_text('{"conv1": {"pe": 0}}')
    with pytest.raises(FoldError, match="conv1.pe = 0"):
        load_fold(bad)
