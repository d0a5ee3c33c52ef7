"""Write docs/corpus.md: what the annotated corpus holds, its splits and the agreement between passes.

usage: python -m scripts.corpus_report [--out docs/corpus.md]

Needs the news texts (../shared/data/news_corpus) to count full articles and to score agreement.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from scripts.corpus_agreement import agreement
from tieline import corpus
from tieline.evaluate import Score

REPO = Path(__file__).resolve().parent.parent
NEWS = REPO.parent / "shared" / "data" / "news_corpus"
FULL_ARTICLE = 600  # characters: shorter items are headline snippets


def _stories(folder: Path) -> list[corpus.LabelledStory]:
    return [s for s in corpus.read_labels([folder]) if isinstance(s, corpus.LabelledStory)]


def _agreement_rows(name: str, result: Score) -> str:
    return f"| {name} | {result.precision:.3f} | {result.recall:.3f} | {result.f1:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(REPO / "docs" / "corpus.md"))
    args = parser.parse_args()
    first = _stories(REPO / "corpus" / "labels")
    second = _stories(REPO / "corpus" / "agreement")
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in first + second])
    lines = ["# The annotated news corpus", "",
             "Written by `python -m scripts.corpus_report` from `corpus/labels` and `corpus/agreement`; "
             "the format, the conventions and how to add stories are in `corpus/README.md`.", ""]

    by_file: Counter[str] = Counter(s.file for s in first)
    full: Counter[str] = Counter(s.file for s in first
                                 if len(texts.get((s.file, s.id), {}).get("text") or "") > FULL_ARTICLE)
    empty: Counter[str] = Counter(s.file for s in first if not s.events)
    split_file: Counter[tuple[str, str]] = Counter((s.file, s.split) for s in first)
    lines += ["## Stories", "", "| corpus file | stories | full articles (over 600 characters) | with no event | "
              "train | dev | test |", "|---|---|---|---|---|---|---|"]
    for file, n in sorted(by_file.items()):
        lines.append(f"| `{file}` | {n} | {full[file]} | {empty[file]} | " +
                     " | ".join(str(split_file[(file, split)]) for split in corpus.SPLITS) + " |")
    lines.append(f"| all | {len(first)} | {sum(full.values())} | {sum(empty.values())} | " +
                 " | ".join(str(sum(1 for s in first if s.split == split)) for split in corpus.SPLITS) + " |")

    required: Counter[tuple[str, str]] = Counter()
    optional: Counter[tuple[str, str]] = Counter()
    for s in first:
        for e in s.events:
            (optional if e.get("optional") else required)[(e["event"], s.split)] += 1
    types = sorted({k for k, _ in required} | {k for k, _ in optional})
    lines += ["", "## Events by type", "",
              "Required events are what a coder must find; optional ones (background, speculation, doubtful "
              "readings) cost nothing when missed and are no false positive when found.", "",
              "| type | required | of which test | optional |", "|---|---|---|---|"]
    for kind in types:
        req = sum(n for (k, _), n in required.items() if k == kind)
        opt = sum(n for (k, _), n in optional.items() if k == kind)
        lines.append(f"| {kind} | {req} | {required[(kind, 'test')]} | {opt} |")
    lines.append(f"| all | {sum(required.values())} | {sum(n for (_, sp), n in required.items() if sp == 'test')} "
                 f"| {sum(optional.values())} |")

    shared, forward, backward = agreement(first, second, texts)
    if shared:
        files = Counter(f for f, _ in shared)
        lines += ["", "## Agreement between two independent passes", "",
                  f"{len(shared)} stories were labelled twice, by annotators who did not see each other's "
                  f"labels ({', '.join(f'{n} from `{f}`' for f, n in sorted(files.items()))}). Each pass is scored "
                  "as gold against the other's required events as predictions, with the project's scorer "
                  "(`python -m scripts.corpus_agreement`):", "",
                  "| gold | precision | recall | F1 |", "|---|---|---|---|",
                  _agreement_rows("first pass", forward), _agreement_rows("second pass", backward), "",
                  f"The agreement F1, {(forward.f1 + backward.f1) / 2:.3f} (the mean of both directions), is the "
                  "ceiling a coder can be expected to reach on this corpus. Both passes were made by instances of "
                  "one language model working to the same guidelines and conventions, so they share more than two "
                  "human annotators would: read the figure as an upper bound of the real ceiling."]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
