"""Who speaks: the subject of the verb of saying that reports a clause or a quotation.

"I" and "we" are their speaker ('"We agree," Lavrov said'), and a state office is of the body
whose words a sentence reports ("The Interior Minister ..., the Pakistani government said").
"""

from __future__ import annotations

from spacy.tokens import Token

REPORTING_VERBS = frozenset({"say", "tell", "announce", "report", "state", "add", "confirm", "declare", "tweet", "write"})
# verbs that attribute a quotation to its speaker ('"...," Sisi stressed'; 'Sisi added: "..."')
QUOTING_VERBS = REPORTING_VERBS | frozenset({"note", "stress", "emphasize", "emphasise", "insist", "explain", "assert",
                                             "affirm", "underline", "continue", "conclude", "remark", "reply", "argue"})


def reported_speaker(head: Token) -> Token | None:
    """The subject of the sentence's verb of saying when ``head`` sits in the reported clause
    ('"We agree," Lavrov said'; "Putin said the US must ...")."""
    root = head.sent.root
    if root.pos_ != "VERB" or root.lemma_.lower() not in REPORTING_VERBS:
        return None
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or head.i in {t.i for t in subject.subtree}:
        return None
    clause = head
    while clause.head.i != clause.i and clause.head.i != root.i:  # spaCy makes a new Token per access: compare .i
        clause = clause.head
    if clause.dep_ not in ("ccomp", "parataxis") or clause.head.i != root.i:
        return None
    return subject


def quoted_speaker(head: Token) -> Token | None:
    """Who speaks the quotation ``head`` sits in, when a verb of saying outside it names him: after
    its closing mark ('"... we will not allow it." Sisi said.') or before its opening one ('Sisi
    added: "We are ..."'). A quotation of several sentences has its speaker in none of the others."""
    span = _quotation(head.doc.text, head.idx)
    if span is None:
        return None
    opening, closing = span
    after = next((t for t in head.doc[head.i:] if t.idx > closing and not t.is_punct and not t.is_space), None)
    if after is not None:
        verb = after.sent.root
        subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.idx > closing), None)
        if verb.lemma_.lower() in QUOTING_VERBS and subject is not None and verb.idx > closing:
            return subject
    before = next((t for t in reversed(head.doc[:head.i]) if t.idx < opening and not t.is_punct and not t.is_space),
                  None)
    for verb in ([before, before.head, before.head.head] if before is not None else []):
        subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.idx < opening), None)
        if verb.lemma_.lower() in QUOTING_VERBS and subject is not None:
            return subject
    return None


def _quotation(text: str, at: int) -> tuple[int, int] | None:
    """The character offsets of the opening and closing marks of the quotation around ``at``;
    curly marks pair by their shape, straight ones in turn, and neither runs past a paragraph."""
    opening: int | None = None
    for i, ch in enumerate(text):
        if ch == "\n" and i + 1 < len(text) and text[i + 1] == "\n":
            opening = None
        elif ch == "\u201c" or (ch == '"' and opening is None):
            opening = i
        elif (ch == "\u201d" or ch == '"') and opening is not None:
            if opening < at < i:
                return opening, i
            opening = None
        if i > at and opening is None:
            return None
    return None
