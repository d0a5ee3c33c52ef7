"""Coding on a Dask cluster: partitions submitted a few per worker at a time, their results given
back in input order, and the progress of the run.

Each task carries its partition's input (the pieces to read, or the documents themselves),
never a reference to data held by one worker, so that when a worker dies the scheduler runs its
tasks again elsewhere, and a partition whose result was lost is coded again: the output holds
every record exactly once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

from tieline.distributed.cluster import Cluster, distributed, worker_plugin
from tieline.distributed.partitions import PARTITION_DOCUMENTS, Partition, ReadOptions, batches, plan, read_partition
from tieline.distributed.shards import Shard, ShardSummary, encode_shard, put_shard, remove_stale, shard_name
from tieline.errors import ClusterError, TielineError
from tieline.types import CodedDocument, Document, EventRecord, Problem

Item = Document | Problem
TASKS_PER_WORKER = 3  # partitions in flight per worker, so none waits while results are read in order
PROGRESS_SECONDS = 1.0


@dataclass(frozen=True)
class ClusterProgress:
    """Where a run is: partitions done and sent, documents coded (of the partitions whose results
    were taken, in order), workers, seconds since the first partition was sent."""

    partitions_done: int
    partitions_sent: int
    documents_done: int
    workers: int
    elapsed: float


@dataclass(frozen=True)
class ShardResult:
    """What a task that writes a shard gives back: the shard (its bytes only when the client is
    to write it), and the problems met."""

    shard: Shard | None
    problems: tuple[Problem, ...]
    written: bool


# ---- tasks, run on the workers ---------------------------------------------------------------
def code_partition(partition: Partition, plugin: str) -> list[CodedDocument | Problem]:
    """The coded documents and problems of a partition, in order, by this worker's Coder."""
    coder = worker_plugin(plugin)
    assert coder.lock is not None
    with coder.lock:
        return list(coder.coder.code_documents(read_partition(partition)))


def shard_partition(partition: Partition, plugin: str, folder: str | None) -> ShardResult:
    """Code a partition into a shard, written into ``folder`` here when given, else sent back."""
    coded = code_partition(partition, plugin)
    documents = [c for c in coded if isinstance(c, CodedDocument)]
    problems = tuple(c for c in coded if isinstance(c, Problem))
    if not documents:
        return ShardResult(None, problems, False)
    shard = encode_shard(shard_name(partition.index, partition.digest), documents)
    if folder is None:
        return ShardResult(shard, problems, False)
    put_shard(folder, shard)
    return ShardResult(replace(shard, events=b"", documents=b""), problems, True)


