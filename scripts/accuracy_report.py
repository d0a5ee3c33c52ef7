"""Write docs/accuracy.md: tieline's scores on every labelled set at hand.

usage: python -m scripts.accuracy_report [--shared ../shared] [--out docs/accuracy.md]

Scores are computed by tieline.evaluate, which a test keeps identical to shared/eval/score.py.
Sets that are missing (no ../shared) are left out of the report with a note.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
from pathlib import Path

from scripts.corpus_agreement import agreement
from tieline import corpus
from tieline.about import __version__
from tieline.evaluate import Score, gold_documents, load_gold, score
from tieline.parse import load_nlp, parse_documents
from tieline.pipeline import Coder
from tieline.types import Document, ParsedDocument

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = "hybrid"


SOURCES = ("rules", "model", "hybrid")


def coded_by_each(coders: dict[str, Coder], documents: list[Document]) -> dict[str, list[dict]]:
    """Every source's records of the documents, parsing each document once."""
    first = next(iter(coders.values()))
    out: dict[str, list[dict]] = {name: [] for name in coders}
    for parsed in parse_documents(first.nlp, documents, batch_size=first.batch_size, **first.parse_options):
        if isinstance(parsed, ParsedDocument):
            for name, coder in coders.items():
                out[name] += [r.to_dict() for r in coder.code_parsed(parsed)]
    return out


def scored_by_each(coders: dict[str, Coder], gold: list[dict], name: str, comparison: list[str]) -> Score:
    """The default source's score of a gold set; each source's scores become a row of the
    comparison table."""
    records = coded_by_each(coders, gold_documents(gold))
    results = {source: score(gold, recs) for source, recs in records.items()}
    comparison.append(f"| {name} | {len(gold)} | " + " | ".join(
        f"{results[s].precision:.3f} / {results[s].recall:.3f} / **{results[s].f1:.3f}**" for s in SOURCES) + " |")
    return results[DEFAULT_SOURCE]


# CAMEO root (and 08x split) to PLOVER event type, after the CAMEO-to-PLOVER table of the
# PLOVER project; 01 (make a statement) has no PLOVER event.
CAMEO_ROOT_TO_PLOVER = {"02": "REQUEST", "03": "AGREE", "04": "CONSULT", "05": "SUPPORT", "06": "COOPERATE",
                        "07": "AID", "09": "ACCUSE", "10": "REQUEST", "11": "ACCUSE", "12": "REJECT",
                        "13": "THREATEN", "14": "PROTEST", "15": "MOBILIZE", "16": "SANCTION", "17": "COERCE",
                        "18": "ASSAULT", "19": "ASSAULT", "20": "ASSAULT"}


def plover_of_cameo(code: str) -> str | None:
    if code.startswith("08"):
        return "RETREAT" if code[:3] >= "084" else "CONCEDE"
    return CAMEO_ROOT_TO_PLOVER.get(code[:2])


def cameo_party(code: str | None, countries: set[str]) -> list[str]:
    """Gold keys for a CAMEO actor code: its country (first three letters), or IGO."""
    if not code or not code.strip("-"):
        return []
    code = code.upper()
    if code.startswith("IGO") or code.startswith("NGO"):
        return [code[:3]]
    return [code[:3]] if code[:3] in countries else []


def petrarch_gold(path: Path, countries: set[str]) -> list[dict]:
    """PETRARCH's validation records (real actors) in the gold format of shared/eval."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("fictional_actors") or r.get("expected_error"):
                continue
            events = []
            for e in r.get("expected_events") or []:
                kind = plover_of_cameo(str(e.get("code") or ""))
                if kind is None:
                    continue
                actor = cameo_party(e.get("source"), countries)
                recipient = cameo_party(e.get("target"), countries)
                if not actor:
                    continue
                events.append({"event": kind, "actor": actor, "recipient": recipient or [None]})
            out.append({"id": r["id"], "date": r.get("date"), "text": r["text"], "events": events})
    return out


def span_agreement(coder: Coder, path: Path) -> dict[str, float]:
    """On ConfliBERT's test sentences: how often tieline codes an event where the gold has one,
    and how often its actor / recipient text overlaps the gold source / target span."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("split") == "test" and (r.get("labels") or {}).get("penta_class") in ("1", "2", "3", "4"):
                rows.append(r)
    docs = [Document(r["id"], r["text"], None) for r in rows]
    by_doc: dict[str, list] = {}
    for rec in coder.code(docs):
        if not rec.negated:
            by_doc.setdefault(rec.doc_id, []).append(rec)

    def overlaps(text: str | None, spans: list[str]) -> bool:
        t = (text or "").lower().replace(" 's", "'s")
        return bool(t) and any(s.lower().replace(" 's", "'s") in t or t in s.lower().replace(" 's", "'s")
                               for s in spans if s)

    coded = actor_ok = recipient_ok = with_recipient = quad_ok = 0
    for r in rows:
        recs = by_doc.get(r["id"])
        if not recs:
            continue
        coded += 1
        labels = r["labels"]
        actor_ok += any(overlaps(p.text, labels["source_spans"]) for x in recs for p in x.actor.members)
        if labels["target_spans"]:
            with_recipient += 1
            recipient_ok += any(overlaps(p.text, labels["target_spans"]) for x in recs if x.recipient is not None
                                for p in x.recipient.members)
        quad_ok += any(str(x.quad) == labels["penta_class"] for x in recs)
    n = len(rows)
    return {"sentences": n, "coded": coded, "coverage": coded / n if n else 0.0,
            "actor_span": actor_ok / coded if coded else 0.0,
            "recipient_span": recipient_ok / with_recipient if with_recipient else 0.0,
            "quad": quad_ok / coded if coded else 0.0}


