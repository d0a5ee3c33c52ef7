"""Score coded events against gold documents, the way ``shared/eval/score.py`` does.

Document level: per document, predictions are reduced to unique (event, actor, recipient)
tuples; precision counts tuples that match some gold event (required or optional), recall
counts required gold events matched by some prediction. A predicted party matches a gold key
through its country, code, abbrev, type, name or text. Negated predictions are ignored.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tieline.errors import InputError
from tieline.read import parse_date
from tieline.types import Document

Party = Mapping[str, Any] | list | None
PARTY_FIELDS = ("country", "code", "abbrev", "type", "name", "text")
PRIMARY_FIELDS = ("country", "abbrev", "code", "name", "text")


def party_keys(party: Party) -> set[str]:
    """Every key a predicted party can be matched by (upper case)."""
    if not party:
        return set()
    if isinstance(party, list):
        keys: set[str] = set()
        for p in party:
            keys |= party_keys(p)
        return keys
    return {v.strip().upper() for f in PARTY_FIELDS if isinstance(v := party.get(f), str) and v.strip()}


def primary_key(party: Party) -> Any:
    if not party:
        return None
    if isinstance(party, list):
        return tuple(sorted(k for k in (primary_key(p) for p in party) if k)) or None
    for f in PRIMARY_FIELDS:
        v = party.get(f)
        if isinstance(v, str) and v.strip():
            return v.strip().upper()
    return None


def side_matches(gold_side: list | None, party: Party) -> bool:
    if not gold_side:
        return True
    if not party:
        return None in gold_side
    wanted = {g.upper() for g in gold_side if g}
    return bool(wanted & party_keys(party))


def event_matches(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    if pred.get("event") not in {gold["event"], *gold.get("alt", [])}:
        return False
    actor, recipient = pred.get("actor"), pred.get("recipient")
    if side_matches(gold.get("actor"), actor) and side_matches(gold.get("recipient"), recipient):
        return True
    return bool(gold.get("symmetric")) and side_matches(gold.get("actor"), recipient) \
        and side_matches(gold.get("recipient"), actor)


@dataclass
class Score:
    docs: int = 0
    pred_tuples: int = 0
    pred_correct: int = 0
    gold_required: int = 0
    gold_found: int = 0
    date_ok: int = 0
    date_n: int = 0
    location_ok: int = 0
    location_n: int = 0
    per_type: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    misses: list[tuple] = field(default_factory=list)
    false_positives: list[tuple] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return round(self.pred_correct / self.pred_tuples, 4) if self.pred_tuples else 0.0

    @property
    def recall(self) -> float:
        return round(self.gold_found / self.gold_required, 4) if self.gold_required else 0.0

    @property
    def f1(self) -> float:
        p = self.pred_correct / self.pred_tuples if self.pred_tuples else 0.0
        r = self.gold_found / self.gold_required if self.gold_required else 0.0
        return round(2 * p * r / (p + r), 4) if p + r else 0.0

    @property
    def date_accuracy(self) -> float | None:
        return round(self.date_ok / self.date_n, 4) if self.date_n else None

    @property
    def location_accuracy(self) -> float | None:
        return round(self.location_ok / self.location_n, 4) if self.location_n else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "docs": self.docs, "pred_tuples": self.pred_tuples, "pred_correct": self.pred_correct,
            "gold_required": self.gold_required, "gold_found": self.gold_found,
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "date_accuracy": self.date_accuracy, "location_accuracy": self.location_accuracy,
            "per_type": {k: dict(v) for k, v in sorted(self.per_type.items())},
            "misses": self.misses, "false_positives": self.false_positives,
        }


def score(gold_docs: Iterable[Mapping[str, Any]], predictions: Iterable[Mapping[str, Any]]) -> Score:
    """Document-level dyad-and-type scores of predictions against gold documents."""
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for p in predictions:
        if not p.get("negated"):
            by_doc[str(p.get("doc_id"))].append(p)
    result = Score()
    for doc in gold_docs:
        result.docs += 1
        doc_id = str(doc["id"])
        golds = doc.get("events", [])
        preds = by_doc.get(doc_id, [])
        unique: dict[tuple, Mapping[str, Any]] = {}
        for p in preds:
            unique.setdefault((p.get("event"), primary_key(p.get("actor")), primary_key(p.get("recipient"))), p)
        for key, p in unique.items():
            result.pred_tuples += 1
            result.per_type[key[0]]["pred"] += 1
            if any(event_matches(g, p) for g in golds):
                result.pred_correct += 1
                result.per_type[key[0]]["pred_ok"] += 1
            else:
                result.false_positives.append((doc_id, key))
        for g in golds:
            if g.get("optional"):
                continue
            result.gold_required += 1
            result.per_type[g["event"]]["gold"] += 1
            hits = [p for p in preds if event_matches(g, p)]
            if not hits:
                result.misses.append((doc_id, g["event"], g.get("actor"), g.get("recipient")))
                continue
            result.gold_found += 1
            result.per_type[g["event"]]["gold_ok"] += 1
            if g.get("date"):
                result.date_n += 1
                result.date_ok += any(str(p.get("date") or "").startswith(g["date"]) for p in hits)
            place = (g.get("location") or {}).get("country")
            if place:
                result.location_n += 1
                result.location_ok += any(((p.get("location") or {}).get("country") or "") == place for p in hits)
    return result


def _read_jsonl(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, object) of each non-blank line; malformed JSON raises InputError with its line."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=number) from exc


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold documents from a JSONL file; a malformed line raises InputError with its number."""
    docs = []
    for number, doc in _read_jsonl(path):
        if not isinstance(doc, dict) or "id" not in doc or "text" not in doc:
            raise InputError("a gold document needs id and text", path=str(path), line=number)
        docs.append(doc)
    return docs


