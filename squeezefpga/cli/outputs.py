"""Output paths of the commands: checked before any work, written atomically,
removed again on failure (with the parent directories a command created).

``writable_file(path, flag)`` refuses, in one line naming the option, a path
whose directory is missing or cannot take a file, or that is a directory;
``write_file(path, data)`` writes under a temporary name and renames;
``new_dir(path, flag)`` is a context for a directory a command creates: it
must not exist, its missing parents are created, and on any failure
(Ctrl-C included) the directory and those parents are removed.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from squeezefpga.codegen.errors import CliError


def _probe_dir(d: Path, flag: str, path) -> None:
    """``d`` is an existing directory a file can be created in."""
    if not d.is_dir():
        why = "is not a directory" if d.exists() else "does not exist"
        raise CliError(f"{flag} {path}: directory {d} {why}")
    try:
        fd, name = tempfile.mkstemp(prefix=".squeezefpga-probe.", dir=d)
    except OSError as e:
        raise CliError(f"{flag} {path}: cannot write in {d} ({e.strerror})") from None
    os.close(fd)
    os.unlink(name)


def writable_file(path, flag: str) -> Path:
    """Check that ``path`` can be written as a file; returns it as a Path."""
    p = Path(path)
    if p.is_dir():
        raise CliError(f"{flag} {path}: is a directory (give a file name)")
    _probe_dir(p.parent if str(p.parent) else Path("."), flag, path)
    return p


def write_file(path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + rename)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _missing_parents(p: Path) -> list[Path]:
    missing = []
    for d in p.absolute().parents:
        if d.exists():
            break
        missing.append(d)
    return missing


@contextlib.contextmanager
def new_dir(path, flag: str = "--out") -> Iterator[Path]:
    """The directory ``path`` a command creates; see the module docstring."""
    p = Path(path)
    if p.exists():
        raise CliError(f"{flag} {path}: already exists (remove it or choose another {flag})")
    created = _missing_parents(p)
    top = created[-1].parent if created else p.absolute().parent
    if not top.is_dir():
        raise CliError(f"{flag} {path}: {top} is not a directory")
    try:
        for d in reversed(created):
            d.mkdir()
    except OSError as e:
        _rmdirs(created)
        raise CliError(f"{flag} {path}: cannot create {e.filename} ({e.strerror})") from None
    try:
        _probe_dir(p.absolute().parent, flag, path)
        yield p
    except BaseException:
        shutil.rmtree(p, ignore_errors=True)
        _rmdirs(created)
        raise


def _rmdirs(dirs: list[Path]) -> None:
    for d in dirs:   # deepest first
        with contextlib.suppress(OSError):
            d.rmdir()


def creatable(path, flag: str = "--out") -> Path:
    """Check, creating nothing, that the directory ``path`` could be created
    (its nearest existing ancestor is a directory a file can be made in)."""
    p = Path(path).absolute()
    anc = next(d for d in (p, *p.parents) if d.exists())
    if anc != p:
        _probe_dir(anc, flag, path)
    elif not p.is_dir():
        raise CliError(f"{flag} {path}: is not a directory")
    return Path(path)
