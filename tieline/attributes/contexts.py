"""Why: PLOVER contexts and the fields (sectors) of cooperation named around an event."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Span

DOCUMENT_CONTEXTS = 2  # the document's most frequent contexts are added to each event


def _terms(sent: Span) -> Iterable[str]:
    tokens = [t for t in sent if not t.is_punct]
    words = [t.lemma_.lower() for t in tokens]
    texts = [t.lower_ for t in tokens]
    for seq in (words, texts):
        yield from seq
        for n in (2, 3):
            for i in range(len(seq) - n + 1):
                yield " ".join(seq[i:i + n])


def find_terms(sent: Span, table: dict[str, str]) -> list[str]:
    """Labels of the table's terms found in a sentence, in order of first appearance."""
    out: list[str] = []
    for term in _terms(sent):
        label = table.get(term)
        if label is not None and label not in out:
            out.append(label)
    return out


def document_contexts(sentences: Iterable[Span], table: dict[str, str]) -> list[str]:
    """The document's most frequent contexts (of ``table``), counted once a sentence."""
    return top_contexts(find_terms(sent, table) for sent in sentences)


def top_contexts(found: Iterable[list[str]]) -> list[str]:
    """The most frequent labels, given the labels found in each sentence (``find_terms``)."""
    counts: Counter[str] = Counter()
    for labels in found:
        counts.update(labels)
    return [c for c, _ in counts.most_common(DOCUMENT_CONTEXTS)]