def gold_documents(gold_docs: Iterable[Mapping[str, Any]]) -> list[Document]:
    """The documents to code for gold records (a date that does not parse is left out)."""
    out = []
    for g in gold_docs:
        try:
            day = parse_date(g.get("date"))
        except ValueError:
            day = None
        out.append(Document(str(g["id"]), g["text"], day, g.get("title"), g.get("url"), g.get("source")))
    return out


def format_score(result: Score, *, by_type: bool = False) -> str:
    """The text score.py prints."""
    lines = []
    if by_type:
        for name, c in sorted(result.per_type.items()):
            lines.append(f"{name:12s} gold {c.get('gold_ok', 0)}/{c.get('gold', 0)}  "
                         f"pred {c.get('pred_ok', 0)}/{c.get('pred', 0)}")
    lines.append(f"docs {result.docs}  precision {result.precision:.3f}  recall {result.recall:.3f}  "
                 f"date {result.date_accuracy}  location {result.location_accuracy}")
    lines.append(f"f1 {result.f1:.3f}")
    return "\n".join(lines)


@dataclass
class ClusteringScore:
    """Pairwise precision and recall of de-duplication against stories labelled with the
    real-world event they report. Each story's main record (its gold type and parties) stands
    for it; a story whose main record was not coded cannot be paired with any other."""

    stories: int = 0
    coded: int = 0
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, story, story)

    @property
    def precision(self) -> float:
        return self.true_positive / max(1, self.true_positive + self.false_positive)

    @property
    def recall(self) -> float:
        return self.true_positive / max(1, self.true_positive + self.false_negative)

    def __str__(self) -> str:
        return (f"{self.stories} stories ({self.coded} with their main event coded), "
                f"{self.true_positive + self.false_negative} same-event pairs: pairwise precision "
                f"{self.precision:.3f}, recall {self.recall:.3f} "
                f"(TP {self.true_positive}, FP {self.false_positive}, FN {self.false_negative})")


def load_cluster_gold(path: str | Path) -> list[dict[str, Any]]:
    """Stories with ``id``, ``text``, ``date``, ``source`` and ``gold`` {cluster, event, actor, recipient}."""
    stories = load_gold(path)
    for number, story in enumerate(stories, 1):
        gold = story.get("gold")
        if not isinstance(gold, dict) or not all(key in gold for key in ("cluster", "event", "actor")):
            raise InputError(f"story {number} ({story['id']}) needs gold.cluster, gold.event and gold.actor",
                             path=str(path))
    return stories


def score_clustering(stories: list[Mapping[str, Any]], cluster_of: Mapping[tuple[str, str, str, str], str],
                     symmetric: Iterable[str] = ("AGREE", "CONSULT", "COOPERATE")) -> ClusteringScore:
    """Score clusters given as {(doc_id, event, actor country, recipient country): cluster id}
    (see :func:`tieline.dedup` and ``Store``); symmetric types match either way round."""
    symmetric = set(symmetric)
    result = ClusteringScore(stories=len(stories))
    predicted: dict[str, str] = {}
    for story in stories:
        gold = story["gold"]
        keys = [(story["id"], gold["event"], gold["actor"], gold.get("recipient") or "")]
        if gold["event"] in symmetric:
            keys.append((story["id"], gold["event"], gold.get("recipient") or "", gold["actor"]))
        found = next((cluster_of[k] for k in keys if k in cluster_of), None)
        if found is not None:
            predicted[story["id"]] = found
    result.coded = len(predicted)
    for i, a in enumerate(stories):
        for b in stories[i + 1:]:
            same = a["gold"]["cluster"] == b["gold"]["cluster"]
            joined = a["id"] in predicted and predicted.get(a["id"]) == predicted.get(b["id"])
            if same and joined:
                result.true_positive += 1
            elif joined:
                result.false_positive += 1
                result.errors.append(("false positive", a["id"], b["id"]))
            elif same:
                result.false_negative += 1
                result.errors.append(("false negative", a["id"], b["id"]))
    return result
