"""The event store at scale: ingest rate, size on disk, and the time of every analysis call, web
page and API call on millions of records.

Run from the repository root:

    python benchmarks/store_scale.py --seed-records /tmp/seed_records.jsonl [--records 5000000]
        [--db /tmp/tieline-scale.duckdb] [--runs 5] [--json]

The store is built from real coded records: ``--seed-records`` is a JSONL file of records as
``tieline code`` writes them, and ``--stories`` the stories they were coded from (default: the
agency pages of ../shared/data/news_corpus), which give the documents their text, title, URL
and source. When the seed file is missing, the stories are coded with the rules and the records
written there first (undated stories get a day of 2024 taken from their id, so that every story
has a date). The seed documents (with or without events) are then copied until the store holds
``--records`` event records: copy k gets new document and event ids, its dates moved back by
k/copies of 20 years, and some spaces of its text made no-break spaces (a pattern per copy, so
that no two copies of a story or of an evidence sentence are the same string, as in real news,
and DuckDB cannot store one text for all its copies), so that dyads, types and texts stay those
of real news while the store spans two decades.

Every record goes through the store's own write path, ``Store.write`` of coded documents:
the first ``--ingest-records`` in transactions of 200 documents, as ``tieline ingest`` commits
them, the rest in transactions of ``--bulk-batch`` documents (the bulk load). The whole store is
then clustered (``tieline dedup --full``), and a further copy of the seed, every story
published a week after the newest, is ingested as ``tieline ingest`` would (write in
transactions of 200 documents, then incremental clustering): the next week of a feed. Then
each analysis call (``tieline.analysis``, ``tieline.query``), web page and API call of the
README is run once (the first time: cold caches, charts drawn) and ``--runs`` times more; the
first time and the median are printed. Web calls go through FastAPI's test client
in-process. ``--reuse`` times an existing ``--db`` without building it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from tieline.store import Store
from tieline.types import CodedDocument, Document, EventRecord, Party

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORIES = REPO_ROOT / ".." / "shared" / "data" / "news_corpus" / "agency_pages.jsonl.gz"
SPAN_DAYS = 20 * 365  # the copies spread the seed's dates over twenty years
NBSP, PATTERN_BITS = "\u00a0", 13  # copies vary in which spaces are no-break spaces: 2**13 patterns
INGEST_BATCH = 200  # documents per transaction of `tieline ingest` (commit_every)
RECORD_FIELDS = {f.name for f in fields(EventRecord)} - {"extra"}

# (name, path) of each web page and API call of the README; {c} the busiest country, {a}/{b} its
# busiest partner pair, {e} one of its events, {k} the most reported cluster
WEB = (
    ("page /", "/"),
    ("page /country/{c}", "/country/{c}"),
    ("page /dyad/{a}/{b}", "/dyad/{a}/{b}"),
    ("page /event/{e}", "/event/{e}"),
    ("page /search", "/search"),
    ("page /search?quad=4&page_number=3", "/search?quad=4&page_number=3"),
    ("page /try", "/try"),
    ("GET /api/stats", "/api/stats"),
    ("GET /api/events", "/api/events"),
    ("GET /api/events?actor={c}&since&until", "/api/events?actor={c}&since=2010-01-01&until=2012-12-31"),
    ("GET /api/events?type=ACCUSE&q=minister", "/api/events?type=ACCUSE&q=minister"),
    ("GET /api/events?q=minister", "/api/events?q=minister"),
    ("GET /api/events/{e}", "/api/events/{e}"),
    ("GET /api/dyads/{a}/{b}?by=month", "/api/dyads/{a}/{b}?by=month"),
    ("GET /api/countries/{c}/partners", "/api/countries/{c}/partners"),
    ("GET /api/network", "/api/network"),
    ("GET /api/network?country={c}", "/api/network?country={c}"),
    ("GET /api/clusters?min_reports=2", "/api/clusters?min_reports=2"),
    ("GET /api/clusters/{k}", "/api/clusters/{k}"),
    ("GET /events.csv?actor={c}", "/events.csv?actor={c}"),
)


def analysis_calls(p: dict[str, str]) -> list[tuple[str, Callable[[Store], Any]]]:
    """(name, call) of each analysis function over an open store, with the parameters ``p``."""
    from tieline import analysis
    from tieline.query import cluster_reports, list_clusters

    a, b, c = p["a"], p["b"], p["c"]
    return [
        (f"dyad {a} {b} --by month", lambda s: analysis.dyad(s, a, b, by="month")),
        (f"dyad {a} {b} --by week --since 2010", lambda s: analysis.dyad(s, a, b, by="week", since="2010-01-01")),
        (f"partners {c}", lambda s: analysis.partners(s, c)),
        (f"profile {c} --by year", lambda s: analysis.profile(s, c, by="year")),
        ("timeline --by month", lambda s: analysis.timeline(s, by="month")),
        (f"timeline --country {c} --by week", lambda s: analysis.timeline(s, country=c, by="week")),
        ("network", lambda s: analysis.network(s)),
        ("network --type ASSAULT", lambda s: analysis.network(s, event="ASSAULT")),
        ("clusters --min-reports 2", lambda s: list(list_clusters(s, min_reports=2, limit=50))),
        (f"clusters --actor {c}", lambda s: list(list_clusters(s, actor=c, limit=50))),
        (f"clusters --show {p['k']}", lambda s: cluster_reports(s, p["k"])),
    ]


# ---- the seed -----------------------------------------------------------------------------------
def read_stories(path: Path) -> dict[str, dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return {story["id"]: story for story in map(json.loads, f) if (story.get("text") or "").strip()}


def story_date(story: dict[str, Any]) -> dt.date:
    """The story's date, or for an undated story a day of 2024 taken from its id."""
    if story.get("date"):
        return dt.date.fromisoformat(story["date"][:10])
    day = int(hashlib.sha1(story["id"].encode()).hexdigest(), 16) % 366
    return dt.date(2024, 1, 1) + dt.timedelta(days=day)


