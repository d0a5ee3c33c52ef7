"""Pairwise precision and recall of tieline's de-duplication on stories labelled with the
real-world event they report: tests/data/dedup_stories.jsonl (the development set the rules
were tuned on) and tests/data/dedup_heldout*.jsonl (written apart from the rules).

    python -m scripts.dedup_report [GOLD.jsonl ...] [--window DAYS]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tieline.dedup import deduplicate
from tieline.evaluate import gold_documents, load_cluster_gold, score_clustering
from tieline.parse import load_nlp
from tieline.pipeline import Coder
from tieline.query import clusters_by_record
from tieline.store import Store

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SETS = [REPO / "tests" / "data" / name for name in
                ("dedup_stories.jsonl", "dedup_heldout.jsonl", "dedup_heldout2.jsonl")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, default=[p for p in DEFAULT_SETS if p.exists()])
    parser.add_argument("--window", type=int, default=None)
    args = parser.parse_args()
    coder = Coder(load_nlp())
    for path in args.gold:
        stories = load_cluster_gold(path)
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "gold.duckdb") as store:
            store.write(coder.code_documents(gold_documents(stories)))
            deduplicate(store, window_days=args.window)
            result = score_clustering(stories, clusters_by_record(store))
        print(f"{path.name}: {result}")
        for kind, a, b in result.errors:
            print(f"  {kind}: {a} {b}")


if __name__ == "__main__":
    main()
