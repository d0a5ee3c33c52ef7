"""Annotate the news corpus: pick stories, show them, turn drafts into labels, check, count.

usage (from the repository root):
  python -m scripts.corpus_tool queue FILE [--n 20] [--skip 0] [--min-chars 0] [--category C] [--grep WORD]
  python -m scripts.corpus_tool show FILE ID
  python -m scripts.corpus_tool add DRAFT.jsonl --out corpus/labels/NAME.jsonl --annotator NAME
  python -m scripts.corpus_tool check [LABELS...]          (default: corpus/labels)
  python -m scripts.corpus_tool stats [LABELS...]
  python -m scripts.corpus_tool gold LABELS... --split test -o gold.jsonl

A draft is a label line whose evidence is quoted rather than counted: ``sentence`` is a piece of
text that occurs exactly once in the story (the sentence around it is found), and ``trigger``,
``actor_mentions`` and ``recipient_mentions`` are lists of words found inside that sentence
("word#2" for the second occurrence). ``add`` resolves them to character offsets, checks the
story's labels and appends them; the text itself never enters the repository.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from tieline import corpus

REPO = Path(__file__).resolve().parent.parent
NEWS = REPO.parent / "shared" / "data" / "news_corpus"
RESERVED = REPO.parent / "shared" / "eval" / "reserved.txt"
LABELS = REPO / "corpus" / "labels"
EXTRA_KEYS = REPO / "corpus" / "keys.csv"

ABBREVIATIONS = frozenset("mr mrs ms dr st gen col lt sgt capt maj rep sen gov pres prof jan feb mar apr jun jul aug "
                          "sep sept oct nov dec no vs inc corp co ltd jr sr u.s u.n u.k e.u a.m p.m".split())
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s)")


def stories(file: str) -> list[dict[str, Any]]:
    with gzip.open(NEWS / file, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def labelled_ids(paths: list[Path]) -> set[tuple[str, str]]:
    return {(s.file, s.id) for s in corpus.read_labels(paths) if isinstance(s, corpus.LabelledStory)}


def _is_end(text: str, match: re.Match[str]) -> bool:
    """A full stop ends a sentence unless it closes an abbreviation or an initial."""
    if text[match.start()] != ".":
        return True
    word = re.search(r"([\w.]+)$", text[:match.start()])
    token = word.group(1).lower() if word else ""
    if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return False
    nxt = text[match.end():].lstrip()[:1]
    return not nxt or not nxt.islower()


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding text[start:end]: from the last sentence end or line break before it
    to the first one at or after its end."""
    left = text.rfind("\n", 0, start) + 1
    for m in SENTENCE_END.finditer(text, left, start):
        if _is_end(text, m):
            left = m.end()
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    for m in SENTENCE_END.finditer(text, max(end - 1, left), right):
        if _is_end(text, m):
            right = m.end()
            break
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def find_in(text: str, words: str, lo: int, hi: int) -> tuple[int, int]:
    """Offsets of ``words`` (or ``words#N``, the N-th occurrence) inside text[lo:hi]."""
    nth = 1
    if re.search(r"#\d+$", words):
        words, n = words.rsplit("#", 1)
        nth = int(n)
    # whole words only: "he" is not the end of "the"
    pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)" if words[:1].isalnum() and words[-1:].isalnum()
                         else re.escape(words))
    found = [m.start() for m in pattern.finditer(text, lo, hi)]
    if len(found) < nth:
        raise ValueError(f"{words!r} (occurrence {nth}, as whole words) is not in the sentence {text[lo:hi]!r}")
    at = found[nth - 1]
    return at, at + len(words)


