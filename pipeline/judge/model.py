"""Cross-encoder judges: NLI models that read a (premise, claim) pair and give a logit per label.

One loader for every such model: the shipped one (an int8 ONNX export run with onnxruntime) and any
Hugging Face sequence-classification model given by name or path (run with transformers). Which of the
model's labels is entailment, neutral or contradiction is read from its config, or given by the
`verifier_labels` setting for models that name them otherwise (MiniCheck's "supported"/"unsupported").
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path

import numpy as np

from pipeline.errors import InputError
from pipeline.hashing import file_sha256
from pipeline.judge.base import LABELS, Judge, read_calibration
from pipeline.onnx_session import available_cores, run_each, single_thread_session

SHIPPED_DIR = Path(__file__).parent / "shipped"
ONNX_FILE = "model.onnx"
MAX_LENGTH = 256


def guessed_label(name: str) -> str | None:
    """Ours for a model's label name, by the usual spellings; a two-way model's "not entailment" is neutral."""
    name = name.lower().replace("-", "_")
    if "contradict" in name:
        return "contradiction"
    if "neutral" in name or name.startswith("not"):
        return "neutral"
    if "entail" in name or name == "support":
        return "entailment"
    return None


def label_columns(id2label: dict, labels: dict[str, str] | None = None) -> list[list[int]]:
    """For each of entailment, neutral and contradiction, the model's output columns that add up to it.

    Without `labels` (model label name -> ours) the names are read by their usual spellings and others are
    left out. With it every model label must be named. A label of ours that no column maps to (a two-way
    model's contradiction) gets probability 0."""
    names = {int(idx): str(name) for idx, name in id2label.items()}
    if labels is None:
        ours = {idx: guessed_label(name) for idx, name in names.items()}
    else:
        given = {k.lower(): v for k, v in labels.items()}
        missing = sorted(name for name in names.values() if name.lower() not in given)
        if missing:
            raise InputError(f"verifier_labels names none of the verifier's labels {missing}; "
                             f"its labels are {list(names.values())}")
        ours = {idx: given[name.lower()] for idx, name in names.items()}
    columns = [[idx for idx in sorted(ours) if ours[idx] == label] for label in LABELS]
    if not columns[0] or not (columns[1] or columns[2]):
        raise InputError(f"the verifier's labels {list(names.values())} are not NLI labels (entailment / neutral / "
                         "contradiction): map them with the verifier_labels setting")
    return columns


class NLIJudge(Judge):
    """A cross-encoder read through its tokenizer and config; `_logits` is the runtime's (ONNX or PyTorch)."""

    def __init__(self, spec: str = "shipped", labels: dict[str, str] | None = None, threads: int | None = None) -> None:
        from transformers import AutoConfig, AutoTokenizer

        self.path = SHIPPED_DIR if spec == "shipped" else Path(spec)
        try:
            self.source = str(self.path) if self.path.exists() else spec
            config = AutoConfig.from_pretrained(self.source)
            self.tokenizer = AutoTokenizer.from_pretrained(self.source)
            # An evidence-in-context premise loses its title and context before the sentence itself.
            self.tokenizer.truncation_side = "left"
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load verifier '{spec}': {str(exc).splitlines()[0]}") from None
        self.columns = label_columns(config.id2label, labels)
        self.name = "citetrail-verifier" if spec == "shipped" else spec
        calibration = self.path / "calibration.json"
        self.calibration = calibration if calibration.is_file() else None
        self.temperature = read_calibration(self.calibration).get("temperature", 1.0)
        self.threads = threads or available_cores()

    @abstractmethod
    def _logits(self, features: list[dict], batch_size: int) -> np.ndarray:
        """Raw logits in input order, one row per tokenised pair."""

    def score(self, premises: list[str], hypotheses: list[str], batch_size: int = 32) -> np.ndarray:
        """Calibrated probabilities, one row per pair: columns entailment, neutral, contradiction."""
        if not premises:
            return np.zeros((0, 3), dtype=np.float32)
        enc = self.tokenizer(premises, hypotheses, truncation="longest_first", max_length=MAX_LENGTH)
        features = [{k: enc[k][i] for k in enc} for i in range(len(premises))]
        logits = self._logits(features, batch_size) / self.temperature
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return np.stack([probs[:, cols].sum(axis=1) for cols in self.columns], axis=1).astype(np.float32)


class OnnxNLIJudge(NLIJudge):
    """A folder with model.onnx (the shipped int8 verifier, or another export): onnxruntime, one pair at a time.

    Dynamic quantisation takes its activation scales over the whole input, so in a batch a pair's probabilities
    would depend on the pairs beside it (a claim could get another verdict in a batch than alone), and without
    padding it is faster too (SciFact dev pairs, measured with an earlier fused export: 281 pairs/s one at a
    time on 2 threads, 154 in padded batches of 32). `batch_size` is not used."""

    def __init__(self, spec: str = "shipped", labels: dict[str, str] | None = None, threads: int | None = None) -> None:
        super().__init__(spec, labels, threads)
        onnx_path = self.path / ONNX_FILE
        self.session = single_thread_session(onnx_path)  # pairs run one per thread, on `threads` threads
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.version = file_sha256(onnx_path)

    def _one(self, features: dict) -> np.ndarray:
        feeds = {k: np.asarray([v], dtype=np.int64) for k, v in features.items() if k in self.input_names}
        return self.session.run(None, feeds)[0][0]

    def _logits(self, features: list[dict], batch_size: int) -> np.ndarray:
        return np.stack(run_each(self._one, features, self.threads))


class TorchNLIJudge(NLIJudge):
    """Any Hugging Face sequence-classification model (a folder or a hub name, offline from the local cache): PyTorch,
    in batches of `batch_size` pairs of about the same token length, so little is padded."""

    def __init__(self, spec: str, labels: dict[str, str] | None = None, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification

        super().__init__(spec, labels, threads)
        torch.set_num_threads(self.threads)
        self.model = AutoModelForSequenceClassification.from_pretrained(self.source).eval()
        weights = next((p for p in (self.path / "model.safetensors", self.path / "pytorch_model.bin") if p.exists()), None)
        self.version = file_sha256(weights) if weights else f"hub:{spec}"

    def _logits(self, features: list[dict], batch_size: int) -> np.ndarray:
        import torch

        out = np.zeros((len(features), self.model.config.num_labels), dtype=np.float32)
        order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                batch = self.tokenizer.pad([features[i] for i in idx], return_tensors="pt")
                out[idx] = self.model(**batch).logits.float().numpy()
        return out


def nli_judge(spec: str = "shipped", labels: dict[str, str] | None = None) -> NLIJudge:
    """'shipped', a model folder or a hub name: ONNX where the folder holds model.onnx, else PyTorch."""
    path = SHIPPED_DIR if spec == "shipped" else Path(spec)
    try:
        onnx = (path / ONNX_FILE).is_file()
    except OSError:  # a name no file can have (too long): the loader says it cannot load it
        onnx = False
    return OnnxNLIJudge(spec, labels) if onnx else TorchNLIJudge(spec, labels)
