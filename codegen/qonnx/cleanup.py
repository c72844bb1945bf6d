"""qonnx's own clean-up: fold constants, give every node a unique name, infer shapes."""
from __future__ import annotations


def apply(model):
    from qonnx.transformation.infer_shapes import InferShapes
    from qonnx.util.cleanup import cleanup_model

    before = model.model.SerializeToString()
    model = cleanup_model(model).transform(InferShapes())
    return model, model.model.SerializeToString() != before
