"""The simulator build cache: ``$SQUEEZEFPGA_CACHE/sim_build`` (else
``~/.cache/squeezefpga/sim_build``).

Each entry is a directory named by a hash of what determines the build (the
content of the sources, parameters, flags and tool versions; never a file name
or the caller's path).  An entry is built in a private directory under an
exclusive ``fcntl.flock`` on ``locks/NAME.lock`` and published by an atomic
rename with its size in ``ENTRY_MARK``, so concurrent processes never see a
half-built entry nor build one twice.  A process using an entry holds a shared
lock on it; eviction (least recently used first, until the cache holds at most
``$SQUEEZEFPGA_CACHE_MAX``, default 4G) skips entries in use.  Names starting
with ``_`` (shared runtime objects) are never evicted.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable, Iterator

from squeezefpga import cache_root

ENTRY_MARK = ".complete"
DEFAULT_MAX = "4G"
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def root() -> Path:
    return cache_root() / "sim_build"


def parse_size(text: str) -> int:
    """'4G', '500M', '123' (bytes) -> bytes; ValueError on anything else."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.I)
    if not m:
        raise ValueError(f"cache size {text!r}: a number of bytes with an optional K, M, G or T")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def max_bytes() -> int:
    return parse_size(os.environ.get("SQUEEZEFPGA_CACHE_MAX") or DEFAULT_MAX)


def _dir_bytes(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_size
    return total


@contextlib.contextmanager
def _locked(name: str, mode: int) -> Iterator[int]:
    locks = root() / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    fd = os.open(locks / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, mode)
        yield fd
    finally:
        os.close(fd)   # releases the lock


def _complete(entry: Path) -> bool:
    return (entry / ENTRY_MARK).is_file()


def _publish(name: str, build: Callable[[Path], None]) -> None:
    """Build into a private directory and rename it into place (caller holds LOCK_EX)."""
    tmp = root() / ".tmp" / f"{name}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        build(tmp)
        (tmp / ENTRY_MARK).write_text(json.dumps({"bytes": _dir_bytes(tmp), "built": time.time()}))
        shutil.rmtree(root() / name, ignore_errors=True)   # a broken leftover without marker
        os.rename(tmp, root() / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def use(name: str, build: Callable[[Path], None]) -> Iterator[Path]:
    """The published entry ``name`` (built by ``build(dir)`` when missing), held
    under a shared lock for the duration of the ``with`` block."""
    entry = root() / name
    while True:
        with _locked(name, fcntl.LOCK_SH):
            if _complete(entry):
                os.utime(entry / ENTRY_MARK)   # least-recently-used order
                evict(keep={name})
                yield entry
                return
        with _locked(name, fcntl.LOCK_EX):
            if not _complete(entry):
                _publish(name, build)


def entries() -> list[dict]:
    """Published entries, least recently used first: name, bytes, last use."""
    out = []
    base = root()
    if not base.is_dir():
        return out
    for d in base.iterdir():
        mark = d / ENTRY_MARK
        if d.name.startswith(".") or d.name in ("locks", "logs") or not mark.is_file():
            continue
        try:
            size = int(json.loads(mark.read_text())["bytes"])
            used = mark.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError):
            size, used = _dir_bytes(d), 0.0
        out.append({"name": d.name, "bytes": size, "last_used": used, "path": str(d)})
    return sorted(out, key=lambda e: e["last_used"])


def _remove(name: str) -> bool:
    """Delete entry ``name`` unless some process is using it; True if removed."""
    try:
        with _locked(name, fcntl.LOCK_EX | fcntl.LOCK_NB):
            entry = root() / name
            if entry.exists():
                trash = root() / ".tmp" / f"{name}.evict{os.getpid()}"
                trash.parent.mkdir(parents=True, exist_ok=True)
                os.rename(entry, trash)
                shutil.rmtree(trash, ignore_errors=True)
            with contextlib.suppress(OSError):
                (root() / "logs" / f"{name}.log").unlink()
            return True
    except BlockingIOError:
        return False


def _stale_tmp() -> None:
    """Private build directories of processes that no longer run."""
    tmp = root() / ".tmp"
    if not tmp.is_dir():
        return
    for d in tmp.iterdir():
        pid = d.name.rsplit(".", 1)[-1].removeprefix("evict")
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def evict(limit: int | None = None, keep: set[str] = frozenset()) -> list[str]:
    """Remove least recently used entries until the cache is at most ``limit``
    bytes (default ``max_bytes()``); entries in use or in ``keep`` and pinned
    ``_`` entries stay.  Returns the names removed."""
    limit = max_bytes() if limit is None else limit
    _stale_tmp()
    ents = entries()
    total = sum(e["bytes"] for e in ents)
    removed = []
    for e in ents:
        if total <= limit:
            break
        if e["name"] in keep or e["name"].startswith("_"):
            continue
        if _remove(e["name"]):
            total -= e["bytes"]
            removed.append(e["name"])
    return removed


def clean() -> list[str]:
    """Remove every entry not in use (pinned ones too) and stale build directories."""
    _stale_tmp()
    removed = [e["name"] for e in entries() if _remove(e["name"])]
    return removed