def code_seed(stories: dict[str, dict[str, Any]], out: Path) -> None:
    """Code the stories with the rules and write their records as JSON lines."""
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder

    documents = [Document(s["id"], s["text"], story_date(s)) for s in stories.values()]
    with out.open("w", encoding="utf-8") as f:
        for coded in Coder(load_nlp(), event_source="rules").code_documents(documents):
            for record in getattr(coded, "records", ()):
                f.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")


def record_from_json(value: dict[str, Any]) -> EventRecord:
    known = {k: v for k, v in value.items() if k in RECORD_FIELDS}
    actor = Party.from_json(value["actor"])
    assert actor is not None, value["event_id"]
    return EventRecord(**{**known, "actor": actor, "recipient": Party.from_json(value.get("recipient")),
                          "contexts": tuple(value["contexts"]), "sectors": tuple(value["sectors"])},
                       extra={k: v for k, v in value.items() if k not in RECORD_FIELDS})


def load_seed(records_path: Path, stories: dict[str, dict[str, Any]]) -> list[CodedDocument]:
    """Every story as a coded document with its seed records (none for most non-political ones)."""
    by_doc: dict[str, list[EventRecord]] = {}
    with records_path.open(encoding="utf-8") as f:
        for line in f:
            record = record_from_json(json.loads(line))
            by_doc.setdefault(record.doc_id, []).append(record)
    return [CodedDocument(Document(s["id"], s["text"], story_date(s), s.get("title"), s.get("url"), s.get("source")),
                          tuple(by_doc.get(s["id"], ()))) for s in stories.values()]


# ---- copies of the seed -------------------------------------------------------------------------
def shift_date(value: str | None, days: int) -> str | None:
    """A YYYY, YYYY-MM or YYYY-MM-DD date moved back ``days`` days, at its own precision."""
    if not value:
        return value
    padded = value + "-01-01"[len(value) - 4:] if len(value) < 10 else value
    try:
        moved = dt.date.fromisoformat(padded) - dt.timedelta(days=days)
    except ValueError:
        return value
    return moved.isoformat()[:len(value)]


def vary(text: str, k: int) -> str:
    """The text with some of its spaces no-break spaces, chosen by the bits of ``k``: copies of a
    story differ (as stories do, so that DuckDB cannot store a text once for all its copies) while
    its length, its offsets and its words stay the same."""
    pattern = [NBSP if (k >> (n % PATTERN_BITS)) & 1 else " " for n in range(PATTERN_BITS)]
    parts = text.split(" ")
    return "".join(itertools.chain.from_iterable(zip(parts, itertools.cycle(pattern))))[:len(text)]


