"""Coding on every core of one machine: worker processes that each load the model once.

A :class:`CoderSpec` is the recipe of a :class:`~tieline.pipeline.Coder` (model, tables,
settings) that a worker process builds once. :class:`WorkerCoder` has the Coder's
``code_documents``: it sends the stories to its workers in small chunks and gives back the same
coded documents and problems, in the same order, as one Coder would. Fewer than two workers
code in this process.

Example::

    from tieline.workers import CoderSpec, WorkerCoder
    with WorkerCoder(CoderSpec(), workers=2) as coder:
        for coded in coder.code_documents(documents):
            ...
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any

from tieline.errors import TielineError
from tieline.settings import DEFAULTS
from tieline.types import CodedDocument, Document, Problem

Item = Document | Problem
CHUNK_DOCUMENTS = 16  # stories per task: enough to batch the parser, few enough to keep every worker busy
PARENT_CHECK_SECONDS = 1.0
TASKS_PER_WORKER = 3  # tasks in flight per worker, so none waits while results are read in order


def default_workers() -> int:
    """The machine's CPU count (at least one)."""
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class CoderSpec:
    """What a Coder is built from, in a form a worker process can receive."""

    model: str | None = None
    batch_size: int = DEFAULTS["batch_size"]
    actors: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    options: tuple[tuple[str, Any], ...] = field(default=())  # the Coder's other keyword arguments

    def build(self) -> Any:
        from tieline.lexicon import Lexicon, default_lexicon
        from tieline.parse import load_nlp
        from tieline.pipeline import Coder

        lexicon = (Lexicon(user_actors=self.actors, user_triggers=self.triggers) if self.actors or self.triggers
                   else default_lexicon())
        return Coder(load_nlp(self.model), lexicon=lexicon, batch_size=self.batch_size, **dict(self.options))


_worker_coder: Any = None  # the Coder of a worker process, built once by _start


def _start(spec: CoderSpec, parent: int) -> None:
    global _worker_coder
    _watch_parent(parent)
    _worker_coder = spec.build()


def _watch_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with -9, say): an orphan
    would keep its model in memory and its core busy. The parent's pid comes from the parent: a
    worker still importing when its parent dies would otherwise take its new parent for it."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="tieline-parent-watch", daemon=True).start()


def _code_chunk(items: list[Item]) -> list[CodedDocument | Problem]:
    return list(_worker_coder.code_documents(items))


class WorkerCoder:
    """Codes documents in ``workers`` processes, each with its own Coder built from ``spec``.

    The learned model of each worker uses one thread (the workers share the cores). Use it as a
    context manager, or call :meth:`close`, so that the workers stop.
    """

    def __init__(self, spec: CoderSpec, *, workers: int, chunk_documents: int = CHUNK_DOCUMENTS) -> None:
        if workers < 1:
            raise TielineError(f"workers must be 1 or more, not {workers}")
        self.workers = workers
        self.chunk_documents = chunk_documents
        options = dict(spec.options)
        if workers > 1:
            options["model_threads"] = 1
        self.spec = replace(spec, options=tuple(sorted(options.items())))
        self._local: Any = None
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: a forked copy of a process running ONNX Runtime's threads can hang
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=_start, initargs=(self.spec, os.getpid()))
        return self._pool

    def code_documents(self, items: Iterable[Item]) -> Iterator[CodedDocument | Problem]:
        """One CodedDocument per readable document, and every Problem, in input order."""
        if self.workers == 1:
            if self._local is None:
                self._local = self.spec.build()
            yield from self._local.code_documents(items)
            return
        pool = self._executor()
        pending: deque[Future[list[CodedDocument | Problem]]] = deque()
        try:
            for chunk in _chunks(items, self.chunk_documents):
                pending.append(pool.submit(_code_chunk, chunk))
                while len(pending) >= self.workers * TASKS_PER_WORKER:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BrokenProcessPool as exc:
            raise TielineError("a coding worker process died (out of memory?); "
                               "what was coded before it is kept; run again with fewer --workers") from exc
        finally:
            for future in pending:
                future.cancel()

    def code(self, documents: Iterable[Item]) -> Iterator[Any]:
        """Event records of the documents, in order (as :meth:`Coder.code`)."""
        for item in self.code_documents(documents):
            if isinstance(item, CodedDocument):
                yield from item.records

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> WorkerCoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
