"""The verifier at inference: P(entailment, neutral, contradiction) for (evidence, claim) pairs.

One loader for every model: the shipped one (an int8 ONNX export run with onnxruntime) and any
Hugging Face NLI cross-encoder given by name or path (run with transformers). Label order is
read from each model's config, so models that order their labels differently all work.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.aggregate import VerdictRules
from pipeline.errors import InputError
from pipeline.hashing import file_sha256
from pipeline.onnx_session import available_cores, run_each, single_thread_session

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
            # An evidence-in-context premise loses its title and context before the sentence itself.
            self.tokenizer.truncation_side = "left"
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load verifier '{spec}': {str(exc).splitlines()[0]}") from None
        self.columns = label_order(config.id2label)
        self.name = "citetrail-verifier" if spec == "shipped" else spec
        calib = json.loads((path / "calibration.json").read_text()) if (path / "calibration.json").exists() else {}
        self.temperature = calib.get("temperature", 1.0)
        self.rules = VerdictRules(**calib.get("rules", {}))
        self.threads = threads or available_cores()
        onnx_path = path / ONNX_FILE
        if onnx_path.exists():
            self.session = single_thread_session(onnx_path)  # pairs run one per thread, on `threads` threads
            self.input_names = {i.name for i in self.session.get_inputs()}
            self.model = None
            self.sha256 = file_sha256(onnx_path)
        else:
            import torch
            from transformers import AutoModelForSequenceClassification

            torch.set_num_threads(self.threads)
            self.session = None
            self.model = AutoModelForSequenceClassification.from_pretrained(source).eval()
            weights = next((p for p in (path / "model.safetensors", path / "pytorch_model.bin") if p.exists()), None)
            self.sha256 = file_sha256(weights) if weights else f"hub:{spec}"

    def _onnx_logits(self, features: dict) -> np.ndarray:
        feeds = {k: np.asarray([v], dtype=np.int64) for k, v in features.items() if k in self.input_names}
        return self.session.run(None, feeds)[0][0]

    def _logits(self, features: list[dict], batch_size: int) -> np.ndarray:
        """Raw logits in input order. The int8 ONNX model scores each pair alone: dynamic quantisation takes its
        activation scales over the whole input, so in a batch a pair's probabilities would depend on the pairs
        beside it (a claim could get another verdict in a batch than alone), and without padding it is faster
        too (SciFact dev pairs, measured with an earlier fused export: 281 pairs/s one at a time on 2 threads,
        154 in padded batches of 32).
        A PyTorch model gets batches of pairs of about the same token length, so little is padded."""
        if self.session is not None:
            return np.stack(run_each(self._onnx_logits, features, self.threads))
        import torch

        out = np.zeros((len(features), self.model.config.num_labels), dtype=np.float32)
        order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                batch = self.tokenizer.pad([features[i] for i in idx], return_tensors="pt")
                out[idx] = self.model(**batch).logits.float().numpy()
        return out

    def score(self, premises: list[str], hypotheses: list[str], batch_size: int = 32) -> np.ndarray:
        """Calibrated probabilities, one row per pair: columns entailment, neutral, contradiction.
        `batch_size` is for a PyTorch model; the shipped ONNX model scores pairs one at a time."""
        if not premises:
            return np.zeros((0, 3), dtype=np.float32)
        enc = self.tokenizer(premises, hypotheses, truncation="longest_first", max_length=MAX_LENGTH)
        features = [{k: enc[k][i] for k in enc} for i in range(len(premises))]
        logits = self._logits(features, batch_size) / self.temperature
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return np.stack([probs[:, c] if c >= 0 else np.zeros(len(probs)) for c in self.columns], axis=1).astype(np.float32)


@cache
def load_judge(spec: str = "shipped") -> NLIJudge:
    return NLIJudge(spec)
