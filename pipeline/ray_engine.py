"""`citetrail batch --engine ray`: the run's claim groups spread over Ray workers.

Each worker is an actor that opens the store and loads the models once, then checks whole groups
(`batch.check_group`), so it batches the verifier exactly as the local engine does and gives the
same results. Results come back to this process, which alone writes the run store. Optional:
`pip install 'citetrail[ray]'`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.api import Verifier
from pipeline.batch import CLAIMS_PER_GROUP, Engine, check_group, claim_groups
from pipeline.embed import OnnxInt8Embedder, load_embedder
from pipeline.errors import CitetrailError
from pipeline.models import CheckResult, Claim

RAY_EXTRA = "pip install 'citetrail[ray]' (or `pip install '.[ray]'` in a checkout)"


class CheckWorker:
    """One Ray actor: a verifier on the store, opened with the run's settings."""

    def __init__(self, settings: dict) -> None:
        self.verifier = Verifier.open(settings["store"], **{k: v for k, v in settings.items() if k != "store"})
        # Ray gives each actor one CPU, and there is an actor per CPU: one thread each, not one per core
        # each (the int8 models score each input alone, so their results do not depend on the count).
        self.verifier.judge.threads = 1
        embedder = load_embedder(self.verifier.store.embedding.precision)
        if isinstance(embedder, OnnxInt8Embedder):
            embedder.threads = 1

    def check(self, group: list[list[Claim]]) -> list[CheckResult]:
        return check_group(self.verifier, group)


def ray_engine(address: str | None = None, workers: int | None = None, group_size: int = CLAIMS_PER_GROUP) -> Engine:
    """An engine for `batch.run_batch`: `address` of a running cluster (None starts a local one),
    `workers` actors (default: one per CPU the cluster has). Workers open the store by its absolute
    path, so on a multi-machine cluster it must be on a path every machine sees (or on a Chroma server)."""
    try:
        import ray
    except ImportError:
        raise CitetrailError(f"--engine ray needs Ray: {RAY_EXTRA}") from None

    def engine(claims: list[Claim], verifier: Verifier) -> Iterator[list[CheckResult]]:
        if not ray.is_initialized():
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise CitetrailError(f"cannot start or reach Ray at {address or 'a local cluster'}: "
                                     f"{str(exc).splitlines()[0]}") from None
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        settings = verifier.settings.model_dump(mode="json") | {"store": str(verifier.settings.store.resolve())}
        # Ray sets OMP_NUM_THREADS=1 in a 1-CPU worker, which changes the models' float results slightly
        # (measured: 4 of 300 confidences moved); the caller's thread count keeps them identical to local.
        import torch

        env = {"env_vars": {"OMP_NUM_THREADS": str(torch.get_num_threads())}}
        actors = [ray.remote(num_cpus=1, runtime_env=env)(CheckWorker).remote(settings) for _ in range(n)]
        pending = [actors[i % n].check.remote(group) for i, group in enumerate(claim_groups(claims, group_size))]
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                try:
                    results = ray.get(ready[0])
                except (ray.exceptions.RayTaskError, ray.exceptions.RayActorError) as exc:
                    cause = getattr(exc, "cause", None)  # a worker's own error (a busy store, say) is said as such
                    if isinstance(cause, CitetrailError):
                        raise cause from None
                    raise CitetrailError(f"a Ray worker failed: {str(exc).strip().splitlines()[0]}") from None
                yield results
        finally:
            for actor in actors:
                ray.kill(actor)

    return engine
