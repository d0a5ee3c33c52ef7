"""Parsing: batches bounded in characters, one failing document reported as a problem, run-on
sentences cut before the parser (issue 9)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from tieline.parse import MAX_SENTENCE_TOKENS, cut_long_sentences, parse_documents
from tieline.types import Document, ParsedDocument, Problem

MARKER = "kaboom"  # a document holding this word makes the injected component raise


@Language.component("test_parse_fails_on_marker")
def fail_on_marker(doc: Doc) -> Doc:
    if MARKER in doc.text:
        raise RuntimeError("injected failure")
    return doc


@pytest.fixture(scope="module")
def failing_nlp() -> Language:
    """A small handmade pipeline whose one component raises on any text holding MARKER."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("test_parse_fails_on_marker")
    return nlp


class RecordingNlp:
    """Passes to a pipeline, noting the texts of each nlp.pipe batch."""

    def __init__(self, nlp: Language) -> None:
        self.nlp, self.batches = nlp, []

    def pipe(self, texts, batch_size):  # type: ignore[no-untyped-def]
        self.batches.append(list(texts))
        return self.nlp.pipe(self.batches[-1], batch_size=batch_size)

    def __call__(self, text: str) -> Doc:
        return self.nlp(text)


def story(n: int, extra: str = "") -> Document:
    return Document(f"d{n}", f"The minister of Iran met the president of Armenia on day {n}.{extra}",
                    path="in.jsonl", line=n + 1)


def outcome(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.document.id if isinstance(item, ParsedDocument) else f"problem {item}" for item in items]


def test_parse_a_document_failing_inside_spacy_is_a_problem_and_the_rest_are_parsed(failing_nlp):
    documents: list[Document | Problem] = [story(n, f" {MARKER}" if n == 3 else "") for n in range(8)]
    documents.insert(2, Problem("in.jsonl", 99, "malformed JSON", None))
    got = outcome(parse_documents(failing_nlp, documents, batch_size=64))
    assert got == ["d0", "d1", "problem in.jsonl:99: malformed JSON", "d2",
                   "problem in.jsonl:4 [d3]: could not be parsed: RuntimeError: injected failure",
                   "d4", "d5", "d6", "d7"]


def test_parse_a_failing_segment_fails_its_whole_document_only(failing_nlp):
    long_text = " ".join(f"The minister of Iran met the president of Armenia for the {n}th time." for n in range(200))
    documents = [story(0), Document("long", long_text + f" Then {MARKER}.", path="in.jsonl", line=2), story(2)]
    got = outcome(parse_documents(failing_nlp, documents, segment_chars=2_000, batch_size=4))
    assert got == ["d0", "problem in.jsonl:2 [long]: could not be parsed: RuntimeError: injected failure", "d2"]


def test_parse_a_lone_surrogate_is_a_problem_not_the_end_of_the_run(blank_nlp):
    documents = [story(0), Document("s", "Iran met Armenia \ud800 on Monday.", path="in.jsonl", line=2), story(2)]
    got = outcome(parse_documents(blank_nlp, documents))
    assert got[0] == "d0" and got[2] == "d2"
    assert got[1].startswith("problem in.jsonl:2 [s]: could not be parsed: UnicodeEncodeError")


def test_parse_batches_are_bounded_in_characters_and_documents(blank_nlp):
    recording = RecordingNlp(blank_nlp)
    documents = [story(n, " And they talked." * (n % 7) * 20) for n in range(40)]
    parsed = list(parse_documents(recording, documents, batch_size=8, batch_chars=2_000))  # type: ignore[arg-type]
    assert [p.document.id for p in parsed] == [d.id for d in documents]
    assert sum(len(b) for b in recording.batches) == len(documents)
    for batch in recording.batches:
        assert len(batch) <= 8
        assert len(batch) == 1 or sum(map(len, batch)) <= 2_000


def test_parse_a_long_document_is_parsed_in_bounded_batches_of_segments(blank_nlp):
    recording = RecordingNlp(blank_nlp)
    text = " ".join(f"The minister of Iran met the president of Armenia for the {n}th time." for n in range(2_000))
    parsed = list(parse_documents(recording, [Document("long", text)], segment_chars=5_000,  # type: ignore[arg-type]
                                  batch_chars=12_000))
    assert len(parsed) == 1 and len(parsed[0].segments) == len(text) // 5_000 + 1
    assert "".join(s.doc.text for s in parsed[0].segments) == text
    assert all(sum(map(len, batch)) <= 12_000 for batch in recording.batches)
    assert len(recording.batches) > 1


