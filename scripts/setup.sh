#!/usr/bin/env bash
# Set up squeezefpga on a fresh Debian machine with Python 3.11:
#   a virtual environment in .venv with the CPU build of torch installed first,
#   the package and its pinned dependencies, and Fashion-MNIST from Debian's
#   dataset-fashion-mnist package where apt is available.
# Environment: PYTHON (default python3.11 or python3), TORCH_INDEX_URL (a pip index
# holding the CPU torch wheel, for machines without a local wheel directory),
# SKIP_APT=1 to leave the system alone (then pass --data DIR to train).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "setup: $PY is not Python 3.11" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip

# torch first, CPU build: an unpinned torch would pull a multi-GB CUDA build.
torch_args=()
[ -n "${TORCH_INDEX_URL:-}" ] && torch_args+=(--index-url "$TORCH_INDEX_URL")
"${pip[@]}" install "${torch_args[@]}" torch==2.13.0
"${pip[@]}" install -e ".[test]"

fmnist=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
if [ ! -f "$fmnist" ] && [ -z "${SKIP_APT:-}" ] && command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null \
        || echo "setup: could not install dataset-fashion-mnist; pass --data DIR to train" >&2
fi
.venv/bin/squeezefpga --help >/dev/null
echo "setup: done (.venv ready)"
