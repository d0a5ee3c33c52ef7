"""Shared fixtures: the real spaCy model (loaded once per session), the coder, hand-built parses
and a factory for real DuckDB databases in temporary folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from tieline.lexicon import default_lexicon
from tieline.settings import DEFAULTS
from tieline.types import CodedDocument

# In-process commands code with one worker, so that they share the session's model (the CLI
# tests hand it over); the tests of worker processes ask for them (tests/test_workers.py).
DEFAULTS["workers"] = 1

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    from tieline.parse import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def coder(nlp):
    """The rules alone: most tests check what the rules and the stages after them do, on
    outputs that must not move when the learned model is retrained (test_sources.py and
    test_demo.py run the default, hybrid coder)."""
    from tieline.pipeline import Coder

    return Coder(nlp, event_source="rules")


@pytest.fixture(scope="session")
def hybrid_coder(nlp):
    """The default coder: the rules and the learned model."""
    from tieline.pipeline import Coder

    return Coder(nlp)


@pytest.fixture(scope="session")
def lexicon():
    return default_lexicon()


@pytest.fixture(scope="session")
def blank_nlp():
    """A tokenizer-only English pipeline: enough for the table matchers, no model."""
    return spacy.blank("en")


@pytest.fixture(scope="session")
def finders(blank_nlp, lexicon):
    from tieline.actors import ActorFinder
    from tieline.events import EventFinder

    actors = ActorFinder(blank_nlp, lexicon)
    return actors, EventFinder(lexicon, actors)


@pytest.fixture
def make_doc(blank_nlp) -> Callable[..., Doc]:
    """Build a parse by hand from "word/POS/dep/head/lemma" rows (head = index of the head word,
    lemma optional, ``ent=LABEL`` starts an entity, ``ent=LABEL+`` continues it)."""

    def build(rows: str) -> Doc:
        words, pos, deps, heads, lemmas, ents = [], [], [], [], [], []
        for row in rows.strip().splitlines():
            parts = row.split()
            word, tag, dep, head = parts[:4]
            extra = parts[4:]
            ent = next((e.split("=", 1)[1] for e in extra if e.startswith("ent=")), None)
            lemma = next((e for e in extra if not e.startswith("ent=")), word.lower())
            words.append(word)
            pos.append(tag)
            deps.append(dep)
            heads.append(int(head))
            lemmas.append(lemma)
            if ent is None:
                ents.append("O")
            elif ent.endswith("+"):  # continues the previous word's entity
                ents.append(f"I-{ent[:-1]}")
            else:
                ents.append(f"B-{ent}")
        return Doc(blank_nlp.vocab, words=words, pos=pos, deps=deps, heads=heads, lemmas=lemmas, ents=ents)

    return build


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "eval" / "score.py").is_file():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def web_db(coder, tmp_path_factory) -> Path:
    """A real database for the web app: the demo stories plus our de-duplication stories (so
    that some events have several reports), clustered."""
    import io
    from importlib import resources

    from tieline.dedup import deduplicate
    from tieline.evaluate import gold_documents, load_cluster_gold
    from tieline.read import read_jsonl
    from tieline.store import Store

    path = tmp_path_factory.mktemp("web") / "web.duckdb"
    demo = resources.files("tieline").joinpath("data", "samples", "demo.jsonl").read_bytes()
    documents = list(read_jsonl(io.BytesIO(demo), "demo.jsonl"))
    documents += gold_documents(load_cluster_gold(DATA / "dedup_stories.jsonl"))
    with Store(path) as store:
        store.write(coder.code_documents(documents))
        deduplicate(store)
    return path


def coded_document(doc_id: str, text: str, *, events: int = 1, sentence: str = "Iran met Armenia in Yerevan.",
                   actor: str = "IRN", actor_name: str = "Iran", recipient: str = "ARM", lon: float = 44.5,
                   score: float = 1.0, date: str = "2020-03-02", url: str = "https://news.example/a",
                   source: str = "Wire", confidence: float = 0.9) -> CodedDocument:
    """A coded document built by hand, without the model: ``events`` CONSULT records of ``actor``
    meeting ``recipient``, for store, export and CLI tests (issue 9)."""
    import datetime as dt
    import hashlib

    from tieline.types import Document, EventRecord, Member, Party

    def record(n: int) -> EventRecord:
        return EventRecord(
            doc_id=doc_id, event_id=hashlib.sha1(f"{doc_id}/{text}/{n}".encode()).hexdigest()[:16], event="CONSULT",
            mode="visit", contexts=("economic",), sectors=(),
            actor=Party.of(Member(actor_name, actor_name, actor, "GOV")),
            recipient=Party.of(Member("Armenia", "Armenia", recipient, "GOV")),
            date=date, date_precision="day", location={"name": "Yerevan", "country": "ARM", "lat": 40.18, "lon": lon},
            negated=False, future=False, hypothetical=False, historical=False, cameo="040", quad=1, score=score,
            sentence=sentence, trigger="met", spans={"sentence": [0, len(sentence)]}, rule="test", confidence=confidence)

    document = Document(doc_id, text, dt.date(2020, 3, 2), "A title", url, source)
    return CodedDocument(document, tuple(record(n) for n in range(events)))


@pytest.fixture
def make_coded() -> Callable[..., CodedDocument]:
    """Factory of hand-built coded documents (see ``coded_document``)."""
    return coded_document


def told(doc_id: str, text: str, *, date: str, trigger: str = "met", event: str = "CONSULT",
         actor: str = "IRN", recipient: str = "ARM", quad: int = 1, contexts: tuple[str, ...] = ("economic",),
         source: str = "Wire") -> CodedDocument:
    """A one-sentence story with one record of ``event`` between two countries, its evidence
    (sentence and trigger offsets) pointing into the text: ``coded_document`` with its event,
    parties and trigger named, for web and query tests (no model)."""
    import datetime as dt
    from dataclasses import replace

    from tieline.types import Member, Party

    start = text.index(trigger)
    coded = coded_document(doc_id, text, sentence=text, date=date, url=f"https://news.example/{doc_id}", source=source)
    record = replace(coded.records[0], event=event, contexts=contexts, location=None, quad=quad,
                     score=-5.0 if quad > 2 else 3.0, trigger=trigger, mode=None,
                     actor=Party.of(Member(actor, actor, actor, "GOV")),
                     recipient=Party.of(Member(recipient, recipient, recipient, "GOV")),
                     spans={"sentence": [0, len(text)], "trigger": [start, start + len(trigger)]}, confidence=0.8)
    document = replace(coded.document, date=dt.date.fromisoformat(date), title=f"Story {doc_id}")
    return CodedDocument(document, (record,))


@pytest.fixture(scope="session")
def hand_web_db(tmp_path_factory) -> Path:
    """A database for the web app built by hand (no model): 36 meetings of Iran over six years,
    Britain's sanctions on Belarus told by two sources (one cluster of two reports), an
    accusation, a visit to Doha and a drone strike; clustered."""
    from tieline.dedup import deduplicate
    from tieline.store import Store

    stories = [told(f"m{i}", f"Iran's minister met {'Armenia' if i % 2 else 'Malaysia'}'s minister (report {i}).",
                    date=f"{2019 + i // 6}-{(i % 6) * 2 + 1:02d}-10", recipient="ARM" if i % 2 else "MYS",
                    contexts=("economic",) if i % 2 == 0 else ("diplomatic",)) for i in range(36)]
    stories += [
        told("gb1", "The UK imposed sanctions on Belarus on Tuesday.", date="2024-04-16", trigger="imposed",
             event="SANCTION", actor="GBR", recipient="BLR", quad=4, source="Wire"),
        told("gb2", "Britain imposed new sanctions on Belarus over the detentions.", date="2024-04-16",
             trigger="imposed", event="SANCTION", actor="GBR", recipient="BLR", quad=4, source="Daily"),
        told("acc", "Britain accused Iran of harassing shipping.", date="2023-05-02", trigger="accused",
             event="ACCUSE", actor="GBR", recipient="IRN", quad=3),
        told("qat", "Qatar's emir hosted Iran's president in Doha.", date="2022-02-02", trigger="hosted",
             actor="QAT", recipient="IRN"),
        told("drone", "A drone strike by Israel hit a convoy in Syria.", date="2024-07-01", trigger="strike",
             event="ASSAULT", actor="ISR", recipient="SYR", quad=4, contexts=("military",)),
    ]
    path = tmp_path_factory.mktemp("hand-web") / "web.duckdb"
    with Store(path) as store:
        store.write(stories)
        deduplicate(store)
    return path
