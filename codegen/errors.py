"""Errors that end a command with one clear line (no traceback)."""


class CliError(Exception):
    """A user-facing failure: bad input file, bad option, failed check."""


class ModelError(CliError):
    """A QONNX model outside what the firmware path supports; names the node."""

    def __init__(self, node, why: str):
        name = getattr(node, "name", node)
        op = getattr(node, "op_type", None)
        super().__init__(f"node '{name}' ({op}): {why}" if op else f"node '{name}': {why}")
