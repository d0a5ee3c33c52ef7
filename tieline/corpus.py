"""The annotated news corpus: event labels kept as offsets and keys, joined with story texts.

Labels live in the repository (``corpus/labels/*.jsonl``), one story a line, keyed by the news
corpus file and the story's id; they hold character offsets and keys, never the text. The texts
stay in the news corpus folder they came from (``shared/data/news_corpus``); :func:`join` puts
the two together as gold documents in the format ``shared/eval/score.py`` reads.

A label line::

    {"file": "agency_pages.jsonl.gz", "id": "agency-0001", "text_sha1": "…", "annotator": "a1",
     "events": [{"event": "CONSULT", "mode": "visit", "alt": [], "actor": ["TUR"],
                 "recipient": ["CHN"], "symmetric": true, "optional": false,
                 "date": "2023-01-04", "location": {"name": "Ankara", "country": "TUR"},
                 "sentence": [0, 95], "trigger": [[36, 44]], "actor_mentions": [[0, 25]],
                 "recipient_mentions": [[49, 77]]}]}

A story with ``"events": []`` was read and holds no event: it teaches "no event" too.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tieline.lexicon import EVENT_TYPES, Lexicon, default_lexicon
from tieline.store import text_sha1  # the hash the store keeps: one definition of "the same text"
from tieline.types import Problem

SPLITS = ("train", "dev", "test")
TEST_SHARE, DEV_SHARE = 22, 10  # percent of stories; the test split is never trained or tuned on
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
KEY = re.compile(r"^[A-Z][A-Z0-9-]{1,11}$")
EVENT_FIELDS = frozenset({"event", "mode", "alt", "actor", "recipient", "symmetric", "optional", "date", "location",
                          "contexts", "sentence", "trigger", "actor_mentions", "recipient_mentions", "note"})
STORY_FIELDS = frozenset({"file", "id", "text_sha1", "annotator", "events", "note"})


@dataclass(frozen=True)
class LabelledStory:
    """One story's labels, as read from a label file (``path``:``line``)."""

    file: str
    id: str
    text_sha1: str
    annotator: str
    events: tuple[dict[str, Any], ...]
    path: str
    line: int

    @property
    def split(self) -> str:
        return split_of(self.file, self.id)


def story_key(file: str, doc_id: str) -> str:
    """What makes a story one story: versions of a Reuters story (``ID@time``) are one."""
    return f"{file}:{doc_id.split('@', 1)[0]}"


