"""QONNX clean-up passes that turn an exported model into what hls4ml converts.

One pass per module, each ``apply(model) -> (model, changed)`` on a qonnx
``ModelWrapper``.  ``prepare`` runs them in order:

1. ``cleanup``        qonnx cleanup (constant folding, names, shapes)
2. ``validate``       refuse anything outside the supported op set (one line)
3. ``fuse_gap_quant`` GlobalAveragePool + its Quant -> one exact op
4. ``channels_last``  NCHW -> NHWC everywhere, no Transpose left
5. ``remove_flatten`` drop the final Flatten (hls4ml's output is flat already)
6. ``align_scales``   explicit exact re-scaling where Concat/Add inputs differ
"""
from __future__ import annotations

from . import align_scales, channels_last, cleanup, fuse_gap_quant, remove_flatten, validate

PASSES = (cleanup, validate, fuse_gap_quant, channels_last, remove_flatten, align_scales)


def prepare(model, passes=PASSES):
    """Run every pass once, in order; returns the transformed ModelWrapper."""
    from qonnx.core.modelwrapper import ModelWrapper

    if not isinstance(model, ModelWrapper):
        model = ModelWrapper(str(model))
    for p in passes:
        model, _ = p.apply(model)
    return model