def copy_of(coded: CodedDocument, k: int, days: int) -> CodedDocument:
    """Copy ``k`` of a seed document: new ids, dates moved back ``days``, spaces varied."""
    doc_id = f"{coded.document.id}~{k}"
    document = coded.document
    text = vary(document.text, k)
    published = document.date - dt.timedelta(days=days) if document.date else None

    def sentence(r: EventRecord) -> str:
        start, end = r.spans["sentence"]
        return text[start:end] if document.text[start:end] == r.sentence else r.sentence

    records = tuple(replace(r, doc_id=doc_id, date=shift_date(r.date, days), sentence=sentence(r),
                            event_id=hashlib.sha1(f"{r.event_id}~{k}".encode()).hexdigest()[:16])
                    for r in coded.records)
    title = vary(document.title, k) if document.title else document.title
    return CodedDocument(replace(document, id=doc_id, text=text, title=title, date=published), records)


def copies(seed: list[CodedDocument], n_records: int, *, first_copy: int = 0,
           n_copies: int | None = None) -> Iterator[CodedDocument]:
    """Copies of the seed, in order, until they hold ``n_records`` records."""
    per_copy = sum(len(c.records) for c in seed)
    n_copies = n_copies or -(-n_records // per_copy)
    written = 0
    k = first_copy
    while written < n_records:
        days = (k % n_copies) * SPAN_DAYS // n_copies
        for coded in seed:
            yield copy_of(coded, k, days)
            written += len(coded.records)
            if written >= n_records:
                return
        k += 1


def timed_write(store: Store, documents: Iterator[CodedDocument], batch: int) -> tuple[int, float]:
    """Write documents through ``Store.write`` in transactions of ``batch``; (records, seconds of
    writing alone, the copying excluded)."""
    records, seconds, chunk = 0, 0.0, []
    for coded in documents:
        chunk.append(coded)
        if len(chunk) >= batch:
            start = time.perf_counter()
            records += store.write(chunk, batch_size=batch).events
            seconds += time.perf_counter() - start
            chunk = []
    if chunk:
        start = time.perf_counter()
        records += store.write(chunk, batch_size=batch).events
        seconds += time.perf_counter() - start
    return records, seconds


def build(db: Path, seed: list[CodedDocument], args: argparse.Namespace) -> dict[str, Any]:
    """Write the store, cluster it, then time a small ingest into it; the figures."""
    from tieline.dedup import deduplicate

    for path in (db, Path(f"{db}.wal")):
        path.unlink(missing_ok=True)
    per_copy = sum(len(c.records) for c in seed)
    n_copies = -(-args.records // per_copy)
    stream = copies(seed, args.records, n_copies=n_copies)
    figures: dict[str, Any] = {"seed_documents": len(seed), "seed_records": per_copy, "copies": n_copies}
    with Store(db) as store:
        first = min(args.ingest_records, args.records)
        n, seconds = timed_write(store, _until(stream, first), INGEST_BATCH)
        figures["ingest_path"] = {"records": n, "seconds": round(seconds, 1), "records_per_s": round(n / seconds)}
        log(f"write, {INGEST_BATCH} documents per transaction: {n:,} records in {seconds:.1f} s")
        n, seconds = timed_write(store, stream, args.bulk_batch)
        figures["bulk_path"] = {"records": n, "seconds": round(seconds, 1), "records_per_s": round(n / seconds),
                                "documents_per_transaction": args.bulk_batch}
        log(f"write, {args.bulk_batch} documents per transaction: {n:,} records in {seconds:.1f} s")
        start = time.perf_counter()
        summary = deduplicate(store, full=True)
        figures["dedup_full"] = {"seconds": round(time.perf_counter() - start, 1), "clusters": summary.clusters}
        log(f"dedup --full: {figures['dedup_full']['seconds']} s, {summary}")
        store.con.execute("CHECKPOINT")
        counts = store.counts()
    figures["size_mb"] = round(db.stat().st_size / 1e6)
    figures["mb_per_million_records"] = round(figures["size_mb"] / (counts["events"] / 1e6))
    # the next week of a feed: a further copy of every story, published a week after the newest
    # (its events as far from its publication as in the seed), written and clustered as `tieline
    # ingest` does
    newest = max(coded.document.date for coded in seed if coded.document.date)
    with Store(db) as store:
        extra = [copy_of(coded, n_copies, (coded.document.date - newest).days - 7 if coded.document.date else -7)
                 for coded in seed]
        start = time.perf_counter()
        written = store.write(extra, batch_size=INGEST_BATCH).events
        wrote = time.perf_counter() - start
        deduplicate(store)
        figures["small_ingest"] = {"documents": len(extra), "records": written, "write_seconds": round(wrote, 2),
                                   "dedup_seconds": round(time.perf_counter() - start - wrote, 2)}
        log(f"the next week: {len(extra)} documents ({written} records) written in {wrote:.2f} s, "
            f"clustered in {figures['small_ingest']['dedup_seconds']} s")
        figures["counts"] = store.counts()
    return figures


def _until(documents: Iterator[CodedDocument], n_records: int) -> Iterator[CodedDocument]:
    """The documents of ``documents`` up to (and with) the one that reaches ``n_records`` records."""
    seen = 0
    for coded in documents:
        yield coded
        seen += len(coded.records)
        if seen >= n_records:
            return


# ---- timing -------------------------------------------------------------------------------------
def parameters(db: Path) -> dict[str, str]:
    """The busiest country, the busiest pair with it, one of its events and the most reported cluster."""
    with Store(db, read_only=True) as store:
        c = store.read("SELECT country FROM event_parties WHERE country IS NOT NULL "
                       "GROUP BY country ORDER BY count(*) DESC, country LIMIT 1").fetchone()[0]
        a, b = store.read("""
            SELECT pa.country, pr.country FROM event_parties pa JOIN event_parties pr USING (event_id)
            WHERE pa.role = 'actor' AND pr.role = 'recipient' AND pa.country = ? AND pr.country <> pa.country
            GROUP BY ALL ORDER BY count(*) DESC, 2 LIMIT 1""", [c]).fetchone()
        e = store.read("SELECT event_id FROM event_parties WHERE country = ? ORDER BY event_id LIMIT 1",
                       [c]).fetchone()[0]
        k = store.read("SELECT cluster_id FROM clusters ORDER BY num_reports DESC, cluster_id LIMIT 1").fetchone()[0]
    return {"a": a, "b": b, "c": c, "e": e, "k": k}


def measure(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(first time, median of ``runs`` more), in ms."""
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return round(first * 1000, 1), round(statistics.median(times) * 1000, 1)


def time_calls(db: Path, p: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from tieline.web import create_app

    out: dict[str, tuple[float, float]] = {}
    with Store(db, read_only=True) as store:
        for name, call in analysis_calls(p):
            out[name] = measure(lambda: call(store), runs)  # noqa: B023 (called at once)
            log(f"{name}: {out[name]}")
    with TestClient(create_app(db), base_url="http://localhost") as client:
        client.get("/api/stats")  # the first request of all pays for imports
        for name, path in WEB:
            url = path.format(**p)

            def get() -> None:
                client.get(url).raise_for_status()  # noqa: B023 (called at once)

            out[name.format(**p)] = measure(get, runs)
            log(f"{name.format(**p)}: {out[name.format(**p)]}")
    return out


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True, file=__import__("sys").stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-records", type=Path, required=True,
                        help="records JSONL (as `tieline code` writes); coded from --stories when missing")
    parser.add_argument("--stories", type=Path, default=DEFAULT_STORIES, help="the stories of the seed records")
    parser.add_argument("--records", type=int, default=5_000_000, help="event records in the store")
    parser.add_argument("--db", type=Path, default=Path("/tmp/tieline-scale.duckdb"))
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each call after the first")
    parser.add_argument("--ingest-records", type=int, default=500_000,
                        help="records written in transactions of 200 documents, as `tieline ingest` commits")
    parser.add_argument("--bulk-batch", type=int, default=20_000, help="documents per transaction of the rest")
    parser.add_argument("--reuse", action="store_true", help="time the existing --db without building it")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    if not args.reuse:
        stories = read_stories(args.stories)
        if not args.seed_records.exists():
            log(f"coding {len(stories)} stories into {args.seed_records}")
            code_seed(stories, args.seed_records)
        figures = build(args.db, load_seed(args.seed_records, stories), args)
    p = parameters(args.db)
    with Store(args.db, read_only=True) as store:
        figures.setdefault("counts", store.counts())
        figures.setdefault("size_mb", round(os.path.getsize(args.db) / 1e6))
    figures["parameters"] = p
    figures["ms"] = time_calls(args.db, p, args.runs)
    if args.json:
        print(json.dumps(figures))
        return
    counts = figures["counts"]
    print(f"store: {counts['events']:,} records, {counts['documents']:,} documents, {figures['size_mb']:,} MB")
    for key in ("ingest_path", "bulk_path", "dedup_full", "small_ingest"):
        if key in figures:
            print(f"  {key}: {figures[key]}")
    print(f"  {'call':50s} {'first':>10s} {'median of ' + str(args.runs):>14s}")
    for name, (first, median) in figures["ms"].items():
        print(f"  {name:50s} {first:7.1f} ms {median:11.1f} ms")


if __name__ == "__main__":
    main()
