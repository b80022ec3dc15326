"""The verifier at inference: P(entailment, neutral, contradiction) for (evidence, claim) pairs.

One loader for every model: the shipped one (an int8 ONNX export run with onnxruntime) and any
Hugging Face NLI cross-encoder given by name or path (run with transformers). Label order is
read from each model's config, so models that order their labels differently all work.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.aggregate import VerdictRules
from pipeline.errors import InputError
from pipeline.store import file_sha256

SHIPPED_DIR = Path(__file__).parent / "shipped"
ONNX_FILE = "model.onnx"
MAX_LENGTH = 256


def label_order(id2label: dict) -> list[int]:
    """Column indices of (entailment, neutral, contradiction) in the model's output.

    A two-way model's "not entailment" is read as neutral; its contradiction column is empty (-1)."""
    cols = {"entailment": -1, "neutral": -1, "contradiction": -1}
    for idx, name in id2label.items():
        name = str(name).lower().replace("-", "_")
        if "contradict" in name:
            cols["contradiction"] = int(idx)
        elif "neutral" in name or name.startswith("not"):
            cols["neutral"] = int(idx)
        elif "entail" in name or name == "support":
            cols["entailment"] = int(idx)
    if cols["entailment"] < 0 or (cols["neutral"] < 0 and cols["contradiction"] < 0):
        raise InputError(f"the verifier's labels {list(id2label.values())} are not NLI labels "
                         "(entailment / neutral / contradiction)")
    return [cols["entailment"], cols["neutral"], cols["contradiction"]]


class NLIJudge:
    def __init__(self, spec: str = "shipped", threads: int | None = None) -> None:
        from transformers import AutoConfig, AutoTokenizer

        path = SHIPPED_DIR if spec == "shipped" else Path(spec)
        try:
            source = str(path) if path.exists() else spec
            config = AutoConfig.from_pretrained(source)
            self.tokenizer = AutoTokenizer.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load verifier '{spec}': {str(exc).splitlines()[0]}") from None
        self.columns = label_order(config.id2label)
        self.name = "citetrail-verifier" if spec == "shipped" else spec
        calib = json.loads((path / "calibration.json").read_text()) if (path / "calibration.json").exists() else {}
        self.temperature = calib.get("temperature", 1.0)
        self.rules = VerdictRules(**calib.get("rules", {}))
        threads = threads or min(2, os.cpu_count() or 1)
        onnx_path = path / ONNX_FILE
        if onnx_path.exists():
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
            self.input_names = {i.name for i in self.session.get_inputs()}
            self.model = None
            self.sha256 = file_sha256(onnx_path)
        else:
            import torch
            from transformers import AutoModelForSequenceClassification

            torch.set_num_threads(threads)
            self.session = None
            self.model = AutoModelForSequenceClassification.from_pretrained(source).eval()
            weights = next((p for p in (path / "model.safetensors", path / "pytorch_model.bin") if p.exists()), None)
            self.sha256 = file_sha256(weights) if weights else f"hub:{spec}"

    def _logits(self, enc: dict) -> np.ndarray:
        if self.session is not None:
            feeds = {k: np.asarray(v, dtype=np.int64) for k, v in enc.items() if k in self.input_names}
            return self.session.run(None, feeds)[0]
        import torch

        with torch.inference_mode():
            return self.model(**{k: torch.as_tensor(v) for k, v in enc.items()}).logits.float().numpy()

    def score(self, premises: list[str], hypotheses: list[str], batch_size: int = 32) -> np.ndarray:
        """Calibrated probabilities, one row per pair: columns entailment, neutral, contradiction."""
        out = np.zeros((len(premises), 3), dtype=np.float32)
        order = sorted(range(len(premises)), key=lambda i: len(premises[i]) + len(hypotheses[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            enc = self.tokenizer([premises[i] for i in idx], [hypotheses[i] for i in idx], padding=True,
                                 truncation="longest_first", max_length=MAX_LENGTH, return_tensors="np")
            logits = self._logits(dict(enc)) / self.temperature
            logits = logits - logits.max(axis=1, keepdims=True)
            probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            cols = np.stack([probs[:, c] if c >= 0 else np.zeros(len(idx)) for c in self.columns], axis=1)
            out[idx] = cols
        return out


@cache
def load_judge(spec: str = "shipped") -> NLIJudge:
    return NLIJudge(spec)
