"""The record judge: how likely a finished record is right, learned from the annotated corpus.

A trigger row fires wherever its words stand, but news tells many acts as background, as
campaign talk or as the topic of someone else's statement: on the corpus's train split, 28% of
the records of the rules and the model stood in sentences where the annotators coded nothing.
Whether a record is right depends on facts a record carries: which row or source wrote it and
how sure the model was, whether a party was inferred rather than named, whether the actor is a
pronoun, where in the story the sentence stands, how long the story is.

:class:`RecordJudge` is a logistic regression over such features (:func:`record_features`),
fitted on the train split's records and rescaled on the dev split
(``scripts/train_judge.py``). Its probability becomes a record's ``confidence``; records below
the judge's floor are left out, unless the caller sets a lower ``min_confidence`` (setting
``min_confidence`` to 0 keeps every record, with its confidence). The weights are a JSON file
beside the model (``judge.json``): every feature and weight can be read.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tieline.errors import ModelError
from tieline.types import EventRecord, Party

JUDGE_FILE = "judge.json"  # beside the model (tieline/data/model/)
# Who wrote a record: the model alone, the rules with the model agreeing, the rules with the model
# judging otherwise, the rules where the model could not read the pair.
MODEL, BOTH, RULES, RULES_UNJUDGED = "model", "both", "rules", "rules-unjudged"
RULE_PROBABILITY = re.compile(r"(?:^|\+ |; )model (\d\.\d+)")
INFERRED_PARTY_MARKS = ("+implied-recipient", "+unidentified-actor", "recipient from the story")
ROW = re.compile(r"^(?:model \d\.\d+ at )?(triggers\.csv:\d+)")
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "his", "her", "its", "their", "our", "him",
                      "them", "us", "my"})
QUOTE = re.compile(r"[\"“”]")
POSITION_BINS = 5  # fifths of the story
LONG_STORY = 3000  # characters: analysis and features, more background than news


def record_source(rule: str) -> tuple[str, float | None]:
    """Which source wrote a record, and the model's probability, read back from its rule."""
    found = RULE_PROBABILITY.search(rule)
    if found is None:
        return RULES_UNJUDGED, None
    probability = float(found.group(1))
    if rule.startswith("model "):
        return MODEL, probability
    return (BOTH if found.group(0).startswith("+") else RULES), probability


@dataclass(frozen=True)
class StoryFacts:
    """What the judge reads of a story's records as a whole, counted once per story."""

    records: int
    main: tuple[str, ...]  # the story's parties: the (at most two) countries its records name most
    acts: Counter[tuple[object, ...]]  # records per act (type and parties)
    acts_in_sentence: Counter[tuple[tuple[object, ...], int]]  # records per act and sentence
    in_sentence: Counter[int]  # records per sentence

    @classmethod
    def of(cls, story: Sequence[EventRecord]) -> StoryFacts:
        # members in text order, not the set of countries: between equal counts the first named
        # wins, the same in every process (a set's order changes with the hash seed)
        countries = Counter(c for r in story for party in (r.actor, r.recipient) if party is not None
                            for c in dict.fromkeys(m.country for m in party.members) if c)
        return cls(len(story), tuple(c for c, _ in countries.most_common(2)), Counter(_act(r) for r in story),
                   Counter((_act(r), r.sentence_start) for r in story), Counter(r.sentence_start for r in story))


def record_features(record: EventRecord, story: Sequence[EventRecord] | StoryFacts,
                    story_length: int) -> dict[str, float]:
    """What the judge reads of a record, among the records of its story (or their
    :class:`StoryFacts`): names of binary facts (value 1) and a few numbers."""
    facts = story if isinstance(story, StoryFacts) else StoryFacts.of(story)
    return {f"type={record.event}": 1.0, **_source_features(record),
            **_party_features(record), **_place_features(record, story_length), **_story_features(record, facts)}


def _source_features(record: EventRecord) -> dict[str, float]:
    """Which row or source wrote it, how sure the model was, which party was inferred."""
    source, probability = record_source(record.rule)
    features = {f"source={source}": 1.0, f"type_source={record.event}:{source}": 1.0}
    if probability is not None:
        features["model_probability"] = probability
        features[f"model_probability={source}:{min(int(probability * 5), 4)}"] = 1.0
    row = ROW.match(record.rule)
    if row is not None:
        features[f"row={row.group(1)}:{record.event}"] = 1.0
    for mark in INFERRED_PARTY_MARKS:
        if mark in record.rule:
            features[mark.strip("+")] = 1.0
    return features


