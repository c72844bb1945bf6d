"""``build``: QONNX file -> a complete hls4ml project directory, atomically.

The directory is written under a temporary name next to ``out`` and renamed
only when everything succeeded, so a failure leaves no half-written build.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from ..errors import CliError, ModelError
from .config import hls_config
from .csim import META
from .extensions import register

TOP = "myproject"
BACKEND = "Vitis"
DEFAULT_PART = "xc7z020clg400-1"      # PYNQ-Z2
INHERITING = ("ZeroPadding2D", "Clone")


def _preset_names(model_path, fold) -> dict[str, str]:
    """{node: preset layer name} when the fold names layers (a SqueezeNet-shaped graph)."""
    if fold is None or not fold.reuse():
        return {}
    from ..budget.onnx_input import node_names
    from squeezefpga.quant.arch import ConfigError

    try:
        return node_names(model_path)
    except ConfigError:
        return {}


def build(model_path, out, fold=None, part: str = DEFAULT_PART, extra=None) -> dict:
    """Write the project; ``extra(tmpdir, meta)`` may add files before the rename."""
    from ..qonnx import prepare

    out = Path(out)
    if out.exists():
        raise CliError(f"{out}: already exists (remove it or choose another --out)")
    if not Path(model_path).is_file():
        raise CliError(f"{model_path}: no such file")
    register()
    model = prepare(model_path)
    cfg = hls_config(model, fold, _preset_names(model_path, fold))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        prepared = tmp / "model_prepared.onnx"
        model.save(str(prepared))
        hm = _convert(prepared, tmp, cfg, part)
        check_types(hm, cfg)
        hm.write()
        _reproducible(tmp, hm.config.config["Stamp"], _stamp(prepared, cfg, part))
        shape = model.get_tensor_shape(model.graph.input[0].name)
        n_out = 1
        for d in model.get_tensor_shape(model.graph.output[0].name)[1:]:
            n_out *= d
        meta = {"top": TOP, "backend": BACKEND, "part": part, "model": str(Path(model_path).name),
                "input_shape_nhwc": list(shape[1:]), "n_out": n_out,
                "input_type": _type(hm.get_input_variables()[0]),
                "output_type": _type(hm.get_output_variables()[0]),
                "layers": {k: v for k, v in cfg["LayerName"].items()}}
        if extra is not None:
            extra(tmp, meta)
        (tmp / META).write_text(json.dumps(meta, indent=1))
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def _stamp(prepared: Path, cfg: dict, part: str) -> str:
    """hls4ml's library stamp (random by default): a digest of what was converted,
    so two builds of one model are byte-identical."""
    h = hashlib.sha256(prepared.read_bytes())
    h.update(json.dumps([cfg, part, BACKEND], sort_keys=True, default=str).encode())
    return h.hexdigest()[:8]


def _reproducible(project: Path, random_stamp: str, stamp: str) -> None:
    """hls4ml's writer stamps the project with a random id (build_lib.sh, the
    config) and its config names the temporary directory the project was written
    in (renamed away afterwards): the digest instead, paths relative to the project."""
    for f in (project / "build_lib.sh", project / "hls4ml_config.yml"):
        if f.is_file():
            text = f.read_text().replace(f"{project}/", "./").replace(str(project), ".")
            text = text.replace(random_stamp, stamp)
            if f.suffix == ".yml":  # YAML quotes a stamp that reads as a number ('12345678',
                # '1234e567'): the line is written whole, the same for every random stamp
                text = re.sub(r"(?m)^Stamp: .*$", lambda _: yaml.safe_dump({"Stamp": stamp}).strip(),
                              text)
            f.write_text(text)


def _convert(prepared: Path, outdir: Path, cfg: dict, part: str):
    import hls4ml

    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            return hls4ml.converters.convert_from_onnx_model(
                str(prepared), output_dir=str(outdir), project_name=TOP, io_type="io_stream",
                backend=BACKEND, part=part, hls_config=copy.deepcopy(cfg))
    except Exception as e:          # hls4ml raises bare Exceptions; one line for the user
        raise CliError(f"hls4ml conversion failed: {type(e).__name__}: {e}") from None


def _type(var) -> dict:
    p = var.type.precision
    return {"width": int(p.width), "integer": int(p.integer), "signed": bool(p.signed)}


def _norm(p) -> tuple:
    return (bool(p.signed), int(p.width), int(p.integer))


def check_types(hm, cfg: dict) -> None:
    """Every hls4ml layer carries exactly the derived precisions (none 'auto' or default)."""
    from hls4ml.model.types import FixedPrecisionType

    want = cfg["LayerName"]
    for name, layer in hm.graph.items():
        res = layer.get_output_variable().type.precision
        if not isinstance(res, FixedPrecisionType):
            raise ModelError(name, f"hls4ml chose {res} (not a fixed-point type)")
        if name in want:
            spec = dict(want[name]["Precision"])
            spec.update({k[:-2]: v for k, v in want[name].items() if k.endswith("_t")})
            for key, t in layer.types.items():
                k = key[:-2]
                if k in spec and _norm(t.precision) != _parse(spec[k]):
                    raise ModelError(name, f"hls4ml {key} is {t.precision}, derived {spec[k]}")
        elif layer.class_name in INHERITING:
            src = layer.get_input_variable().type.precision
            if _norm(res) != _norm(src):
                raise ModelError(name, f"{layer.class_name} changes the type {src} -> {res}")
        else:
            raise ModelError(name, f"hls4ml layer {layer.class_name} has no derived precision")


def _parse(s: str) -> tuple:
    kind, rest = s.split("<", 1)
    w, i = rest.split(",")[:2]
    return (kind == "fixed", int(w), int(i))
