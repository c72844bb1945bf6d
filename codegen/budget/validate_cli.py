"""``squeezefpga budget --validate``: argument handling, progress and output."""
from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from pathlib import Path

from ..errors import CliError
from .synth import yosys_version
from .validate import load_set, synth_luts, validate
from .validate_report import as_json, markdown


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def command_line(args) -> str:
    """The command as a user would type it (for the table's header)."""
    parts = ["squeezefpga", "budget", "--validate", *args.validate]
    for flag, val in (("--validate-set", args.validate_set), ("--out", args.out),
                      ("--jobs", args.jobs if args.jobs != 2 else None)):
        if val is not None:
            parts += [flag, str(val)]
    if args.full_synth:
        parts.append("--full-synth")
    return " ".join(shlex.quote(p) for p in parts)


def run_validate(args) -> int:
    if args.config:
        raise CliError(f"--validate takes validation config names, not '{args.config}' "
                       f"(put names after --validate)")
    if args.jobs < 1:
        raise CliError(f"--jobs = {args.jobs} must be >= 1")
    cases = load_set(args.validate_set, args.validate)
    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise CliError(f"--out {out}: is a directory")

    def progress(o):
        marks = ", ".join(f"{f} BRAM {o.est[f]['bram']}/{o.syn[f].bram18_equiv} "
                          f"DSP {o.est[f]['dsp']}/{o.syn[f].dsp} "
                          f"LUT {o.est[f]['luts']}/{synth_luts(o.syn[f]) or '-'}" for f in o.syn)
        print(f"validate {o.case.name}: {marks} ({o.seconds:.0f} s)", file=sys.stderr)

    outs = validate(cases, args.jobs, args.full_synth, Path(args.keep) if args.keep else None,
                    progress)
    flow = (f"{yosys_version()}: `synth_xilinx -family xc7` and `synth_ecp5`"
            + (", complete" if args.full_synth else
               ", each with `-run :map_ffram`, i.e. through DSP and memory mapping (LUTs "
               "are compared with --full-synth)"))
    table = markdown(outs, command_line(args), flow)
    if out is not None:
        _write_atomic(out, table)
    print(json.dumps(as_json(outs), indent=2) if args.json else table, end="" if not args.json
          else "\n")
    return 0 if all(o.passed for o in outs) else 1
