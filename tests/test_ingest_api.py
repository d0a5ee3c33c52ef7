"""tieline.ingest, the loop the ingest and demo commands share, with a stand-in coder (no model)."""

import datetime as dt

from tieline.ingest import ingest
from tieline.query import cluster_counts
from tieline.store import Store
from tieline.types import CodedDocument, Document, Problem

from .conftest import told


class StandInCoder:
    """Codes a document into one meeting of Iran and Armenia dated on its day; a text holding
    'fail' cannot be coded. Counts what it was asked to code."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def code_documents(self, items):
        for item in items:
            if isinstance(item, Problem):
                yield item
                continue
            self.seen.append(item.id)
            if "fail" in item.text:
                yield Problem("input.jsonl", None, f"could not be coded: {item.id}", item.id)
                continue
            coded = told(item.id, item.text + " Iran met Armenia.", date=item.date.isoformat())
            yield CodedDocument(item, coded.records)


def _docs(*ids, day=dt.date(2024, 3, 4)):
    return [Document(i, f"Story {i}.", day) for i in ids]


def test_ingest_codes_only_what_is_new_and_clusters(tmp_path):
    coder = StandInCoder()
    problems = []
    with Store(tmp_path / "t.duckdb") as store:
        first = ingest(store, [*_docs("a", "b"), Problem("input.jsonl", 3, "malformed JSON")], coder,
                       on_problem=problems.append)
        assert (first.summary.added, first.summary.events, first.problems) == (2, 2, 1)
        assert first.dedup is not None and cluster_counts(store) == (1, 1)  # one meeting told twice
        again = ingest(store, _docs("a", "b", "c", "fail"), coder, on_problem=problems.append)
        assert (again.summary.added, again.summary.unchanged, again.problems) == (1, 2, 1)
        assert store.check() == []
    assert coder.seen == ["a", "b", "c", "fail"]  # what was stored with the same text is not coded again
    assert [p.reason.split(":")[0] for p in problems] == ["malformed JSON", "could not be coded"]


def test_ingest_tracks_the_coded_stream_and_may_leave_clustering(tmp_path):
    tracked = []

    def track(coded):
        for item in coded:
            tracked.append(item.document.id)
            yield item

    with Store(tmp_path / "t.duckdb") as store:
        result = ingest(store, _docs("a", "b", "c"), StandInCoder(), commit_every=1, dedup=False, track=track)
        assert result.dedup is None and cluster_counts(store) == (0, 0)
    assert tracked == ["a", "b", "c"] and result.summary.added == 3
