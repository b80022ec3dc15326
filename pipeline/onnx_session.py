"""onnxruntime models run one input at a time, one input per thread.

Both shipped int8 models (the verifier and the int8 embedder) are dynamically quantised, which takes
activation scales over the whole input: run alone, an input's output never depends on what else is
scored with it, and nothing is padded. Each run uses one thread; parallelism comes from running
inputs side by side (onnxruntime releases the GIL while it runs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    """Cores this process may run on (its affinity, as in a container or under taskset), not the machine's."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def single_thread_session(path: Path):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def run_each(fn: Callable[[T], R], items: Sequence[T], threads: int) -> list[R]:
    """`fn` over `items` in order, on `threads` threads."""
    if threads == 1 or len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, items))
