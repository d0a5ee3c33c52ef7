"""Readings of the dependency tree that every part of the events stage shares: a verb's base
forms, its infinitive complements, whether a word reports an act or describes a noun."""

from __future__ import annotations

from spacy.tokens import Span, Token

WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def verb_lemmas(tok: Token) -> list[str]:
    """The lemma, and for verbs the base forms the word's ending allows, because the statistical
    lemmatizer slips ("staged" -> "stag")."""
    lemma = tok.lemma_.lower()
    out = [lemma]
    if tok.pos_ not in ("VERB", "AUX") and not tok.tag_.startswith("VB"):
        return out
    word = tok.lower_
    if word.endswith("ied"):
        out.append(word[:-3] + "y")
    if word.endswith("ed"):
        out += [word[:-1], word[:-2]]
        if len(word) > 4 and word[-3] == word[-4]:
            out.append(word[:-3])  # "banned" -> "ban"
    elif word.endswith("ing"):
        out += [word[:-3], word[:-3] + "e"]
        if len(word) > 5 and word[-4] == word[-5]:
            out.append(word[:-4])
    elif word.endswith("ies"):
        out.append(word[:-3] + "y")
    elif word.endswith("es"):
        out += [word[:-2], word[:-1]]
    elif word.endswith("s"):
        out.append(word[:-1])
    return list(dict.fromkeys(out))


def complements(verb: Token) -> list[Token]:
    """Infinitive complements: "threatened to impose" (parsed as xcomp, or as advcl with "to")."""
    return [c for c in verb.children if c.dep_ == "xcomp" or
            (c.dep_ == "advcl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children))]


def temporal(prep: Token) -> bool:
    """A preposition of time ("called on Tuesday", "met on 5 May") is no particle of the verb."""
    return prep.dep_ == "prep" and any(g.dep_ == "pobj" and (g.ent_type_ in ("DATE", "TIME") or g.lower_ in WEEKDAYS)
                                       for g in prep.children)


def agent_of_noun(noun: Token) -> Token | None:
    """Who does what an event noun names, written with "by": "a strike by 40,000 seamen"."""
    for c in noun.children:
        if c.dep_ in ("prep", "agent") and c.lower_ == "by":
            for g in c.children:
                if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME"):
                    return g
    return None


def describes_background(tok: Token) -> bool:
    """A verb that describes a noun rather than reports an event: "property seized by the army",
    "a helicopter that was captured last week", "Montenegro, where 28 people have been killed",
    "the killing of a man", and what such a clause goes on to say ("a march staged to protest")."""
    if tok.pos_ == "VERB" and tok.dep_ in ("amod", "compound", "nmod"):
        return True  # "the shooting deaths"
    cur = tok
    for _ in range(4):
        if cur.dep_ == "acl" and cur.tag_ == "VBN":
            return True
        if cur.dep_ == "relcl":
            passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in cur.children)
            where = any(c.dep_ == "advmod" and c.lower_ in ("where", "when") for c in cur.children)
            return passive or where
        if cur.dep_ not in ("advcl", "xcomp", "conj") or cur.head is cur:
            return False
        cur = cur.head
    return False


def reports_an_act(verb: Token) -> bool:
    """A clause of its own ("were killed", "attacked"), not a gerund or noun use ("in killing")."""
    if verb.tag_ == "VBG" and verb.dep_ in ("pcomp", "pobj", "nsubj", "dobj"):
        return False
    return verb.pos_ == "VERB"


def has_condition(verb: Token, marker: str) -> bool:
    """Whether the verb has an adverbial clause opened by ``marker`` ("unless", "if")."""
    return any(c.dep_ == "advcl" and any(m.lower_ == marker for m in c.children if m.dep_ == "mark")
               for c in verb.children)


def negated_complement(verb: Token) -> bool:
    """ "vowed not to return": the promise is of a refusal."""
    return any(any(g.dep_ == "neg" for g in c.children) for c in complements(verb)) \
        or any(c.dep_ == "neg" and c.i > verb.i for c in verb.children)


def failed(verb: Token) -> bool:
    """ "failed to reach": the verb is the complement of fail."""
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() == "fail"


def person_entities(sent: Span) -> list[Span]:
    """The PERSON entities inside a sentence, read from its tokens' IOB tags. ``Span.ents``
    walks every entity of the whole parsed segment, once per sentence: quadratic in a long
    segment (issue 9)."""
    doc, out, i = sent.doc, [], sent.start
    while i < sent.end:
        if doc[i].ent_iob_ != "B":
            i += 1
            continue
        end = i + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        if end <= sent.end and doc[i].ent_type_ == "PERSON":
            out.append(doc[i:end])
        i = end
    return out
