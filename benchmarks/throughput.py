"""Throughput of tieline against the bare spaCy pipeline it runs on.

Run from the repository root:

    python benchmarks/throughput.py [--corpus PATH] [--n 1000] [--processes 1]
                                    [--batch-size 64] [--events auto|rules|model|hybrid ...]
                                    [--parse-all] [--workers N] [--rounds K] [--json]

Reads the first N records with non-empty text from a JSONL(.gz) corpus (default:
../shared/data/news_corpus/reuters21578.jsonl.gz relative to the repo root), then in
one run times (a) ``list(nlp.pipe(texts))`` and (b) ``list(coder.code(documents))`` on
the same texts, each after a warm-up on 20 texts; with several ``--events`` sources, (b) is timed
once per source, so that the rules and the learned model are compared in one run. tieline parses
only the sentences its first pass picks (tieline.prefilter); ``--parse-all`` also times it parsing
every sentence, and the share of sentences and characters parsed is reported. ``--workers N``
also times, in the same run, bare spaCy with ``nlp.pipe(n_process=N)`` and tieline's own
worker processes (``tieline.workers.WorkerCoder``, as ``tieline code --workers N`` runs), each
against its one-process figure. ``--rounds K`` times every side K times, one side after another
in each round, and reports each side's median (the clock of a shared machine swings by a tenth or
more between minutes). With ``--processes N`` (N > 1) every side runs in a
multiprocessing Pool over N chunks, each worker loading its own model. Model loading and
warm-up are never timed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import multiprocessing as mp
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tieline.parse import load_nlp
from tieline.pipeline import Coder
from tieline.prefilter import FilterCounts
from tieline.settings import DEFAULTS, EVENT_SOURCES
from tieline.types import Document

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT / ".." / "shared" / "data" / "news_corpus" / "reuters21578.jsonl.gz"
WARMUP = 20

_state: dict[str, Any] = {}  # per-process model (worker globals)


def read_documents(path: Path, n: int) -> list[Document]:
    """First ``n`` records of a JSONL(.gz) file that have non-empty text."""
    opener = gzip.open if path.suffix == ".gz" else open
    docs: list[Document] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = (rec.get("text") or "").strip()
            if not text:
                continue
            date = None
            if rec.get("date"):
                try:
                    date = dt.date.fromisoformat(str(rec["date"])[:10])
                except ValueError:
                    pass
            docs.append(Document(id=str(rec.get("id", len(docs))), text=text,
                                 date=date, title=rec.get("title")))
            if len(docs) >= n:
                break
    return docs


def _coder_options(side: str) -> dict[str, Any]:
    """The Coder's options of a ``tieline:SOURCE[:all]`` side."""
    parts = side.split(":")
    return {"event_source": parts[1], "parse_all": "all" in parts[2:],
            "model_threads": _state.get("model_threads", DEFAULTS["model_threads"])}


def _init(side: str, batch_size: int, warmup: list[Document], barrier: Any) -> None:
    """Load the model (and Coder) in this process and warm it up. A side is ``spacy`` or
    ``tieline:SOURCE`` (``tieline:SOURCE:all`` parsing every sentence)."""
    nlp = load_nlp(stock=side == "spacy")  # bare spaCy as users have it, or tieline's pipeline
    _state.update(nlp=nlp, batch_size=batch_size)
    if side == "spacy":
        list(nlp.pipe([d.text for d in warmup], batch_size=batch_size))
    else:
        _state["coder"] = Coder(nlp, batch_size=batch_size, **_coder_options(side))
        list(_state["coder"].code(warmup))
        if _state["coder"].prefilter is not None:
            _state["coder"].prefilter.counts = FilterCounts()
    if barrier is not None:
        barrier.wait()


def _run(side: str, docs: Sequence[Document]) -> tuple[int, FilterCounts | None]:
    """Process ``docs``; return the number of events (0 for bare spaCy) and what the first pass kept."""
    if side == "spacy":
        list(_state["nlp"].pipe([d.text for d in docs], batch_size=_state["batch_size"]))
        return 0, None
    coder = _state["coder"]
    events = len([ev.to_dict() for ev in coder.code(docs)])
    return events, coder.prefilter.counts if coder.prefilter is not None else None


