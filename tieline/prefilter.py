"""Parse only what can hold an event (issue 12): a cheap first pass picks the sentences to parse.

The tagger, parser and NER are most of tieline's cost, and most sentences of most stories hold
no event (prices, results, background). :class:`SentenceFilter` reads a text with the tokenizer
alone, cuts it into sentences by punctuation, and keeps a sentence as a candidate when

* a row of the trigger table could fire in it (some form of the row's head word is there, and
  so are a form of one of its objects, one of its particles, and "must"/"should" for a row that
  needs an obligation: "say" alone is no trigger), and something in it could be the actor (a
  table name, a pronoun, "the two sides", an agent word such as "officials" or "police"); or
* it names two different actors of the tables (countries, organisations, office holders): the
  learned model reads such sentences for events no trigger row knows.

The sentence before a candidate is parsed too when the candidate may point back to it (a
pronoun, "the two sides"), for the document context to resolve. Runs of kept sentences are
parsed as segments at their own offsets, so the records' offsets and
evidence are those of full parsing; the dateline is read from the raw text as before, and the
story's country (:meth:`tieline.coref.DocumentContext.story_country`) from the country names and
the office holders named in full of the whole text, which the first pass finds anyway; so is
whether the story is off the topic of international relations (sport, entertainment, markets:
:mod:`tieline.attributes.topics`), and nothing of such a story is parsed, since none of its
events would be written.

Forms are matched generously (every base form the word's ending allows, and spaCy's own
exception tables for irregular forms): a sentence kept for nothing costs time, a sentence
dropped by mistake costs an event. Measured on the labelled corpus and PLOVER's gold sentences,
F1 stays within 0.005 of parsing everything (the README's performance section); ``parse_all`` turns it off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy
from spacy.attrs import NORM
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from tieline.actors import FIRST_PERSON, PERSONAL_PRONOUNS, POINTING_NOUNS
from tieline.attributes.topics import POLITICAL_WORDS, lemmas_off_topic
from tieline.coref import COUNTRY_KINDS, TOPIC_NOUNS, named_in_full, tells_story_country
from tieline.events.triggers import TriggerMatcher
from tieline.lexicon import Lexicon
from tieline.names import NameFinder
from tieline.parse import Selection
from tieline.types import Actor

SENTENCE_END = frozenset({".", "!", "?", "...", "\u2026"})
CLOSERS = frozenset({'"', "'", "\u201d", "\u2019", ")", "]"})
OBLIGATION = frozenset({"must", "should"})
QUOTE_MARKS = frozenset({'"', "\u201c", "\u201d", "``", "''"})
HONORIFICS = frozenset({"Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sir", "Dame", "Lord", "Lady"})
# Capitalised, these are months, not the verbs "march" and "may".
MONTHS = frozenset({"March", "May"})
EXCEPTION_POS = ("verb", "noun", "adj")
# English endings and what they stand for, used when the pipeline has no lemmatizer tables.
SUFFIX_RULES = (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""))


@dataclass(frozen=True)
class _Row:
    """What a trigger row needs beside its head word (empty: nothing)."""

    objects: frozenset[str]
    particles: frozenset[str]
    obligation: bool


@dataclass
class FilterCounts:
    """Sentences seen and kept, and their characters, over every text filtered (for reports)."""

    sentences: int = 0
    kept: int = 0
    chars: int = 0
    kept_chars: int = 0

    @property
    def share(self) -> float:
        return self.kept / self.sentences if self.sentences else 1.0


class SentenceFilter:
    """Picks the stretches of a text worth parsing.

    Args:
        nlp: the loaded spaCy pipeline (its tokenizer and lemmatizer tables are read, nothing run).
        lexicon: the trigger and actor tables, users' own included.
        names: the tables' names (shared with the coder's actor finder when given).
    """

    def __init__(self, nlp: Language, lexicon: Lexicon, names: NameFinder | None = None) -> None:
        self.make_doc = nlp.make_doc
        self.names = names or NameFinder(nlp, lexicon)
        self.counts = FilterCounts()
        self.heads: dict[str, list[_Row]] = {}
        matcher = TriggerMatcher(lexicon)
        for head, patterns in (*matcher.verb_patterns.items(), *matcher.noun_patterns.items()):
            rows = self.heads.setdefault(head.split()[-1], [])
            for p in patterns:
                rows.append(_Row(frozenset(o.split("_")[-1] for o in p.objects), p.particles,
                                 p.requires == "obligation"))
        self.exceptions: list[dict[str, list[str]]] = []
        self.suffix_rules: list[tuple[str, str]] = list(SUFFIX_RULES)
        if "lemmatizer" in nlp.pipe_names:
            lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
            if lookups is not None and lookups.has_table("lemma_exc"):
                exc = lookups.get_table("lemma_exc")
                self.exceptions = [exc[pos] for pos in EXCEPTION_POS if pos in exc]
            if lookups is not None and lookups.has_table("lemma_rules"):
                rules = lookups.get_table("lemma_rules")
                self.suffix_rules = sorted({*SUFFIX_RULES, *((a, b) for pos in EXCEPTION_POS if pos in rules
                                                             for a, b in rules[pos])})
        self._forms: dict[str, frozenset[str]] = {}
        self._lemmas: dict[str, str] = {}
        # words that can name an actor with no table name, or point back to one
        self.discards = lexicon.discards
        self.topic_words = frozenset(w for term in self.discards for w in term.split()) | POLITICAL_WORDS
        self.pointing = PERSONAL_PRONOUNS | POINTING_NOUNS  # point back to an earlier sentence
        self.referring = self.pointing | frozenset(t.split()[-1] for t in lexicon.agents if t.split())

    # ---- words ----------------------------------------------------------------------------
    def forms(self, word: str) -> frozenset[str]:
        """The word (lower case) and every base form its ending or an exception table allows."""
        known = self._forms.get(word)
        if known is not None:
            return known
        out = {word}
        for table in self.exceptions:
            out.update(table.get(word, ()))
        for suffix, replacement in self.suffix_rules:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                base = word[: len(word) - len(suffix)] + replacement
                out.add(base)
                if len(base) > 2 and base[-1] == base[-2] and not replacement:
                    out.add(base[:-1])  # "banned" -> "bann" -> "ban"
        found = frozenset(out)
        if len(self._forms) < 200_000:
            self._forms[word] = found
        return found

    def lemma(self, word: str) -> str:
        """A word's lemma as far as the story's topic goes: the base form that is a topic word
        (:mod:`tieline.attributes.topics`), else the word."""
        known = self._lemmas.get(word)
        if known is None:
            forms = self.forms(word)
            known = word if len(forms) == 1 else next((f for f in sorted(forms) if f in self.topic_words), word)
            if len(self._lemmas) < 200_000:
                self._lemmas[word] = known
        return known

    def could_trigger(self, tokens: Iterable[Token]) -> bool:
        """Whether some trigger row could fire on these words."""
        words: set[str] = set()
        heads: list[str] = []
        for tok in tokens:
            if tok.is_space or tok.is_punct:
                continue
            text = tok.text
            forms = self.forms(tok.lower_)
            words |= forms
            if text not in MONTHS:
                heads += [f for f in forms if f in self.heads]
        return any(self._row_fits(row, words) for head in heads for row in self.heads[head])

    @staticmethod
    def _row_fits(row: _Row, words: set[str]) -> bool:
        return ((not row.objects or not row.objects.isdisjoint(words))
                and (not row.particles or not row.particles.isdisjoint(words))
                and (not row.obligation or not OBLIGATION.isdisjoint(words)))

    # ---- sentences ------------------------------------------------------------------------
    @staticmethod
    def sentences(doc: Doc) -> list[tuple[int, int]]:
        """Token spans of the sentences of a tokenized text, cut after sentence-ending punctuation
        (and the quotes or brackets closing it) before a capital, a digit or a quote, and at blank
        lines. Under-cutting only costs time: a long stretch is kept or dropped whole."""
        out: list[tuple[int, int]] = []
        start = 0
        n = len(doc)
        i = 0
        while i < n:
            tok = doc[i]
            end = None
            if tok.text in SENTENCE_END or (tok.is_space and "\n\n" in tok.text) or (
                    tok.whitespace_ == "" and "\n\n" in tok.text):
                j = i + 1
                while j < n and (doc[j].text in CLOSERS or doc[j].text in SENTENCE_END):
                    j += 1
                while j < n and doc[j].is_space:
                    j += 1
                if j >= n:
                    end = n
                elif tok.is_space or _opens_sentence(doc[j].text):
                    end = j
            if end is not None and end > start:
                out.append((start, end))
                start = i = end
                continue
            i += 1
        if start < n:
            out.append((start, n))
        return out

    # ---- selection ------------------------------------------------------------------------
    def select(self, pieces: Iterable[tuple[int, str]]) -> Selection:
        """The stretches of a document's segments worth parsing, in order, and the sentences
        among them that could hold an event; nothing of a story off the topic of international
        relations, whose events would all be dropped (:meth:`tieline.pipeline.Coder.off_topic`).

        ``pieces`` are the document's (offset, text) segments (see
        :func:`tieline.parse.split_segments`)."""
        read: list[tuple[int, Doc, list[tuple[int, int]], list[bool]]] = []
        story_countries: list[Actor] = []
        story_persons: list[tuple[str, Actor]] = []
        lemmas: list[list[str]] = []
        for offset, text in pieces:
            doc = self.make_doc(text)
            spans = self.sentences(doc)
            names = list({id(n): n for n in self.names.find_names(doc, None).values()}.values())
            story_countries += [n.actor for n in names if tells_story_country(n)
                                and not (n.kind in COUNTRY_KINDS and n.kind != "adjective" and n.end < len(doc)
                                         and doc[n.end].lower_ in TOPIC_NOUNS)]  # "the Iraq war"
            # full names only: a lone "Howard" read without a parse may be another Howard
            story_persons += [(doc[n.start:n.end].text, n.actor) for n in names if named_in_full(n)]
            named = [(_party(n.actor), n.start) for n in names]
            keep = self.candidates(doc, spans, named)
            lower = [t.lower_ for t in doc]
            lemmas += [[self.lemma(w) for w in lower[s:e] if not w.isspace()] for s, e in spans]
            read.append((offset, doc, spans, keep))
        off_topic = lemmas_off_topic(lemmas, self.discards)
        out: list[tuple[int, str]] = []
        tokenized: list[Doc] = []
        candidates: list[tuple[int, int]] = []
        for offset, doc, spans, keep in read:
            if off_topic:
                keep = [False] * len(spans)
            chosen = self.with_context(doc, spans, keep)
            self._count(doc, spans, chosen)
            candidates += [(offset + doc[s].idx, offset + doc[e - 1].idx + len(doc[e - 1]))
                           for (s, e), k in zip(spans, keep) if k]
            stretches = list(_runs(doc, spans, chosen))
            out += [(offset + stretch.start_char, stretch.text) for stretch in stretches]
            if stretches:
                norms = doc.to_array(NORM)
                tokenized += [_tokens(stretch, norms) for stretch in stretches]
        return Selection(out, tuple(candidates), tuple(story_countries), off_topic, tuple(tokenized),
                         tuple(story_persons))

    def candidates(self, doc: Doc, spans: list[tuple[int, int]],
                   named: list[tuple[tuple[str | None, str | None], int]]) -> list[bool]:
        """Which sentences could hold an event: a trigger row could fire and someone could be its
        actor (a table name, a pronoun, an agent word such as "government" or "police"), or two
        different table actors are named (for the learned model)."""
        out = []
        for s, e in spans:
            parties = {p for p, at in named if s <= at < e}
            if len(parties) > 1:
                out.append(True)
                continue
            sentence = doc[s:e]
            out.append(self.could_trigger(sentence) and (bool(parties) or self._refers(sentence)))
        return out

    def _refers(self, sentence: Span) -> bool:
        """Whether a sentence has words that can name an actor without a table name: a pronoun,
        "the two sides", an agent word ("officials", "rebels"), or a name no table knows (an
        honorific, or two capitalised words inside the sentence: "Mr Harwood", "Vincent Cable"),
        whom the guidelines give the story's country."""
        previous_title = False
        for n, t in enumerate(sentence):
            if t.text in HONORIFICS or not self.referring.isdisjoint(self.forms(t.lower_)):
                return True  # a plural too: the tables hold "rebel", the news "rebels"
            title = n > 0 and t.is_title and t.is_alpha
            if title and previous_title:
                return True
            previous_title = title
        return False

    def with_context(self, doc: Doc, spans: list[tuple[int, int]], keep: list[bool]) -> list[bool]:
        """The sentences to parse: the candidates, the sentence before each candidate that may
        point back to it (a pronoun, "the two sides"), and the sentence after a candidate whose
        "I" or "we" speaks in a quotation, which may name the speaker ('... with Malaysia." Sisi
        said.'). Always parsing the story's first sentence too was measured and changed no score."""
        chosen = list(keep)
        for n in range(len(spans)):
            if not keep[n]:
                continue
            words = doc[spans[n][0]:spans[n][1]]
            if n > 0 and not chosen[n - 1] and any(t.lower_ in self.pointing for t in words):
                chosen[n - 1] = True
            if n + 1 < len(spans) and any(t.text in QUOTE_MARKS for t in words) \
                    and any(t.lower_ in FIRST_PERSON for t in words):
                chosen[n + 1] = True
        return chosen

    def _count(self, doc: Doc, spans: list[tuple[int, int]], chosen: list[bool]) -> None:
        for (s, e), kept in zip(spans, chosen):
            chars = doc[s:e].end_char - doc[s:e].start_char
            self.counts.sentences += 1
            self.counts.chars += chars
            if kept:
                self.counts.kept += 1
                self.counts.kept_chars += chars