# ---- the client --------------------------------------------------------------------------------
class DaskCoder:
    """Codes on a Dask cluster with a Coder built from ``spec`` on every worker: the
    ``code_documents`` of a :class:`~tieline.pipeline.Coder` (documents read here), plus
    :meth:`code_inputs` and :meth:`write_shards` (inputs the workers see read there).

    Args:
        cluster: an open :class:`~tieline.distributed.cluster.Cluster`.
        spec: the Coder's recipe (its learned model runs on one thread per worker).
        partition_documents: documents per partition (task).
        on_progress: called about every second, and as partitions finish.
    """

    def __init__(self, cluster: Cluster, spec: Any, *, partition_documents: int = PARTITION_DOCUMENTS,
                 on_progress: Callable[[ClusterProgress], None] | None = None) -> None:
        if partition_documents < 1:
            raise TielineError(f"a partition holds 1 document or more, not {partition_documents}")
        options = dict(spec.options)
        options["model_threads"] = 1  # one core per worker process
        self.spec = replace(spec, options=tuple(sorted(options.items())))
        self.cluster = cluster
        self.size = partition_documents
        self.on_progress = on_progress
        self.plugin = cluster.register(self.spec)

    def code_documents(self, items: Iterable[Item]) -> Iterator[CodedDocument | Problem]:
        """One CodedDocument per readable document, and every Problem, in input order; the
        documents are sent to the workers in partitions."""
        partitions = (Partition(n, sum(isinstance(i, Document) for i in batch), items=tuple(batch))
                      for n, batch in enumerate(batches(items, self.size)))
        for result in self._run(partitions, code_partition):
            yield from result

    def code(self, documents: Iterable[Item]) -> Iterator[EventRecord]:
        """Event records of the documents, in order (as :meth:`Coder.code`)."""
        for item in self.code_documents(documents):
            if isinstance(item, CodedDocument):
                yield from item.records

    def code_inputs(self, sources: Iterable[str], *, read: ReadOptions | None = None,
                    stdin: IO[bytes] | None = None) -> Iterator[CodedDocument | Problem]:
        """Code files, folders, URLs or ``-``: what every worker sees is read there, the rest
        here (see :mod:`tieline.distributed.partitions`); in input order."""
        partitions = plan(sources, size=self.size, read=read, visible=self.cluster.visible, stdin=stdin)
        for result in self._run(partitions, code_partition):
            yield from result

    def write_shards(self, sources: Iterable[str], folder: str, *, read: ReadOptions | None = None,
                     stdin: IO[bytes] | None = None,
                     on_problem: Callable[[Problem], None] | None = None) -> ShardSummary:
        """Code the inputs into Parquet shards in ``folder``, one per partition (see
        :mod:`tieline.distributed.shards`): written by the workers when they see the folder,
        else sent here and written. Once all are written, shards of ``folder`` this run did not
        write are removed, so a run coded again replaces its shards.

        Raises:
            TielineError: the folder cannot be written.
        """
        summary = ShardSummary()
        on_workers = self.cluster.sees_folder(folder)
        partitions = plan(sources, size=self.size, read=read, visible=self.cluster.visible, stdin=stdin)
        for result in self._run(partitions, shard_partition, folder if on_workers else None):
            for problem in result.problems:
                summary.problems += 1
                if on_problem is not None:
                    on_problem(problem)
            if result.shard is None:
                continue
            if not result.written:
                put_shard(folder, result.shard)
            summary.shards += 1
            summary.documents += result.shard.n_documents
            summary.events += result.shard.n_events
            summary.names.add(result.shard.name)
        summary.removed = remove_stale(folder, summary.names)
        return summary

    def _run(self, partitions: Iterable[Partition], task: Callable[..., Any], *args: Any) -> Iterator[Any]:
        """Submit the partitions' tasks, at most a few per worker at a time, and yield their
        results in order."""
        client = self.cluster.client
        run = uuid.uuid4().hex[:8]
        pending: deque[tuple[Partition, Any]] = deque()
        state = _Tally(time.monotonic(), self.cluster.workers())
        try:
            for partition in partitions:
                future = client.submit(task, partition, self.plugin, *args, key=f"tieline-{run}-{partition.index:06d}",
                                       priority=-partition.index)
                pending.append((partition, future))
                state.sent += 1
                while len(pending) >= max(2, TASKS_PER_WORKER * state.workers):
                    yield self._next(pending, state)
            while pending:
                yield self._next(pending, state)
        finally:
            if pending:
                client.cancel([future for _, future in pending])

    def _next(self, pending: deque[tuple[Partition, Any]], state: _Tally) -> Any:
        partition, future = pending[0]
        finished = threading.Event()
        future.add_done_callback(lambda _: finished.set())
        while not finished.wait(PROGRESS_SECONDS):
            self._report(pending, state)
        pending.popleft()
        try:
            result = future.result()
        except distributed.client.FutureCancelledError as exc:
            raise ClusterError(f"partition {partition.index} was cancelled: was the scheduler stopped?") from exc
        except TielineError:
            raise
        except distributed.KilledWorker as exc:
            raise ClusterError(f"partition {partition.index} was running on every worker that died while coding it "
                               "(out of memory?); what was written before stays") from exc
        except Exception as exc:  # a worker's error, re-raised here: told as one line
            raise ClusterError(f"partition {partition.index} failed on a worker: {type(exc).__name__}: {exc}") from exc
        state.partitions += 1
        state.documents += _coded(result)
        self._report(pending, state)
        return result

    def _report(self, pending: deque[tuple[Partition, Any]], state: _Tally) -> None:
        now = time.monotonic()
        if now - state.counted >= PROGRESS_SECONDS:  # the scheduler is asked at most once a second
            state.workers, state.counted = self.cluster.workers(), now
        if self.on_progress is None:
            return
        done = sum(1 for _, future in pending if future.done())
        self.on_progress(ClusterProgress(state.partitions + done, state.sent, state.documents, state.workers,
                                         now - state.start))


def _coded(result: Any) -> int:
    """Documents coded in a task's result (a list of coded documents and problems, or a shard)."""
    if isinstance(result, ShardResult):
        return result.shard.n_documents if result.shard is not None else 0
    return sum(isinstance(item, CodedDocument) for item in result)


class _Tally:
    def __init__(self, start: float, workers: int) -> None:
        self.start = self.counted = start
        self.workers = workers
        self.sent = self.partitions = self.documents = 0