def _add(counts: Sequence[FilterCounts | None]) -> FilterCounts | None:
    if not any(counts):
        return None
    total = FilterCounts()
    for c in counts:
        if c is not None:
            for name in ("sentences", "kept", "chars", "kept_chars"):
                setattr(total, name, getattr(total, name) + getattr(c, name))
    return total


def measure_parallel(side: str, docs: list[Document], workers: int, batch_size: int) -> tuple[float, int]:
    """Seconds and event count of bare spaCy's ``n_process`` (``spacy``) or tieline's worker
    processes (``tieline:SOURCE``), each worker warmed up before the clock starts."""
    if side == "spacy":
        nlp = load_nlp(stock=True)  # bare spaCy, as users have it
        warm = [d.text for d in docs[:WARMUP * workers]]
        list(nlp.pipe(warm, batch_size=batch_size, n_process=workers))
        t0 = time.perf_counter()
        list(nlp.pipe([d.text for d in docs], batch_size=batch_size, n_process=workers))
        return time.perf_counter() - t0, 0
    from tieline.workers import CHUNK_DOCUMENTS, CoderSpec, WorkerCoder

    options = {**_coder_options(side), "model_threads": 1}
    with WorkerCoder(CoderSpec(None, batch_size, options=tuple(sorted(options.items()))), workers=workers) as pool:
        list(pool.code(docs[:CHUNK_DOCUMENTS * workers * 2]))  # every worker loads its model
        t0 = time.perf_counter()
        events = len([ev.to_dict() for ev in pool.code(docs)])
        return time.perf_counter() - t0, events