def _party(actor: Actor) -> tuple[str | None, str | None]:
    """Who a table name names: its country (or the name) and abbreviation."""
    return (actor.country or actor.name, actor.abbrev)


def _opens_sentence(text: str) -> bool:
    first = text[:1]
    return first.isupper() or first.isdigit() or first in "\"'\u201c\u2018("


def _tokens(stretch: Span, norms: numpy.ndarray) -> Doc:
    """A stretch of a tokenized text as a text of its own, as the tokenizer gives it: the same
    words, spaces between them and special-case norms ("n't" is "not"). The tokenizer cuts
    at whitespace and reads each piece alone, so these are the tokens of the stretch's text; about
    eight times cheaper than tokenizing it again or than Span.as_doc, which copies every attribute."""
    words = [t.text for t in stretch]
    spaces = [bool(t.whitespace_) for t in stretch]
    spaces[-1] = False  # the stretch's text ends with its last word
    tokens = Doc(stretch.doc.vocab, words=words, spaces=spaces)
    tokens.from_array([NORM], norms[stretch.start:stretch.end].reshape(-1, 1))  # type: ignore[arg-type]  # thinc types it Ints2d
    return tokens


def _runs(doc: Doc, spans: list[tuple[int, int]], chosen: list[bool]) -> Iterator[Span]:
    """Each run of chosen sentences, without whitespace tokens at its ends."""
    run: list[tuple[int, int]] = []
    for span, kept in zip([*spans, (0, 0)], [*chosen, False]):
        if kept:
            run.append(span)
            continue
        if run:
            first, last = run[0][0], run[-1][1]
            while first < last and doc[first].is_space:
                first += 1
            while last > first and doc[last - 1].is_space:
                last -= 1
            if last > first:
                yield doc[first:last]
            run = []
