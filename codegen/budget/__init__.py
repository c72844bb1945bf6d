"""Resource budget of a folded SqueezeNet pipeline before synthesis: memories,
multipliers, cycles per frame, device fit, sweeps and their plots."""
from .estimate import Budget, LayerBudget, estimate

__all__ = ["Budget", "LayerBudget", "estimate"]