def _stretches(doc: Doc) -> list[int]:
    starts = [t.i for t in doc if t.i == 0 or t.is_sent_start]
    return [b - a for a, b in zip(starts, [*starts[1:], len(doc)])]


def test_parse_a_run_on_sentence_is_cut_at_clause_breaks(blank_nlp):
    text = "Iran and Armenia signed a deal with the United States and Malaysia, and " * 200
    doc = cut_long_sentences(blank_nlp.make_doc(text))
    assert max(_stretches(doc)) <= MAX_SENTENCE_TOKENS
    cuts = [t for t in doc if t.i > 0 and t.is_sent_start]
    assert cuts and all(doc[t.i - 1].text == "," for t in cuts)  # the comma is preferred


def test_parse_a_run_on_sentence_without_clause_breaks_is_cut_anyway(blank_nlp):
    doc = cut_long_sentences(blank_nlp.make_doc("Iran Armenia Malaysia deal " * 500))
    assert max(_stretches(doc)) <= MAX_SENTENCE_TOKENS


def test_parse_sentences_of_normal_length_are_left_to_the_parser(blank_nlp):
    text = " ".join(f"The minister of Iran, who arrived on day {n}, met the president of Armenia." for n in range(300))
    doc = cut_long_sentences(blank_nlp.make_doc(text))
    assert not any(t.is_sent_start for t in doc[1:])


@pytest.mark.model
def test_parse_the_parser_sees_no_sentence_longer_than_the_cap(nlp):
    base = "Iran and Armenia signed a deal with the United States and Malaysia and "
    doc = nlp((base * 300)[:20_000])
    assert max(len(s) for s in doc.sents) <= MAX_SENTENCE_TOKENS


def test_parse_a_document_that_cannot_be_segmented_is_a_problem(blank_nlp):
    documents = [story(0), Document("none", None, path="in.jsonl", line=2), story(2)]  # type: ignore[arg-type]
    got = outcome(parse_documents(blank_nlp, documents))
    reason = "could not be parsed: TypeError: object of type 'NoneType' has no len()"
    assert got == ["d0", f"problem in.jsonl:2 [none]: {reason}", "d2"]


def test_parse_importing_tieline_registers_no_spacy_component():
    import subprocess
    import sys

    code = ("import tieline; from spacy.language import Language; "
            "print(Language.has_factory('tieline_line_breaks'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"  # registered when a pipeline is built, not on import


def test_parse_sentence_rules_register_their_components_once(blank_nlp):
    from spacy.language import Language

    from tieline.parse import add_sentence_rules, register_components

    register_components()
    register_components()  # idempotent
    assert Language.has_factory("tieline_line_breaks") and Language.has_factory("tieline_long_sentences")
    add_sentence_rules(blank_nlp)  # no parser: nothing to put before it
    assert "tieline_line_breaks" not in blank_nlp.pipe_names


def test_a_table_of_figures_is_no_prose_not_a_foreign_language():
    """Earnings tables are English without prose: they are skipped as such, not as 'not English' (issue 13)."""
    from tieline.parse import is_english, mostly_figures

    table = "\n\n".join(["Shr profit 15 cts vs profit four cts", "Annual div 72 cts vs 72 cts prior yr",
                         "Net profit 72,000 vs profit 16,000", "Revs 7,075,000 vs 2,330,000", "12 mths",
                         "Shr profit 42 cts vs loss 11 cts", "Net profit 203,000 vs loss 55,000",
                         "Revs 16.1 mln vs 3,971,000", "Oper shr loss nine cts vs loss four cts",
                         "Oper net loss 108,000 vs loss 55,000", "Sales 3,029,000 vs 2,694,000"])
    spanish = ("El presidente de la República dijo que los acuerdos de 1998 y de 2004 siguen vigentes para "
               "las empresas del país y que el gobierno no los cambiará en los próximos años, según la prensa.")
    assert not is_english(table, 0.2) and mostly_figures(table)
    assert not mostly_figures(spanish)
    assert not mostly_figures("Iran and Armenia signed three agreements in Yerevan on Monday, officials said.")