def resolve_event(text: str, event: dict[str, Any]) -> dict[str, Any]:
    """A draft event with quoted evidence -> a label event with offsets."""
    out = dict(event)
    quote = event.get("sentence")
    if isinstance(quote, str):
        count = text.count(quote)
        if count != 1:
            raise ValueError(f"sentence quote {quote!r} occurs {count} times in the story; quote more of it")
        at = text.index(quote)
        lo, hi = sentence_around(text, at, at + len(quote))
        out["sentence"] = [lo, hi]
    lo, hi = out["sentence"]
    for field in ("trigger", "actor_mentions", "recipient_mentions"):
        values = event.get(field) or []
        if isinstance(values, str):
            values = [values]
        out[field] = [list(find_in(text, v, lo, hi)) if isinstance(v, str) else v for v in values]
    for key, default in (("alt", []), ("symmetric", False), ("optional", False), ("mode", None), ("date", None),
                         ("location", None)):
        out.setdefault(key, default)
    return out


def cmd_queue(args: argparse.Namespace) -> None:
    reserved = corpus.reserved_ids(RESERVED)
    done = labelled_ids([LABELS])
    rows = [s for s in stories(args.file) if not corpus.is_reserved(s["id"], reserved)
            and (args.file, s["id"]) not in done and len(s.get("text") or "") >= args.min_chars
            and (not args.category or s.get("category") == args.category)
            and (not args.grep or re.search(args.grep, s.get("text") or "", re.I))]
    if args.latest_version:  # one version of a story told several times (Reuters 2020: ID@time)
        latest: dict[str, dict[str, Any]] = {}
        for s in rows:
            latest[s["id"].split("@")[0]] = s
        rows = list(latest.values())
    rows.sort(key=lambda s: hashlib.sha1(s["id"].encode()).hexdigest())
    for s in rows[args.skip:args.skip + args.n]:
        print(f"{s['id']}\t{len(s.get('text') or '')}\t{(s.get('title') or '')[:80]}")


def cmd_show(args: argparse.Namespace) -> None:
    for s in stories(args.file):
        if s["id"] == args.id:
            if corpus.is_reserved(s["id"], corpus.reserved_ids(RESERVED)):
                sys.exit(f"{args.id} is reserved for held-out measurement: never read or label it")
            print(f"id: {s['id']}\ndate: {s.get('date')}\ntitle: {s.get('title')}\nsource: {s.get('source')}\n")
            print(s.get("text") or "")
            return
    sys.exit(f"no story {args.id} in {args.file}")


def cmd_add(args: argparse.Namespace) -> None:
    drafts = [json.loads(line) for line in Path(args.draft).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = corpus.load_texts(NEWS, [(d["file"], d["id"]) for d in drafts])
    extra_keys, reserved = corpus.read_extra_keys(EXTRA_KEYS), corpus.reserved_ids(RESERVED)
    labels: list[dict[str, Any]] = []
    failed = 0
    for n, draft in enumerate(drafts, 1):
        record = texts.get((draft["file"], draft["id"]))
        if record is None:
            print(f"{args.draft}:{n} [{draft['id']}]: no such story in {draft['file']}", file=sys.stderr)
            failed += 1
            continue
        text = record.get("text") or ""
        try:
            events = [resolve_event(text, e) for e in draft.get("events", [])]
        except (ValueError, KeyError, TypeError) as exc:
            print(f"{args.draft}:{n} [{draft['id']}]: {exc}", file=sys.stderr)
            failed += 1
            continue
        label = {"file": draft["file"], "id": draft["id"], "text_sha1": corpus.text_sha1(text),
                 "annotator": args.annotator, "events": events}
        story = corpus.LabelledStory(label["file"], label["id"], label["text_sha1"], args.annotator, tuple(events),
                                     args.draft, n)
        problems = corpus.validate([story], texts, extra_keys=extra_keys, reserved=reserved)
        if problems:
            for p in problems:
                print(p, file=sys.stderr)
            failed += 1
            continue
        labels.append(label)
    out = Path(args.out)
    existing = labelled_ids([out]) if out.exists() else set()
    fresh = [label for label in labels if (label["file"], label["id"]) not in existing]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        for label in fresh:
            f.write(json.dumps(label, ensure_ascii=False) + "\n")
    print(f"{len(fresh)} stories added to {out}, {len(labels) - len(fresh)} already there, {failed} failed")
    if failed:
        sys.exit(1)


def _load(paths: list[str]) -> tuple[list[corpus.LabelledStory], list[Any]]:
    items = list(corpus.read_labels([Path(p) for p in paths] or [LABELS]))
    stories = [i for i in items if isinstance(i, corpus.LabelledStory)]
    return stories, [i for i in items if not isinstance(i, corpus.LabelledStory)]


def cmd_check(args: argparse.Namespace) -> None:
    labelled, problems = _load(args.labels)
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in labelled])
    problems += corpus.validate(labelled, texts, extra_keys=corpus.read_extra_keys(EXTRA_KEYS),
                                reserved=corpus.reserved_ids(RESERVED))
    for p in problems:
        print(p)
    print(f"{len(labelled)} stories, {sum(len(s.events) for s in labelled)} events, {len(problems)} problems")
    sys.exit(1 if problems else 0)


