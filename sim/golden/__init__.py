"""The NumPy golden model: exact integer execution of QONNX graphs.

``load(path) -> Plan``; ``plan(x)`` float NCHW in, exact float64 out;
``plan.run(x, keep=True)`` every tensor by ONNX name; ``plan.run_int`` for
integer I/O; ``first_divergence`` names where two runs differ.  See
README.md for the exact semantics of every op.
"""
from .compare import Divergence, first_divergence
from .compile import load
from .graph import UnsupportedModel
from .plan import LayerBound, Plan, QTensor, TensorInfo

__all__ = ["load", "Plan", "QTensor", "TensorInfo", "LayerBound", "UnsupportedModel",
           "Divergence", "first_divergence"]
