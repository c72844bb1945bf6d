"""The ``squeezefpga`` command line.

Each subcommand lives in its own module under ``squeezefpga/cli/commands/`` and
exposes ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when their subcommand runs, so ``squeezefpga
params`` starts without torch.  Expected failures raise ``CliError`` (or
``ConfigError``) and end as one line on stderr with exit status 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from squeezefpga.quant.arch import ConfigError

from squeezefpga.codegen.errors import CliError

# subcommand -> module under squeezefpga.cli.commands
COMMANDS: dict[str, str] = {
    "golden": "golden",
    "cosim": "cosim",
    "params": "params",
    "train": "train",
    "export": "export",
    "run": "run",
    "budget": "budget",
    "build": "build",
    "bitstream": "bitstream",
    "cache": "cache",
}


def _parser(argv: list[str]) -> argparse.ArgumentParser:
    """The full parser; when ``argv`` names a command, only that command's module
    is imported (the others get placeholder sub-parsers)."""
    p = argparse.ArgumentParser(prog="squeezefpga", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, mod in COMMANDS.items():
        if chosen in COMMANDS and name != chosen:
            sub.add_parser(name)
            continue
        m = importlib.import_module(f"squeezefpga.cli.commands.{mod}")
        sp = sub.add_parser(name, help=m.HELP, description=m.HELP)
        m.add_arguments(sp)
        sp.set_defaults(_run=m.run)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(argv).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except (CliError, ConfigError) as e:
        print(f"squeezefpga {args.command}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:   # an output or input the system refuses: one line, never a traceback
        where = f"{e.filename}: " if e.filename else ""
        print(f"squeezefpga {args.command}: error: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"squeezefpga {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