def _party_features(record: EventRecord) -> dict[str, float]:
    features = {f"actor_type={record.actor.first.type}": 1.0}
    actor_text = _first_text(record.actor)
    if not actor_text:
        features["actor_unnamed"] = 1.0
    elif actor_text.lower() in PRONOUNS:
        features["actor_pronoun"] = 1.0
    if record.recipient is None:
        features["no_recipient"] = features[f"no_recipient={record.event}"] = 1.0
    else:
        if record.actor.countries() & record.recipient.countries() - {None}:
            features["domestic"] = 1.0
        if _first_text(record.recipient).lower() in PRONOUNS:
            features["recipient_pronoun"] = 1.0
    return features


def _place_features(record: EventRecord, story_length: int) -> dict[str, float]:
    """Where the sentence stands in the story, and what it is like: the lead is the news."""
    start = record.sentence_start
    position = start / max(story_length, 1)
    features = {f"position={min(int(position * POSITION_BINS), POSITION_BINS - 1)}": 1.0,
                f"story_length={min(int(math.log2(max(story_length, 200) / 200)), 6)}": 1.0,
                f"sentence_words={min(len(record.sentence.split()) // 15, 4)}": 1.0}
    if start < 5 or position < 0.02:
        features["first_sentence"] = 1.0
    if story_length > LONG_STORY:
        features["long_story"] = 1.0
    if QUOTE.search(record.sentence):
        features["quote"] = 1.0
    for flag in ("negated", "future", "hypothetical"):
        if getattr(record, flag):
            features[flag] = 1.0
    return features


def _story_features(record: EventRecord, facts: StoryFacts) -> dict[str, float]:
    features = {f"records_in_story={min(facts.records // 3, 5)}": 1.0}
    if facts.main and facts.main[0] in record.actor.countries():
        features["actor_main_party"] = 1.0
    if record.recipient is not None and set(facts.main) & record.recipient.countries():
        features["recipient_main_party"] = 1.0
    if facts.in_sentence[record.sentence_start] > 1:
        features["another_in_sentence"] = 1.0
    act = _act(record)
    if facts.acts[act] > facts.acts_in_sentence[act, record.sentence_start]:
        features["told_again"] = 1.0  # the story comes back to it in another sentence: its news, not background
    return features


def _act(record: EventRecord) -> tuple[object, ...]:
    return (record.event, record.actor.keys(), record.recipient.keys() if record.recipient is not None else ())


def _first_text(party: Party | None) -> str:
    return (party.first.text or "") if party is not None else ""


def load_judge(model_dir: Path) -> RecordJudge | None:
    """The judge beside a model (``judge.json``), or None when the model has none."""
    path = model_dir / JUDGE_FILE
    return RecordJudge.read(path) if path.is_file() else None


@dataclass(frozen=True)
class RecordJudge:
    """A logistic regression over :func:`record_features`, then rescaled (``scale``, ``shift``)
    so that its probabilities match the share of dev records that were right.

    Args:
        weights: a weight per feature name; features it does not know weigh nothing.
        bias: the intercept.
        scale, shift: the rescaling of the logit, fitted on dev.
        floor: records less likely right than this are left out by default.
    """

    weights: dict[str, float]
    bias: float
    scale: float = 1.0
    shift: float = 0.0
    floor: float = 0.0

    @classmethod
    def read(cls, path: Path) -> RecordJudge:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]),
                       float(data.get("scale", 1.0)), float(data.get("shift", 0.0)), float(data.get("floor", 0.0)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"{path}: not a tieline record judge ({exc})") from exc

    def logit(self, features: dict[str, float]) -> float:
        """The regression's own log-odds, before rescaling."""
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def probability(self, features: dict[str, float]) -> float:
        z = self.scale * self.logit(features) + self.shift
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def judge(self, records: Sequence[EventRecord], story_length: int) -> list[EventRecord]:
        """The records with their confidence: the judge's probability that each is right."""
        facts = StoryFacts.of(records)
        return [replace(r, confidence=round(self.probability(record_features(r, facts, story_length)), 3))
                for r in records]
