"""The events stage's seam (issue 10): rules, the learned model, or both, chosen in settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from tieline.errors import ModelError
from tieline.learned import LABELS, NONE_LABEL
from tieline.model import Calibration, ModelInfo, PairModel, default_model_dir, model_available
from tieline.parse import parse_documents
from tieline.pipeline import Coder
from tieline.sources import (
    BOTH,
    MODEL,
    RULES,
    RULES_UNJUDGED,
    ModelSource,
    RuleSource,
    governing_word,
    make_source,
    record_source,
)
from tieline.types import Document

DAY = dt.date(2019, 12, 17)


def test_calibration_reads_the_bin_a_probability_falls_in():
    calibrate = Calibration({"model": [(0.5, 0.3), (0.8, 0.6), (1.0, 0.9)]})
    assert calibrate("model", 0.2) == 0.3
    assert calibrate("model", 0.5) == 0.3
    assert calibrate("model", 0.81) == 0.9
    assert calibrate("rules", 0.9) is None  # no table for that source: the caller keeps its own


def test_a_record_says_which_source_wrote_it_and_how_sure_the_model_was():
    assert record_source("triggers.csv:12 meet + model 0.83") == (BOTH, 0.83)
    assert record_source("triggers.csv:12 meet; model 0.12; recipient from the story") == (RULES, 0.12)
    assert record_source("model 0.55 at triggers.csv:3 *talks") == (MODEL, 0.55)
    assert record_source("triggers.csv:3 *talks") == (RULES_UNJUDGED, None)


def test_the_governing_verb_stands_in_for_a_trigger(make_doc):
    doc = make_doc("""
        Iran PROPN nsubj 1 ent=GPE
        sent VERB ROOT 1 send
        aid NOUN dobj 1
        to ADP prep 1
        Armenia PROPN pobj 3 ent=GPE
    """)
    assert governing_word(doc[0], doc[4], doc[:]).text == "sent"
    assert governing_word(doc[0], None, doc[:]).text == "sent"


def test_a_missing_model_is_a_clear_error_and_auto_falls_back_to_rules(tmp_path, finders):
    _, events = finders
    with pytest.raises(ModelError, match="missing model.onnx"):
        PairModel(tmp_path)
    assert not model_available(tmp_path)
    assert isinstance(make_source("auto", events, tmp_path), RuleSource)
    with pytest.raises(ModelError):
        make_source("hybrid", events, tmp_path)
    with pytest.raises(ValueError, match="event_source must be one of"):
        make_source("neural", events)


def test_the_shipped_model_is_described_and_small():
    assert model_available(), "the learned model is versioned in tieline/data/model (make model rebuilds it)"
    info = ModelInfo.read(default_model_dir() / "model.json")
    assert info.labels == LABELS
    assert 0.0 < info.threshold < 1.0
    size = sum(p.stat().st_size for p in default_model_dir().iterdir())
    assert size <= 30_000_000


class FixedModel:
    """A stand-in for PairModel whose probabilities the test sets: P(type) for pairs whose
    countries are named, P(none) = 1 for the rest."""

    def __init__(self, probabilities: dict[tuple[str, str | None], dict[str, float]], **settings):
        self.labels = LABELS
        self.info = ModelInfo("test", LABELS, 128, settings.get("threshold", 0.5), settings.get("veto", 0.9),
                              settings.get("top_only", False), Calibration())
        self.probabilities = probabilities
        self.current: list = []

    def score(self, sentences):
        out = []
        for sentence, (_, _, pairs) in zip(self.current, sentences):
            rows = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
            for n, (a, r) in enumerate(pairs):
                key = (sentence.mentions[a].actor.country,
                       sentence.mentions[r].actor.country if r is not None else None)
                for label, p in self.probabilities.get(key, {NONE_LABEL: 1.0}).items():
                    rows[n, LABELS.index(label)] = p
            out.append(rows)
        return out


def hybrid_with(coder, model: FixedModel) -> ModelSource:
    source = ModelSource(coder.events, model, with_rules=True)  # type: ignore[arg-type]
    original = source.candidates

    def candidates(parsed):
        from tieline.learned import find_sentence_mentions
        model.current = [s for s in find_sentence_mentions(parsed, coder.actors, coder.events) if s.mentions]
        return original(parsed)

    source.candidates = candidates  # type: ignore[method-assign]
    return source


# a meeting the rules code, then aid they do not: the model's pairs IRN-ARM and TUR-SYR
MEETING_THEN_AID = ("Iran's foreign minister met his Armenian counterpart in Yerevan on Monday. "
                    "Turkish planes brought blankets and tents to Syria on Tuesday.")


@pytest.mark.model
def test_hybrid_keeps_agreed_rule_events_vetoes_and_adds(nlp):
    coder, text = Coder(nlp, event_source="rules"), MEETING_THEN_AID
    parsed = next(parse_documents(nlp, [Document("d", text, DAY)]))
    rules = coder.code_parsed(parsed)
    assert {(r.event, r.actor.first.country) for r in rules} >= {("CONSULT", "IRN")}

    model = FixedModel({("IRN", "ARM"): {"CONSULT": 0.9, NONE_LABEL: 0.1},
                        ("TUR", "SYR"): {"AID": 0.8, NONE_LABEL: 0.2}})
    coder.source = hybrid_with(coder, model)
    records = coder.code_parsed(parsed)
    by_type = {r.event: r for r in records}
    assert by_type["CONSULT"].rule.endswith("+ model 0.90")  # the rules wrote it, the model agreed
    assert by_type["AID"].rule.startswith("model 0.80")
    assert by_type["AID"].actor.first.country == "TUR" and by_type["AID"].recipient.first.country == "SYR"
    assert by_type["AID"].trigger == "brought"  # a word of the sentence stands as its trigger, with its offsets
    start, end = by_type["AID"].spans["trigger"]
    assert text[start:end] == "brought"

    # the model sure that the meeting's pair reports nothing: the rule event is dropped
    model.probabilities[("IRN", "ARM")] = {NONE_LABEL: 0.95, "CONSULT": 0.05}
    assert "CONSULT" not in {r.event for r in coder.code_parsed(parsed)}
    # below the veto the rule stands, saying the model doubted it
    model.info = replace(model.info, veto=0.99)
    consult = next(r for r in coder.code_parsed(parsed) if r.event == "CONSULT")
    assert consult.rule.endswith("; model 0.05")


@pytest.mark.model
def test_a_sentence_the_rules_wrote_nothing_in_takes_the_models_pairs_at_a_lower_bar(nlp):
    coder = Coder(nlp, event_source="rules")
    parsed = next(parse_documents(nlp, [Document("d", MEETING_THEN_AID, DAY)]))
    model = FixedModel({("IRN", "ARM"): {"AGREE": 0.25, NONE_LABEL: 0.75},
                        ("TUR", "SYR"): {"AID": 0.25, NONE_LABEL: 0.75}}, threshold=0.3)
    coder.source = hybrid_with(coder, model)
    assert {r.event for r in coder.code_parsed(parsed)} == {"CONSULT"}  # 0.25 is under the threshold
    model.info = replace(model.info, uncoded_threshold=0.2)
    records = coder.code_parsed(parsed)
    # the second sentence had nothing from the rules: the model's pair stands at 0.25; the first
    # had the rules' meeting, and the model's doubtful promise there still needs 0.3
    assert {(r.event, r.rule.startswith("model")) for r in records} == {("CONSULT", False), ("AID", True)}
    assert next(r for r in records if r.event == "AID").rule == "model 0.25"


@pytest.mark.model
def test_the_shipped_model_codes_offline_with_evidence(nlp):
    coder = Coder(nlp, event_source="model")
    assert coder.source.name == "model"
    records = coder.code_text("Iran and Armenia signed an agreement to build technology parks together on Monday.",
                              date=DAY)
    assert records, "the model alone finds the agreement"
    for record in records:
        assert record.rule.startswith("model ")
        assert 0.0 <= record.confidence <= 1.0
        start, end = record.spans["sentence"]
        assert record.sentence.startswith("Iran and Armenia")
    assert {r.actor.first.country for r in records} <= {"IRN", "ARM"}


def test_a_damaged_model_is_a_clear_error_naming_the_file(tmp_path):
    import shutil

    for name in ("model.onnx", "tokenizer.json", "model.json"):
        shutil.copyfile(default_model_dir() / name, tmp_path / name)
    (tmp_path / "model.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(ModelError, match="model.onnx: cannot be loaded"):
        PairModel(tmp_path)
    (tmp_path / "model.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="model.json: not a tieline model description"):
        PairModel(tmp_path)


def test_the_model_reads_sentences_naming_two_countries_or_holding_a_rule_event(nlp):
    from tieline.learned import SentenceMentions
    from tieline.types import Actor, Mention

    coder = Coder(nlp, event_source="rules")
    model = FixedModel({})
    model.info = replace(model.info, sentences="cued")
    source = ModelSource(coder.events, model, with_rules=True)  # type: ignore[arg-type]

    def sentence(*actors: Actor) -> SentenceMentions:
        mentions = tuple(Mention(a.name, 10 * n, 10 * n + 5, a, "person") for n, a in enumerate(actors))
        return SentenceMentions("d", 0, 0, 100, "x" * 100, mentions)

    brown, tories = Actor("Brown", "GBR", "GOV"), Actor("Tories", "GBR", "PTY", "Tories")
    mp, france = Actor("Cable", "GBR", "ELI"), Actor("France", "FRA", "GOV")
    assert source.worth_reading(sentence(brown, france), set())
    assert source.worth_reading(sentence(brown, tories), set())  # a party is an organisation of its own
    assert not source.worth_reading(sentence(brown, mp), set())  # two sectors of one country: left to the rules
    assert source.worth_reading(sentence(brown, mp), {0})  # unless a rule event there is to be judged
    model.info = replace(model.info, domestic_threshold=0.8)  # or the model may write pairs of one country
    assert source.worth_reading(sentence(brown, mp), set())
    assert not source.worth_reading(sentence(brown, Actor("Blair", "GBR", "GOV")), set())  # one party twice
    assert not source.worth_reading(sentence(brown), set())
    model.info = replace(model.info, sentences="all")
    assert source.worth_reading(sentence(brown), set())


STORIES = ["Iran and Armenia signed an agreement to build technology parks together on Monday.",
           "Turkey accused Greece of violating its airspace, and Greece rejected the charge.",
           "Manchester United beat Arsenal 2-1 in the league on Saturday.",
           "Japan's prime minister met India's foreign minister in New Delhi to discuss trade.",
           "Pakistan threatened to cut diplomatic ties with Denmark."]


@pytest.mark.model
def test_the_model_reading_beside_the_parser_gives_the_same_records_in_order(nlp):
    """With model_threads 2 the model reads each group of stories in its own thread while the
    next is parsed (issue 12); the records, their order and the problems are those of reading
    in turn, over more groups than are read ahead."""
    from tieline.pipeline import GROUPS_AHEAD, READ_GROUP

    n = READ_GROUP * (GROUPS_AHEAD + 2) + 3
    documents = [Document(f"d{k}", STORIES[k % len(STORIES)], DAY) for k in range(n)]
    documents[7] = Document("d7", "Iran met Armenia \ud800 on Monday.", DAY)  # a problem keeps its place
    in_turn, beside = Coder(nlp, model_threads=1), Coder(nlp, model_threads=2)
    assert in_turn.reader is None and beside.reader is not None

    def listing(coder: Coder) -> list[object]:
        return [str(i) if not hasattr(i, "records") else (i.document.id, [r.to_dict() for r in i.records])
                for i in coder.code_documents(documents)]

    expected = listing(in_turn)
    assert len(expected) == n and sum(bool(i[1]) for i in expected if isinstance(i, tuple)) > n // 2
    assert listing(beside) == expected
    assert "could not be parsed" in str(expected[7])


@pytest.mark.model
@pytest.mark.parametrize("threads", [1, 2])
def test_a_story_the_model_fails_to_read_is_a_problem_and_the_rest_are_coded(nlp, monkeypatch, threads):
    coder = Coder(nlp, model_threads=threads)
    score = coder.source.model.score

    def failing(sentences):  # type: ignore[no-untyped-def]
        if any("Turkey" in text for text, _, _ in sentences):
            raise RuntimeError("injected failure")
        return score(sentences)

    monkeypatch.setattr(coder.source.model, "score", failing)
    documents = [Document(f"d{k}", text, DAY, path="in.jsonl", line=k + 1) for k, text in enumerate(STORIES)]
    items = list(coder.code_documents(documents))
    assert [type(i).__name__ for i in items] == ["CodedDocument", "Problem", "CodedDocument", "CodedDocument",
                                                 "CodedDocument"]
    assert str(items[1]) == "in.jsonl:2 [d1]: could not be coded: RuntimeError: injected failure"
    assert items[0].records and items[4].records and not items[2].records  # the match report is off-topic
