"""The Dask cluster a region runs on: an existing one (`--scheduler tcp://HOST:8786`,
started with `dask scheduler` / `dask worker`) or, by default, a local cluster of worker
processes on this machine, one thread each (a CP-SAT solve is CPU-bound, and a process
per worker lets a dead worker take only its own tasks with it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from distributed import Client, Future, LocalCluster, as_completed


@contextmanager
def region_client(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of the cluster at `scheduler`, or of a local cluster of `workers` processes
    (default: one per core) that lives as long as the client."""
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=count, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def worker_count(client: Client) -> int:
    """The workers the scheduler knows now."""
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))


def task_key(kind: str, *parts: str) -> str:
    """A key the dashboard and the logs read (kind, department, manager) that no other run
    of the same region shares."""
    return "-".join((kind, *parts, uuid.uuid4().hex[:8]))


def until_done(groups: Sequence[Sequence[Future]], on_done: Callable[[int, Future], None]) -> None:
    """Wait for every future of every group, calling `on_done(group, future)` as each ends
    (finished, failed or cancelled), in the order they end."""
    group_of = {future.key: i for i, futures in enumerate(groups) for future in futures}
    for future in as_completed([future for futures in groups for future in futures]):
        on_done(group_of[future.key], future)
