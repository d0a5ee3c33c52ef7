"""Throughput of tieline against the bare spaCy pipeline it runs on.

Run from the repository root:

    python benchmarks/throughput.py [--corpus PATH] [--n 1000] [--processes 1]
                                    [--batch-size 64] [--events auto|rules|model|hybrid ...] [--json]

Reads the first N records with non-empty text from a JSONL(.gz) corpus (default:
../shared/data/news_corpus/reuters21578.jsonl.gz relative to the repo root), then in
one run times (a) ``list(nlp.pipe(texts))`` and (b) ``list(coder.code(documents))`` on
the same texts, each after a warm-up on 20 texts; with several ``--events`` sources, (b) is timed
once per source, so that the rules and the learned model are compared in one run. With ``--processes N`` (N > 1) both
sides run in a multiprocessing Pool over N chunks, each worker loading its own model,
so the two figures stay comparable. Model loading and warm-up are never timed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import multiprocessing as mp
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tieline.parse import load_nlp
from tieline.pipeline import Coder
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


def _init(side: str, batch_size: int, warmup: list[Document], barrier: Any) -> None:
    """Load the model (and Coder) in this process and warm it up. A side is ``spacy`` or
    ``tieline:SOURCE``."""
    nlp = load_nlp()
    _state.update(nlp=nlp, batch_size=batch_size)
    if side == "spacy":
        list(nlp.pipe([d.text for d in warmup], batch_size=batch_size))
    else:
        _state["coder"] = Coder(nlp, batch_size=batch_size, event_source=side.split(":", 1)[1],
                                model_threads=_state.get("model_threads", DEFAULTS["model_threads"]))
        list(_state["coder"].code(warmup))
    if barrier is not None:
        barrier.wait()


def _run(side: str, docs: Sequence[Document]) -> int:
    """Process ``docs``; return the number of events (0 for bare spaCy)."""
    if side == "spacy":
        list(_state["nlp"].pipe([d.text for d in docs], batch_size=_state["batch_size"]))
        return 0
    return len([ev.to_dict() for ev in _state["coder"].code(docs)])


def measure(side: str, docs: list[Document], processes: int, batch_size: int) -> tuple[float, int]:
    """Seconds and event count for one side, in-process or over a Pool."""
    warmup = docs[:WARMUP]
    if processes <= 1:
        _init(side, batch_size, warmup, None)
        t0 = time.perf_counter()
        events = _run(side, docs)
        return time.perf_counter() - t0, events
    ctx = mp.get_context()
    barrier = ctx.Barrier(processes + 1)
    size = -(-len(docs) // processes)
    chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
    with ctx.Pool(processes, initializer=_init, initargs=(side, batch_size, warmup, barrier)) as pool:
        barrier.wait(timeout=900)  # every worker has loaded and warmed up its model
        t0 = time.perf_counter()
        counts = pool.starmap(_run, [(side, chunk) for chunk in chunks], chunksize=1)
        return time.perf_counter() - t0, sum(counts)


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
    for side in sides:
        secs, events = measure(side, docs, args.processes, args.batch_size)
        seconds[side] = secs
        rows[side] = {"articles": len(docs), "words": words, "seconds": round(secs, 3),
                      "articles_per_s": round(len(docs) / secs, 1),
                      "words_per_s": round(words / secs, 1),
                      "events": events if side != "spacy" else None}
    # same texts: throughput ratios
    ratios = {side: round(seconds["spacy"] / seconds[side], 3) for side in sides[1:]}

    if args.json:
        print(json.dumps({"corpus": str(corpus), "processes": args.processes,
                          "batch_size": args.batch_size, **rows,
                          "ratio_tieline_over_spacy": ratios}, indent=2))
        return 0
    fmt: Callable[..., str] = "{:<15} {:>9} {:>10} {:>9} {:>11} {:>11} {:>8}".format
    print(f"{corpus.name}: processes={args.processes} batch_size={args.batch_size}")
    print(fmt("", "articles", "words", "seconds", "articles/s", "words/s", "events"))
    for side, r in rows.items():
        print(fmt(side, r["articles"], r["words"], f"{r['seconds']:.2f}", f"{r['articles_per_s']:.1f}",
                  f"{r['words_per_s']:.0f}", "-" if r["events"] is None else r["events"]))
    for side, ratio in ratios.items():
        print(f"throughput ratio {side}/spaCy: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
