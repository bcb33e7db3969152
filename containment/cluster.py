"""Zone computation on a Dask cluster: the runner that hands the partitions'
jobs (:mod:`containment.engine.partition`) to Dask distributed workers.

A local cluster of N worker processes (``containment zones … --workers N``) or an existing
scheduler (``--scheduler tcp://host:port``), whose workers must have this package installed
(the same version). The district's layers go to every worker once; each job carries its own
cases. A scheduler that cannot be reached, or that has no worker, stops the run with an error
naming its address: nothing falls back to one process behind the user's back.

Importing this module imports Dask: only the commands that asked for a cluster do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from distributed import Client, Future, LocalCluster

from containment.engine.district import District
from containment.errors import ContainmentError
from containment.i18n import _

__all__ = ["DEFAULT_CONNECT_TIMEOUT_S", "ClusterError", "DaskRunner", "dask_runner"]

DEFAULT_CONNECT_TIMEOUT_S = 20.0
_J = TypeVar("_J")
_R = TypeVar("_R")


class ClusterError(ContainmentError):
    """The cluster cannot be started or reached, or has no worker."""


@dataclass
class DaskRunner:
    """Maps a function over jobs on the cluster's workers (a
    :class:`containment.engine.partition.Runner`), the district sent to each worker once."""

    client: Client
    _districts: dict[int, tuple[District, Future[Any]]] = field(default_factory=dict)

    def _district(self, district: District) -> Future[Any]:
        held = self._districts.get(id(district))
        if held is None:
            # A fresh copy: the layers without what was cached from them in this process.
            future = self.client.scatter(dataclasses.replace(district), broadcast=True, hash=False)
            held = self._districts[id(district)] = (district, future)
        return held[1]

    def __call__(
        self, fn: Callable[[_J, District], _R], jobs: Sequence[_J], district: District
    ) -> list[_R]:
        if not jobs:
            return []
        on_workers = self._district(district)
        # Largest first: scattered round-robin, the workers' loads come out even.
        order = sorted(range(len(jobs)), key=lambda k: -_size(jobs[k]))
        sent = self.client.scatter([jobs[k] for k in order], hash=False)  # not in the graph
        futures = self.client.map(fn, sent, district=on_workers, pure=False)
        gathered: list[_R] = self.client.gather(futures)
        results: list[_R] = [gathered[0]] * len(jobs)
        for k, result in zip(order, gathered, strict=True):
            results[k] = result
        return results

    def workers(self) -> int:
        """How many workers the scheduler has."""
        info: dict[str, Any] = self.client.scheduler_info()
        return len(info.get("workers", {}))


def _size(job: object) -> int:
    """How much work a job is, roughly: its number of cases (1 when unknown)."""
    try:
        return len(job.counted)  # type: ignore[attr-defined]
    except AttributeError:
        return 1


@contextlib.contextmanager
def dask_runner(
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> Iterator[DaskRunner]:
    """A runner on a new local cluster of ``workers`` processes (one thread each), or on the
    scheduler at ``scheduler`` (``tcp://host:port``), reached within ``connect_timeout_s``.

    Raises
    ------
    ClusterError
        The scheduler cannot be reached or has no worker within the timeout, or the local
        cluster cannot start.
    """
    if (workers is None) == (scheduler is None):
        msg = _("Give either a number of local workers or a scheduler address, not both.")
        raise ClusterError(msg)
    if scheduler is not None:
        with _connected(scheduler, connect_timeout_s) as client:
            yield DaskRunner(client)
        return
    assert workers is not None
    if workers < 1:
        msg = _("--workers must be 1 or more, got {n}.", n=workers)
        raise ClusterError(msg)
    try:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # a free port (8787 may be taken), this machine only
            silence_logs=logging.ERROR,
        )
    except (OSError, RuntimeError) as exc:
        msg = _("Cannot start a local Dask cluster of {n} workers: {reason}", n=workers, reason=exc)
        raise ClusterError(msg) from exc
    with cluster, Client(cluster, set_as_default=False) as client:
        yield DaskRunner(client)


@contextlib.contextmanager
def _connected(address: str, timeout_s: float) -> Iterator[Client]:
    advice = _(
        "Check the address (tcp://host:port) and that the scheduler is running; "
        "no zones were computed."
    )
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = _(
            "Cannot reach the Dask scheduler at {address} within {seconds} s ({reason}). {advice}",
            address=address,
            seconds=format(timeout_s, "g"),
            reason=exc,
            advice=advice,
        )
        raise ClusterError(msg) from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except (OSError, TimeoutError) as exc:
            msg = _(
                "The Dask scheduler at {address} has no worker (waited {seconds} s). Start "
                "workers with `dask worker {address}` on machines that have this package "
                "installed.",
                address=address,
                seconds=format(timeout_s, "g"),
            )
            raise ClusterError(msg) from exc
        yield client
