"""Agreement between two independent annotation passes, measured with the project's scorer.

usage: python -m scripts.corpus_agreement [--first corpus/labels] [--second corpus/agreement] [--by-type]

Over the stories both passes labelled, each pass in turn is the gold and the other's required
events the predictions (a label's party becomes a party carrying each of its keys, which the
scorer matches through any of them, as it matches a compound party). The F1 is the ceiling a
coder can reach on this corpus: two careful people following the same guidelines agree this much.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tieline import corpus
from tieline.evaluate import Score, format_score, score

REPO = Path(__file__).resolve().parent.parent
NEWS = REPO.parent / "shared" / "data" / "news_corpus"


def as_predictions(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The required events of gold documents, written as the coder writes records."""

    def party(keys: list[str | None]) -> list[dict[str, str]] | None:
        members = [{"abbrev": k} for k in keys if k]
        return members or None

    return [{"doc_id": doc["id"], "event": event["event"], "actor": party(event["actor"]),
             "recipient": party(event.get("recipient") or []), "date": event.get("date"),
             "location": event.get("location"), "negated": False}
            for doc in docs for event in doc["events"] if not event.get("optional")]


def both_ways(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> tuple[Score, Score]:
    return score(first, as_predictions(second)), score(second, as_predictions(first))


def agreement(first: list[corpus.LabelledStory], second: list[corpus.LabelledStory],
              texts: dict[tuple[str, str], dict[str, Any]]) -> tuple[list[tuple[str, str]], Score, Score]:
    """The (file, id) of the stories both passes labelled, and each pass scored as gold against the
    other (``texts`` must hold those stories)."""
    one = {(s.file, s.id): s for s in first}
    two = {(s.file, s.id): s for s in second}
    shared = sorted(set(one) & set(two))
    forward, backward = both_ways(corpus.join([one[k] for k in shared], texts),
                                  corpus.join([two[k] for k in shared], texts))
    return shared, forward, backward


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--first", default=str(REPO / "corpus" / "labels"))
    parser.add_argument("--second", default=str(REPO / "corpus" / "agreement"))
    parser.add_argument("--by-type", action="store_true")
    args = parser.parse_args()
    first = [s for s in corpus.read_labels([args.first]) if isinstance(s, corpus.LabelledStory)]
    second = [s for s in corpus.read_labels([args.second]) if isinstance(s, corpus.LabelledStory)]
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in second])
    shared, one, other = agreement(first, second, texts)
    print(f"{len(shared)} stories labelled by both passes")
    print("\nsecond pass scored against the first:\n" + format_score(one, by_type=args.by_type))
    print("\nfirst pass scored against the second:\n" + format_score(other, by_type=args.by_type))
    print(f"\nagreement F1 (mean of both directions): {(one.f1 + other.f1) / 2:.3f}")


if __name__ == "__main__":
    main()
