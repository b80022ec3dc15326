"""Trainable fp32 weights rebuilt from a shipped int8 verifier, to go on training when its checkpoint is lost.

`python -m pipeline.training.recover --out build/verifier-recovered/model` reads `pipeline/judge/shipped/`
and writes a Hugging Face model folder that `pipeline.training.train --init` takes. The int8 export keeps
biases and LayerNorms in fp32, so they come back exactly; the matrix weights come back to within half a
quantisation step (per output channel, int8), the embeddings to within half a step of their whole table
(uint8). The word embeddings are taken from the base model instead when they agree with it to that
precision, since every run of the recipe freezes them. Continued training from the result starts a
few hundred steps behind the lost checkpoint, not tens of thousands.

`torch.onnx.export` names a transposed matrix weight "onnx::MatMul_N", not by its parameter; which is
which is found by exporting the base model the same way and matching values.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from transformers import AutoConfig, AutoModelForSequenceClassification

from pipeline.judge.model import ONNX_FILE, SHIPPED_DIR
from pipeline.training.export import TOKENIZER_FILES, export_fp32
from pipeline.training.train import base_model_path

WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"


def initializers(path: Path) -> dict[str, np.ndarray]:
    """Every initializer of an ONNX file, by name."""
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}


def dequantized(weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    """`name`'s fp32 value from onnxruntime's `name_quantized`, `_scale` and `_zero_point`: (q - zero point) * scale,
    in the parameter's own layout. A matrix weight is stored (in, out) with a scale per output channel and
    comes back transposed to (out, in); an embedding table has one scale and keeps its layout."""
    q = weights[f"{name}_quantized"].astype(np.float32)
    scale = weights[f"{name}_scale"]
    value = (q - weights[f"{name}_zero_point"].astype(np.float32)) * scale
    return value.T if scale.ndim == 1 else value


def matmul_names(model: torch.nn.Module) -> dict[str, str]:
    """ONNX initializer name ("onnx::MatMul_N") -> parameter name, for each matrix weight the export transposes.

    Raises ValueError when a weight matches no parameter or more than one (the architectures differ)."""
    params = {n: p.detach().numpy().T for n, p in model.named_parameters() if p.ndim == 2}
    with tempfile.TemporaryDirectory() as tmp:
        export_fp32(model.eval(), Path(tmp) / "fp32.onnx")
        exported = initializers(Path(tmp) / "fp32.onnx")
    names = {}
    for onnx_name, value in exported.items():
        if not onnx_name.startswith("onnx::MatMul"):
            continue
        hits = [n for n, p in params.items() if p.shape == value.shape and np.array_equal(p, value)]
        if len(hits) != 1:
            raise ValueError(f"{onnx_name} matches {len(hits)} parameters of the base model")
        names[onnx_name] = hits[0]
    return names


def recover(shipped: Path, out: Path) -> dict:
    """Write `out` (config, tokenizer, model.safetensors) from the int8 model in `shipped`; returns a summary:
    parameters recovered exactly, dequantized, and whether the word embeddings are the base's.

    Raises ValueError when a parameter of the architecture has no value in the ONNX file."""
    config = AutoConfig.from_pretrained(shipped)
    model = AutoModelForSequenceClassification.from_pretrained(base_model_path(), config=config, attn_implementation="eager")
    weights = initializers(shipped / ONNX_FILE)
    by_param = {param: onnx_name for onnx_name, param in matmul_names(model).items()}
    state, exact, approx = {}, 0, 0
    for name, param in model.state_dict().items():
        if name in weights:
            value, exact = weights[name], exact + 1
        elif f"{name}_quantized" in weights:
            value, approx = dequantized(weights, name), approx + 1
        elif f"{by_param.get(name)}_quantized" in weights:
            value, approx = dequantized(weights, by_param[name]), approx + 1
        elif name.endswith("position_ids"):
            continue
        else:
            raise ValueError(f"{name} has no value in {shipped / ONNX_FILE}")
        state[name] = torch.from_numpy(np.array(value, dtype=np.float32)).reshape(param.shape)
    base_words = model.state_dict()[WORD_EMBEDDINGS]
    step = float(weights[f"{WORD_EMBEDDINGS}_scale"])
    base_kept = bool((state[WORD_EMBEDDINGS] - base_words).abs().max() <= step / 2 + 1e-6)
    if base_kept:
        state[WORD_EMBEDDINGS] = base_words
    model.load_state_dict(state, strict=False)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    for file in TOKENIZER_FILES:
        if (shipped / file).exists():
            shutil.copy(shipped / file, out / file)
    return {"exact": exact, "dequantized": approx, "word_embeddings_from_base": base_kept}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shipped", type=Path, default=SHIPPED_DIR, help="folder with model.onnx (int8) and config.json")
    ap.add_argument("--out", type=Path, default=Path("build/verifier-recovered/model"))
    args = ap.parse_args()
    print(json.dumps(recover(args.shipped, args.out)))


if __name__ == "__main__":
    main()