def cmd_stats(args: argparse.Namespace) -> None:
    from collections import Counter

    labelled, _ = _load(args.labels)
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in labelled])
    by_file: Counter[str] = Counter(s.file for s in labelled)
    full: Counter[str] = Counter(s.file for s in labelled if len(texts.get((s.file, s.id), {}).get("text") or "") > 600)
    splits: Counter[str] = Counter(s.split for s in labelled)
    types: Counter[str] = Counter(e["event"] for s in labelled for e in s.events if not e.get("optional"))
    optional: Counter[str] = Counter(e["event"] for s in labelled for e in s.events if e.get("optional"))
    print("| file | stories | over 600 characters |\n|---|---|---|")
    for file, n in sorted(by_file.items()):
        print(f"| {file} | {n} | {full[file]} |")
    print(f"| all | {sum(by_file.values())} | {sum(full.values())} |\n")
    print("| split | stories |\n|---|---|")
    for split in corpus.SPLITS:
        print(f"| {split} | {splits[split]} |")
    print("\n| type | required | optional |\n|---|---|---|")
    for kind in sorted(set(types) | set(optional)):
        print(f"| {kind} | {types[kind]} | {optional[kind]} |")
    print(f"\nstories with no event: {sum(1 for s in labelled if not s.events)}")


def cmd_gold(args: argparse.Namespace) -> None:
    labelled, _ = _load(args.labels)
    labelled = [s for s in labelled if not args.split or s.split == args.split]
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in labelled])
    with open(args.output, "w", encoding="utf-8") as out:
        for doc in corpus.join(labelled, texts):
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(f"{len(labelled)} stories written to {args.output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("queue")
    q.add_argument("file")
    q.add_argument("--n", type=int, default=20)
    q.add_argument("--skip", type=int, default=0)
    q.add_argument("--min-chars", type=int, default=0)
    q.add_argument("--category")
    q.add_argument("--grep", help="only stories whose text matches this regular expression")
    q.add_argument("--latest-version", action="store_true")
    s = sub.add_parser("show")
    s.add_argument("file")
    s.add_argument("id")
    a = sub.add_parser("add")
    a.add_argument("draft")
    a.add_argument("--out", required=True)
    a.add_argument("--annotator", required=True)
    for name in ("check", "stats"):
        c = sub.add_parser(name)
        c.add_argument("labels", nargs="*")
    g = sub.add_parser("gold")
    g.add_argument("labels", nargs="*")
    g.add_argument("--split", choices=corpus.SPLITS)
    g.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    {"queue": cmd_queue, "show": cmd_show, "add": cmd_add, "check": cmd_check, "stats": cmd_stats,
     "gold": cmd_gold}[args.command](args)


if __name__ == "__main__":
    main()