def split_of(file: str, doc_id: str) -> str:
    """The story's split, fixed by a hash of its key: every version of a story, and every pass
    of annotation over it, falls in the same split, whoever labels it and in whatever order."""
    bucket = int(hashlib.sha1(story_key(file, doc_id).encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE else "dev" if bucket < TEST_SHARE + DEV_SHARE else "train"


def read_labels(paths: Iterable[str | Path]) -> Iterator[LabelledStory | Problem]:
    """Label lines from files or folders of ``*.jsonl`` files; malformed lines are problems."""
    for source in paths:
        path = Path(source)
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            with file.open(encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield Problem(str(file), number, f"malformed JSON: {exc.msg}")
                        continue
                    if not isinstance(obj, dict) or not all(isinstance(obj.get(k), str) for k in ("file", "id")) \
                            or not isinstance(obj.get("events"), list):
                        yield Problem(str(file), number, "a label line needs 'file', 'id' and an 'events' list")
                        continue
                    yield LabelledStory(obj["file"], obj["id"], str(obj.get("text_sha1") or ""),
                                        str(obj.get("annotator") or ""), tuple(obj["events"]), str(file), number)


def load_texts(news_dir: str | Path, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The corpus records of the wanted (file, id) pairs, read from ``news_dir``."""
    by_file: dict[str, set[str]] = {}
    for file, doc_id in wanted:
        by_file.setdefault(file, set()).add(doc_id)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for file, ids in by_file.items():
        path = Path(news_dir) / file
        if not path.is_file():
            continue
        opener = gzip.open if file.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record.get("id") in ids:
                    out[(file, record["id"])] = record
    return out


def reserved_ids(path: str | Path) -> tuple[frozenset[str], tuple[str, ...]]:
    """Ids kept for held-out measurement: exact ids (lines with '@') and stories (lines without
    '@', which reserve the id itself and every version ``ID@time``)."""
    exact, prefixes = set(), []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        (exact.add(line) if "@" in line else prefixes.append(line))
    return frozenset(exact), tuple(prefixes)


def is_reserved(doc_id: str, reserved: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    exact, prefixes = reserved
    return doc_id in exact or any(doc_id == p or doc_id.startswith(p + "@") for p in prefixes)


def known_keys(lexicon: Lexicon, extra: Iterable[str] = ()) -> frozenset[str]:
    """Keys a party may carry: ISO3 codes, organisation acronyms, sector types, and extra keys
    declared beside the labels (``corpus/keys.csv``)."""
    keys = {c.iso3 for c in lexicon.countries} | {o.abbrev for o in lexicon.organizations}
    keys |= {o.type for o in lexicon.organizations} | set(lexicon.agents.values())
    return frozenset(keys | set(extra))


def read_extra_keys(path: str | Path) -> frozenset[str]:
    """The first column of ``keys.csv`` (key,name,note): keys the tables do not know yet."""
    file = Path(path)
    if not file.is_file():
        return frozenset()
    lines = file.read_text(encoding="utf-8").splitlines()[1:]
    return frozenset(line.split(",", 1)[0].strip() for line in lines if line.strip())


def _spans(value: object) -> list[tuple[int, int]] | None:
    if not isinstance(value, list) or not all(isinstance(s, list) and len(s) == 2 and all(isinstance(n, int) for n in s)
                                              for s in value):
        return None
    return [(s[0], s[1]) for s in value]


def validate_event(event: Mapping[str, Any], text: str, keys: frozenset[str],
                   modes: Mapping[str, set[str]]) -> list[str]:
    """What is wrong with one labelled event (empty when nothing is)."""
    errors = []
    unknown = set(event) - EVENT_FIELDS
    if unknown:
        errors.append(f"unknown fields {sorted(unknown)}")
    kind = event.get("event")
    if kind not in EVENT_TYPES:
        return errors + [f"event type {kind!r} is not one of the 16 PLOVER types"]
    errors += _coding_errors(event, kind, keys, modes)
    sentence = _spans([event.get("sentence")])
    if sentence is None:
        return errors + ["sentence must be [start, end]"]
    start, end = sentence[0]
    if not 0 <= start < end <= len(text):
        return errors + [f"sentence [{start}, {end}] is outside the text ({len(text)} characters)"]
    for field in ("trigger", "actor_mentions", "recipient_mentions"):
        spans = _spans(event.get(field, []))
        if spans is None:
            errors.append(f"{field} must be a list of [start, end]")
            continue
        if field == "trigger" and not spans:
            errors.append("trigger must mark at least one span")
        errors += [f"{field} {problem}" for s, e in spans for problem in _span_errors(text, s, e, start, end)]
    return errors


def _coding_errors(event: Mapping[str, Any], kind: str, keys: frozenset[str], modes: Mapping[str, set[str]]) -> list[str]:
    """What is wrong with an event's coding: alternatives, mode, keys, flags, date, place."""
    errors = []
    alt = event.get("alt") or []
    if not isinstance(alt, list) or any(a not in EVENT_TYPES or a == kind for a in alt):
        errors.append(f"alt {alt!r} must list other PLOVER types")
    mode = event.get("mode")
    if mode is not None and mode not in modes.get(kind, set()):
        errors.append(f"mode {mode!r} is not a mode of {kind} (one of {sorted(modes.get(kind, set()))})")
    actor = event.get("actor")
    if not isinstance(actor, list) or not actor or not all(isinstance(k, str) for k in actor):
        errors.append("actor must be a non-empty list of keys")
    else:
        errors += [f"unknown actor key {k!r} (add it to corpus/keys.csv if it is right)" for k in actor if k not in keys]
    recipient = event.get("recipient")
    if not isinstance(recipient, list):
        errors.append("recipient must be a list of keys (null in it accepts no recipient)")
    else:
        errors += [f"unknown recipient key {k!r} (add it to corpus/keys.csv if it is right)" for k in recipient
                   if k is not None and (not isinstance(k, str) or k not in keys)]
    for flag in ("symmetric", "optional"):
        if not isinstance(event.get(flag), bool):
            errors.append(f"{flag} must be true or false")
    if kind == "CONSULT" and event.get("symmetric") is False and mode != "third-party":
        # mediation keeps its direction: mediators act, the parties receive
        errors.append("meetings and visits are symmetric (GUIDELINES: CONSULT, symmetric; mediation: mode third-party)")
    date = event.get("date")
    if date is not None and not (isinstance(date, str) and DATE.match(date)):
        errors.append(f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    location = event.get("location")
    if location is not None and (not isinstance(location, dict) or not (location.get("name") or location.get("country"))
                                 or (location.get("country") is not None and location["country"] not in keys)):
        # a sea or a border region may have a name and no country
        errors.append(f"location {location!r} needs a name or a known ISO3 'country'")
    return errors


def _span_errors(text: str, s: int, e: int, start: int, end: int) -> list[str]:
    """What is wrong with a mention span [s, e] of the sentence [start, end]."""
    if not start <= s < e <= end:
        return [f"[{s}, {e}] is not inside the sentence [{start}, {end}]"]
    if text[s:e] != text[s:e].strip():
        return [f"[{s}, {e}] starts or ends with white space"]
    if (s > 0 and text[s - 1].isalnum() and text[s].isalnum()) or (e < len(text) and text[e - 1].isalnum() and text[e].isalnum()):
        return [f"[{s}, {e}] {text[s:e]!r} cuts a word"]
    return []


def validate(stories: Iterable[LabelledStory], texts: Mapping[tuple[str, str], Mapping[str, Any]], *,
             lexicon: Lexicon | None = None, extra_keys: Iterable[str] = (),
             reserved: tuple[frozenset[str], tuple[str, ...]] | None = None) -> list[Problem]:
    """Every label checked against its text, the tables and the guideline rules a program can check."""
    lexicon = lexicon or default_lexicon()
    keys = known_keys(lexicon, extra_keys)
    modes: dict[str, set[str]] = {}
    for kind, mode in lexicon.modes:
        modes.setdefault(kind, set()).add(mode)
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for story in stories:
        def problem(reason: str, story: LabelledStory = story) -> None:
            problems.append(Problem(story.path, story.line, reason, story.id))

        where = f"{story.path}:{story.line}"
        if (story.file, story.id) in seen:
            problem(f"labelled twice in one set (also {seen[(story.file, story.id)]})")
        seen[(story.file, story.id)] = where
        if reserved is not None and is_reserved(story.id, reserved):
            problem("story is reserved for held-out measurement (shared/eval/reserved.txt): never label it")
        record = texts.get((story.file, story.id))
        if record is None:
            problem(f"no story {story.id!r} in {story.file}")
            continue
        text = record.get("text") or ""
        if story.text_sha1 != text_sha1(text):
            problem("text_sha1 does not match the story's text (the corpus changed, or the wrong story)")
            continue
        tuples: set[tuple[str, tuple[str, ...], tuple[str, ...]]] = set()
        for n, event in enumerate(story.events, 1):
            if not isinstance(event, dict):
                problem(f"event {n}: not an object")
                continue
            for error in validate_event(event, text, keys, modes):
                problem(f"event {n} ({event.get('event')}): {error}")
            key = (str(event.get("event")), tuple(map(str, event.get("actor") or [])),
                   tuple(map(str, event.get("recipient") or [])))
            if key in tuples:
                problem(f"event {n}: one record per (type, actor, recipient) per story; {key} is there twice")
            tuples.add(key)
    return problems


GOLD_FIELDS = ("event", "alt", "actor", "recipient", "symmetric", "optional", "date", "location", "contexts")


def join(stories: Iterable[LabelledStory], texts: Mapping[tuple[str, str], Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Gold documents (``shared/eval`` format: id, date, title, text, events) for labelled stories
    whose text is at hand; the evidence offsets ride along on each event."""
    out = []
    for story in stories:
        record = texts.get((story.file, story.id))
        if record is None:
            continue
        events = []
        for event in story.events:
            gold = {k: event[k] for k in GOLD_FIELDS if k in event}
            gold["evidence"] = {k: event[k] for k in ("sentence", "trigger", "actor_mentions", "recipient_mentions")
                                if k in event}
            events.append(gold)
        out.append({"id": story.id, "file": story.file, "split": story.split, "date": record.get("date"),
                    "title": record.get("title"), "text": record.get("text") or "", "events": events})
    return out
