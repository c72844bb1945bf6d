"""squeezefpga cache info|clean [--json]

The simulator build cache ($SQUEEZEFPGA_CACHE/sim_build, else
~/.cache/squeezefpga/sim_build): one entry per distinct design, built under a
lock, least recently used entries evicted above $SQUEEZEFPGA_CACHE_MAX
(default 4G).  ``clean`` removes every entry that no running simulation uses.
"""
from __future__ import annotations

import argparse
import json

from squeezefpga.codegen.errors import CliError

HELP = "show or empty the simulator build cache"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("info", "clean"), help="info: entries and sizes; clean: remove them")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from squeezefpga.sim.rtl import cache

    try:
        limit = cache.max_bytes()
    except ValueError as e:
        raise CliError(f"SQUEEZEFPGA_CACHE_MAX: {e}") from None
    if args.action == "clean":
        removed = cache.clean()
        left = cache.entries()
        report = {"root": str(cache.root()), "removed": len(removed), "in_use": len(left)}
        print(json.dumps(report) if args.json else
              f"{cache.root()}: removed {len(removed)} entries"
              + (f", {len(left)} in use kept" if left else ""))
        return 0
    ents = cache.entries()
    total = sum(e["bytes"] for e in ents)
    if args.json:
        print(json.dumps({"root": str(cache.root()), "bytes": total, "max_bytes": limit,
                          "entries": ents}, indent=2))
        return 0
    print(f"{cache.root()}: {len(ents)} entries, {total / 2**20:.1f} MiB "
          f"(limit {limit / 2**20:.0f} MiB, $SQUEEZEFPGA_CACHE_MAX)")
    for e in reversed(ents):
        print(f"  {e['name']:40s} {e['bytes'] / 2**20:8.1f} MiB")
    return 0
