"""Stories and sentences that name countries but report no political interaction: sport,
entertainment, markets (``discards.csv``). Their events are dropped, not coded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Span

SCORE = re.compile(r"(?<![\d.,])\d{1,2}-\d{1,2}(?![\d.,-])")
RESULT_VERBS = frozenset({"beat", "defeat", "win", "lose", "draw", "edge", "thrash", "overcome", "rout", "crush"})
OFF_TOPIC_MIN_HITS = 3  # discard words a story needs before it is taken as non-political
# Words that mark a story as political whatever else it mentions (closed list, kept short).
POLITICAL_WORDS = frozenset("government minister president parliament army troops police sanctions embassy "
                            "ambassador rebels protesters diplomat ministry military treaty election".split())


def _hits(sent: Span, table: dict[str, bool], *, strong_only: bool = False) -> int:
    return _term_hits([t.lemma_.lower() for t in sent], table, strong_only=strong_only)


def _term_hits(lemmas: Sequence[str], table: dict[str, bool], *, strong_only: bool = False) -> int:
    terms = [*lemmas, *(f"{a} {b}" for a, b in zip(lemmas, lemmas[1:]))]
    return sum(1 for term in terms if term in table and (table[term] or not strong_only))


def sentence_off_topic(sent: Span, table: dict[str, bool]) -> bool:
    """True when a sentence speaks of sport, entertainment or markets: a strong word, or a
    result ("beat Japan 3-1", "won 6-3 6-4")."""
    if _hits(sent, table, strong_only=True) > 0:
        return True
    scores = SCORE.search(sent.text) is not None
    return scores and any(t.lemma_.lower() in RESULT_VERBS for t in sent)


def document_off_topic(sentences: Iterable[Span], table: dict[str, bool]) -> bool:
    """True when a story is about sport, entertainment or markets rather than politics."""
    return lemmas_off_topic(([t.lemma_.lower() for t in sent] for sent in sentences), table)


def lemmas_off_topic(sentences: Iterable[Sequence[str]], table: dict[str, bool]) -> bool:
    """:func:`document_off_topic` of a story given as the lemmas of its sentences (the first pass
    of :mod:`tieline.prefilter` reads the whole story this way, without parsing it)."""
    hits = political = 0
    for lemmas in sentences:
        hits += _term_hits(lemmas, table)
        political += sum(1 for w in lemmas if w in POLITICAL_WORDS)
    return hits >= OFF_TOPIC_MIN_HITS and political <= hits // 3