def measure(side: str, docs: list[Document], processes: int, batch_size: int) -> tuple[float, int, FilterCounts | None]:
    """Seconds, event count and the first pass's counts for one side, in-process or over a Pool."""
    warmup = docs[:WARMUP]
    if processes <= 1:
        _init(side, batch_size, warmup, None)
        t0, c0 = time.perf_counter(), time.process_time()
        events, counts = _run(side, docs)
        _state["cpu_seconds"] = time.process_time() - c0
        return time.perf_counter() - t0, events, counts
    ctx = mp.get_context()
    barrier = ctx.Barrier(processes + 1)
    size = -(-len(docs) // processes)
    chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
    with ctx.Pool(processes, initializer=_init, initargs=(side, batch_size, warmup, barrier)) as pool:
        barrier.wait(timeout=900)  # every worker has loaded and warmed up its model
        t0 = time.perf_counter()
        results = pool.starmap(_run, [(side, chunk) for chunk in chunks], chunksize=1)
        return time.perf_counter() - t0, sum(r[0] for r in results), _add([r[1] for r in results])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) corpus")
    ap.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    ap.add_argument("--processes", type=int, default=1, help="worker processes per side")
    ap.add_argument("--batch-size", type=int, default=64, help="nlp.pipe / Coder batch size")
    ap.add_argument("--events", nargs="+", default=["auto"], choices=EVENT_SOURCES,
                    help="event sources to time, each against the same bare spaCy run (default: auto)")
    ap.add_argument("--model-threads", type=int, default=None,
                    help="threads of the learned model (default: the setting model_threads in one process, one per "
                         "process with --processes)")
    ap.add_argument("--parse-all", action="store_true",
                    help="also time tieline parsing every sentence (the setting parse_all)")
    ap.add_argument("--workers", type=int, default=1,
                    help="also time N processes: spaCy's nlp.pipe(n_process=N) and tieline's worker processes")
    ap.add_argument("--rounds", type=int, default=1,
                    help="time every side this many times, in rounds, and report each side's median")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    corpus: Path = args.corpus.resolve()
    if not corpus.is_file():
        sys.exit(f"corpus not found: {corpus}\n(pass another JSONL(.gz) file with --corpus PATH)")
    _state["model_threads"] = args.model_threads or (1 if args.processes > 1 else DEFAULTS["model_threads"])
    docs = read_documents(corpus, args.n)
    if not docs:
        sys.exit(f"no records with text in {corpus}")
    words = sum(len(d.text.split()) for d in docs)

    rows: dict[str, dict[str, float | int | None]] = {}
    seconds: dict[str, float] = {}
    sides = ["spacy", *(f"tieline:{source}" for source in args.events)]
    if args.parse_all:
        sides += [f"tieline:{source}:all" for source in args.events]
    shares: dict[str, dict[str, float]] = {}

    def row(secs: float, events: int | None) -> dict[str, float | int | None]:
        return {"articles": len(docs), "words": words, "seconds": round(secs, 3),
                "articles_per_s": round(len(docs) / secs, 1), "words_per_s": round(words / secs, 1),
                "events": events}

    # every side once per round, the rounds one after another: a side's figure is its median over
    # the rounds, so that a slow spell of a shared machine does not fall on one side only
    walls: dict[str, list[float]] = {side: [] for side in sides}
    cpus: dict[str, list[float]] = {side: [] for side in sides}
    found: dict[str, int] = {}
    for _ in range(args.rounds):
        for side in sides:
            secs, events, counts = measure(side, docs, args.processes, args.batch_size)
            walls[side].append(secs)
            found[side] = events
            cpus[side].append(_state.get("cpu_seconds", 0.0))
            if counts is not None:
                shares[side] = {"sentences": round(counts.share, 3),
                                "characters": round(counts.kept_chars / counts.chars, 3) if counts.chars else 1.0}
    for side in sides:
        seconds[side] = statistics.median(walls[side])
        rows[side] = row(seconds[side], found[side] if side != "spacy" else None)
        if args.processes <= 1:  # CPU time of this process (every thread): less swayed by other load than the clock
            rows[side]["cpu_seconds"] = round(statistics.median(cpus[side]), 3)
        if args.rounds > 1:
            rows[side]["seconds_per_round"] = [round(x, 3) for x in walls[side]]
    # same texts: throughput ratios
    ratios = {side: round(seconds["spacy"] / seconds[side], 3) for side in sides[1:]}
    cpu_ratios = {side: round(float(rows["spacy"]["cpu_seconds"] or 0) / float(rows[side]["cpu_seconds"] or 1), 3)
                  for side in sides[1:] if "cpu_seconds" in rows[side]}
    if args.workers > 1:  # tieline's workers first: the peak memory of finished child processes is theirs
        for side in [*(f"tieline:{source}" for source in args.events), "spacy"]:
            name = f"{side}:x{args.workers}"
            secs, events = measure_parallel(side, docs, args.workers, args.batch_size)
            seconds[name] = secs
            rows[name] = row(secs, events if side != "spacy" else None)
            if side != "spacy":
                rows[name]["largest_worker_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
            ratios[f"{name} over {side}"] = round(seconds[side] / secs, 3)

    if args.json:
        print(json.dumps({"corpus": str(corpus), "processes": args.processes,
                          "batch_size": args.batch_size, **rows,
                          "ratio_tieline_over_spacy": ratios, "cpu_ratio_tieline_over_spacy": cpu_ratios,
                          "share_parsed": shares}, indent=2))
        return 0
    print(f"{corpus.name}: processes={args.processes} batch_size={args.batch_size}")
    print_report(rows, ratios, cpu_ratios, shares)
    return 0


def print_report(rows: dict[str, dict[str, Any]], ratios: dict[str, float], cpu_ratios: dict[str, float],
                 shares: dict[str, dict[str, float]]) -> None:
    fmt: Callable[..., str] = "{:<22} {:>9} {:>10} {:>9} {:>11} {:>11} {:>8}".format
    print(fmt("", "articles", "words", "seconds", "articles/s", "words/s", "events"))
    for side, r in rows.items():
        print(fmt(side, r["articles"], r["words"], f"{r['seconds']:.2f}", f"{r['articles_per_s']:.1f}",
                  f"{r['words_per_s']:.0f}", "-" if r["events"] is None else r["events"]))
    for side, ratio in ratios.items():
        print(f"throughput ratio {side}: {ratio:.3f}" if " over " in side
              else f"throughput ratio {side}/spaCy: {ratio:.3f}")
    for side, ratio in cpu_ratios.items():
        print(f"CPU-time ratio {side}/spaCy: {ratio:.3f}")
    for side, r in rows.items():
        if "largest_worker_mb" in r:
            print(f"{side}: peak memory of the largest worker process {r['largest_worker_mb']} MB")
    for side, share in shares.items():
        print(f"{side} parsed {share['sentences']:.1%} of sentences, {share['characters']:.1%} of characters")


if __name__ == "__main__":
    raise SystemExit(main())