def synthetic_recall(coder: Coder, path: Path) -> dict[str, tuple[int, int]]:
    """Per PLOVER type: synthetic stories labelled with it, and those where tieline codes it."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    label = {r["id"]: r["labels"]["event"] for r in rows}
    found: dict[str, set[str]] = {}
    for rec in coder.code(Document(r["id"], r["text"], None, r.get("title")) for r in rows):
        if not rec.negated:
            found.setdefault(rec.doc_id, set()).add(rec.event)
    out: dict[str, tuple[int, int]] = {}
    for doc_id, kind in label.items():
        total, hit = out.get(kind, (0, 0))
        out[kind] = (total + 1, hit + (kind in found.get(doc_id, set())))
    return out


def off_topic_rate(coders: dict[str, Coder], corpus: Path) -> dict[str, tuple[int, int]]:
    """Per source, non-negated events on the sport and entertainment stories of the BBC corpus."""
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    docs = [Document(r["id"], r["text"], None, r.get("title")) for r in rows
            if r.get("category") in ("sport", "entertainment")]
    return {name: (sum(1 for r in records if not r["negated"]), len(docs))
            for name, records in coded_by_each(coders, docs).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--out", default=str(REPO / "docs" / "accuracy.md"))
    args = parser.parse_args()
    shared = Path(args.shared)
    nlp = load_nlp()
    coders = {source: Coder(nlp, event_source=source) for source in SOURCES}
    coder = coders[DEFAULT_SOURCE]
    comparison: list[str] = []  # rows of the table of event sources, filled as the sets are coded
    sets = [
        ("reference article", shared / "examples" / "seed_gold.jsonl", "../shared/examples/seed_gold.jsonl"),
        ("PLOVER gold sentences", shared / "eval" / "plover_gsr_gold.jsonl", "../shared/eval/plover_gsr_gold.jsonl"),
        ("demo sample (our own stories)", REPO / "tests" / "data" / "demo_gold.jsonl", "tests/data/demo_gold.jsonl"),
    ]
    lines = [
        "# Coding accuracy",
        "",
        "Generated by `scripts/accuracy_report.py` (do not edit by hand). Document-level dyad-and-type",
        "precision, recall and F1 as computed by `shared/eval/score.py` (and identically by",
        f"`tieline eval`), tieline {__version__}, {dt.date.today().isoformat()}.",
        "",
        "| data set | documents | precision | recall | F1 | date acc. | place acc. | command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_type: dict[str, Score] = {}
    for name, path, shown in sets:
        if not path.is_file():
            lines.append(f"| {name} | (not available: {shown} missing) | | | | | | |")
            continue
        result = scored_by_each(coders, load_gold(path), name, comparison)
        by_type[name] = result
        lines.append(f"| {name} | {result.docs} | {result.precision:.3f} | {result.recall:.3f} | {result.f1:.3f} | "
                     f"{result.date_accuracy} | {result.location_accuracy} | `tieline eval {shown}` |")
    news = shared / "data" / "news_corpus"
    labelled = [s for s in corpus.read_labels([REPO / "corpus" / "labels"]) if isinstance(s, corpus.LabelledStory)]
    if news.is_dir() and labelled:
        texts = corpus.load_texts(news, [(s.file, s.id) for s in labelled])
        for split in ("dev", "test"):  # the test split is measured here, never trained or tuned on
            gold = corpus.join([s for s in labelled if s.split == split], texts)
            name = f"annotated news corpus, {split} split (`corpus/`)"
            result = scored_by_each(coders, gold, name, comparison)
            by_type[name] = result
            lines.append(f"| {name} | {result.docs} | {result.precision:.3f} | {result.recall:.3f} | {result.f1:.3f} | "
                         f"{result.date_accuracy} | {result.location_accuracy} | "
                         f"`python -m scripts.corpus_tool gold --split {split} -o {split}.jsonl; tieline eval {split}.jsonl` |")
        second = [s for s in corpus.read_labels([REPO / "corpus" / "agreement"]) if isinstance(s, corpus.LabelledStory)]
        shared_ids, forward, backward = agreement(labelled, second, texts)  # texts hold every first-pass story
        if shared_ids:
            lines.append(f"| agreement of two annotation passes (the ceiling; `docs/corpus.md`) | {len(shared_ids)} | "
                         f"{(forward.precision + backward.precision) / 2:.3f} | "
                         f"{(forward.recall + backward.recall) / 2:.3f} | {(forward.f1 + backward.f1) / 2:.3f} | | | "
                         "`python -m scripts.corpus_agreement` |")
    petrarch = shared / "data" / "petrarch_gold" / "petr2_gsr_validation.jsonl"
    if petrarch.is_file():
        countries = {c.iso3 for c in coder.lexicon.countries}
        gold = petrarch_gold(petrarch, countries)
        result = scored_by_each(coders, gold, "PETRARCH2 validation sentences (real actors)", comparison)
        by_type["PETRARCH2 validation sentences (real actors)"] = result
        lines.append(f"| PETRARCH2 validation sentences (real actors; CAMEO mapped to PLOVER) | {result.docs} | "
                     f"{result.precision:.3f} | {result.recall:.3f} | {result.f1:.3f} | {result.date_accuracy} | "
                     f"{result.location_accuracy} | `python -m scripts.accuracy_report` |")
    conflibert = shared / "data" / "annotated_plover_cameo" / "conflibert_cameo" / "conflibert_cameo.jsonl"
    if conflibert.is_file():
        spans = span_agreement(coder, conflibert)
        lines += ["", f"ConfliBERT CAMEO test sentences with an event ({spans['sentences']}): tieline codes an event "
                      f"in {spans['coverage']:.1%}; of those, its actor text overlaps the gold source span in "
                      f"{spans['actor_span']:.1%}, its recipient the gold target span in {spans['recipient_span']:.1%} "
                      f"(sentences with a target), and its quad class matches the gold class in {spans['quad']:.1%}."]
    synthetic = shared / "data" / "annotated_plover_cameo" / "ngec_synthetic" / "ngec_synthetic_plover.jsonl.gz"
    if synthetic.is_file():
        recall = synthetic_recall(coder, synthetic)
        total = sum(t for t, _ in recall.values())
        hits = sum(h for _, h in recall.values())
        lines += ["", f"Synthetic PLOVER stories ({total}, one labelled event type each, document level): the "
                      f"labelled type is coded in {hits / total:.1%} of stories.", "",
                  "| type | stories | coded | recall |", "|---|---|---|---|"]
        for kind, (t, h) in sorted(recall.items()):
            lines.append(f"| {kind} | {t} | {h} | {h / t:.2f} |")
    bbc = shared / "data" / "news_corpus" / "bbc_news_2004_2005.jsonl.gz"
    if bbc.is_file():
        rates = off_topic_rate(coders, bbc)
        events, stories = rates[DEFAULT_SOURCE]
        lines += ["", f"Non-political news: {events} non-negated events on the {stories} sport and entertainment "
                      f"stories of the BBC 2004-05 corpus, {events / stories:.3f} per story."]
        comparison.append(f"| BBC sport and entertainment: non-negated events per story | {stories} | " + " | ".join(
            f"{rates[s][0] / rates[s][1]:.3f}" for s in SOURCES) + " |")
    lines += ["", "## Rules, model and hybrid", "",
              f"Each set coded by each event source (`--events`, setting `event_source`; `{DEFAULT_SOURCE}` is the",
              "default and the figures above): precision / recall / F1.", "",
              "| data set | documents | rules alone | model alone | hybrid |", "|---|---|---|---|---|", *comparison]
    for name, result in by_type.items():
        if result.docs < 10:
            continue
        lines += ["", f"## {name} by event type", "",
                  "| type | gold found / required | recall | predictions correct / made | precision | F1 |",
                  "|---|---|---|---|---|---|"]
        for kind, c in sorted(result.per_type.items()):
            gold, found = c.get("gold", 0), c.get("gold_ok", 0)
            pred, ok = c.get("pred", 0), c.get("pred_ok", 0)
            r = found / gold if gold else None
            p = ok / pred if pred else None
            f1 = 2 * p * r / (p + r) if p and r else 0.0
            lines.append(f"| {kind} | {found}/{gold} | {'-' if r is None else f'{r:.2f}'} | {ok}/{pred} | "
                         f"{'-' if p is None else f'{p:.2f}'} | {f1:.2f} |")
    notes = REPO / "docs" / "accuracy_notes.md"
    if notes.is_file():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
