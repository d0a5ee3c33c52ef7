"""Coding stories into the event store: the loop ``tieline ingest`` and ``tieline demo`` share.

Documents already stored with the same text are skipped before coding (so an interrupted run
can be started again), the rest are coded and written in transactions of ``commit_every``
documents, and the new events are clustered with the stored ones. A story that cannot be read
or coded is a :class:`~tieline.types.Problem`, handed to ``on_problem``; it never ends the run.

Example::

    from tieline import Coder, Store, load_nlp
    from tieline.ingest import ingest
    from tieline.read import read_documents
    with Store("news.duckdb") as store:
        result = ingest(store, read_documents(["news.jsonl"]), Coder(load_nlp()))
        print(result.summary.added, "documents added;", result.dedup)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tieline.dedup import DedupSummary, deduplicate
from tieline.store import IngestSummary, Store
from tieline.types import CodedDocument, Document, Problem

Item = Document | Problem


@dataclass
class IngestResult:
    """What one run did: documents added, replaced, unchanged and duplicated, events written
    (``summary``); the problems met; and the clustering of the new events (``dedup``)."""

    summary: IngestSummary = field(default_factory=IngestSummary)
    problems: int = 0
    dedup: DedupSummary | None = None


def ingest(store: Store, items: Iterable[Item], coder: Any, *, commit_every: int = 200, dedup: bool = True,
           recode: bool = False,
           on_problem: Callable[[Problem], None] | None = None,
           track: Callable[[Iterable[CodedDocument]], Iterable[CodedDocument]] | None = None) -> IngestResult:
    """Code ``items`` with ``coder`` (a :class:`~tieline.pipeline.Coder`, or anything with its
    ``code_documents``) into ``store``.

    Args:
        store: the open, writable store.
        items: documents (and problems met reading them), in input order.
        commit_every: documents per database transaction.
        dedup: cluster the new events with the stored ones at the end.
        recode: code again documents stored with the same text (their corrections applied again).
        on_problem: called with each problem as it is met.
        track: wraps the stream of coded documents (e.g. a progress report).

    Raises:
        StoreError: a batch could not be written (its transaction is rolled back; the batches
            before it stay written).
    """
    result = IngestResult()

    def reported(coded: Iterable[CodedDocument | Problem]) -> Iterator[CodedDocument]:
        for item in coded:
            if isinstance(item, Problem):
                result.problems += 1
                if on_problem is not None:
                    on_problem(item)
            else:
                yield item

    fresh = store.unseen(items, result.summary, recode=recode)
    coded: Iterable[CodedDocument] = reported(coder.code_documents(fresh))
    if track is not None:
        coded = track(coded)
    store.write(coded, batch_size=commit_every, summary=result.summary, recode=recode)
    if dedup:
        result.dedup = deduplicate(store)
    return result
