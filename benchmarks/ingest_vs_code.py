"""Throughput of ``tieline ingest`` (coding, storing and de-duplicating) against ``tieline code``
(coding and writing JSON lines) on the same stories: storage should not be the bottleneck.

Run from the repository root:

    python benchmarks/ingest_vs_code.py [--corpus PATH] [--n 5000] [--json]

Takes the first N records with text from a JSONL(.gz) corpus (default: Reuters-21578 in
../shared/data/news_corpus), writes them to a temporary JSONL file, then in one run times the
two commands as subprocesses, each from start to exit (model loading included for both), into a
fresh database and a fresh output file. Prints stories/s for each and the ratio.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT / ".." / "shared" / "data" / "news_corpus" / "reuters21578.jsonl.gz"


def sample(corpus: Path, n: int, out: Path) -> int:
    opener = gzip.open if corpus.suffix == ".gz" else open
    written = 0
    with opener(corpus, "rt", encoding="utf-8") as source, out.open("w", encoding="utf-8") as target:
        for line in source:
            record = json.loads(line)
            if not (record.get("text") or "").strip():
                continue
            target.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
            if written == n:
                break
    return written


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    tieline = str(Path(sys.executable).parent / "tieline")
    with tempfile.TemporaryDirectory() as tmp:
        stories = Path(tmp) / "stories.jsonl"
        n = sample(args.corpus, args.n, stories)
        code_seconds, _ = timed([tieline, "code", str(stories), "-o", str(Path(tmp) / "out.jsonl")])
        ingest_seconds, ingest_tail = timed([tieline, "ingest", str(stories), "--db", str(Path(tmp) / "t.duckdb")])
        events = sum(1 for _ in (Path(tmp) / "out.jsonl").open(encoding="utf-8"))
    figures = {"stories": n, "events": events, "code_seconds": round(code_seconds, 1),
               "ingest_seconds": round(ingest_seconds, 1), "code_stories_per_s": round(n / code_seconds, 1),
               "ingest_stories_per_s": round(n / ingest_seconds, 1),
               "ingest_over_code": round(code_seconds / ingest_seconds, 3), "dedup": ingest_tail}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{n} stories, {events} events from {args.corpus.name}")
        print(f"tieline code:   {code_seconds:7.1f} s  {figures['code_stories_per_s']:6.1f} stories/s")
        print(f"tieline ingest: {ingest_seconds:7.1f} s  {figures['ingest_stories_per_s']:6.1f} stories/s")
        print(f"ingest throughput / code throughput: {figures['ingest_over_code']:.3f}")
        print(ingest_tail)


if __name__ == "__main__":
    main()
