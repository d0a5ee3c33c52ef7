"""Auxiliary modes of an event from the syntax around its trigger: negated, future,
hypothetical. These are closed grammatical lists, so they live here as constants."""

from __future__ import annotations

from spacy.tokens import Token

NEGATION_WORDS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without"})
FUTURE_AUXILIARIES = frozenset({"will", "'ll", "shall", "wo"})
HYPOTHETICAL_AUXILIARIES = frozenset({"would", "could", "might", "may", "should", "can", "ca", "must"})
CONDITION_MARKERS = frozenset({"if", "unless", "whether", "provided", "lest"})
# Governing words that put their complement in the future ("plans to visit", "is set to sign").
INTENT_GOVERNORS = frozenset({"plan", "intend", "expect", "schedule", "slate", "set", "prepare",
                              "aim", "hope", "want", "wish", "seek", "propose", "due", "go", "scheduled",
                              "expected", "poised", "about"})
# Governing words that make the complement a guess, not a deed or a plan ("is likely to attack").
LIKELIHOOD_GOVERNORS = frozenset({"likely", "unlikely", "possible", "probable", "able", "unable"})
AIM_NOUNS = frozenset({"effort", "attempt", "bid", "deadline", "pressure", "push", "drive", "campaign", "call",
                       "demand", "plan", "intention", "decision", "chance", "opportunity", "way", "right", "evidence",
                       "threat", "promise", "pledge", "offer", "proposal", "readiness", "willingness", "need"})
PLAN_NOUNS = frozenset({"plan", "intention", "decision", "promise", "pledge", "offer", "proposal", "readiness",
                        "willingness"})
FAILURE_NOUNS = frozenset({"refusal", "failure", "reluctance", "unwillingness", "inability"})
FAILURE_GOVERNORS = frozenset({"fail", "refuse", "decline", "reject", "deny", "stop", "cease", "halt", "avoid"})
# Dependencies through which a governing clause's modality reaches its complement.
COMPLEMENT_DEPS = frozenset({"xcomp", "ccomp", "conj", "pcomp", "advcl"})


def _chain(token: Token, depth: int = 3) -> list[Token]:
    """The trigger and the verbs governing it through complement links."""
    out = [token]
    cur = token
    for _ in range(depth):
        purpose = cur.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in cur.children)
        if cur.dep_ in ("xcomp", "conj") or purpose or (token.pos_ == "NOUN" and cur is token):
            cur = cur.head
            out.append(cur)
        else:
            break
    return out


def is_negated(token: Token) -> bool:
    """The trigger, or the verb it complements, is negated ("did not meet", "no agreement",
    "are yet to sign", "no longer seek"); negation does not cross "and" / "but"."""
    cur = token
    if token.pos_ == "ADJ" and token.dep_ == "acomp":  # "is not ready to": the copula carries "not"
        if any(c.dep_ == "neg" for c in token.head.children):
            return True
    anc = token
    for _ in range(4):  # "its refusal to accept", "the failure to agree"
        if anc.head is anc:
            break
        anc = anc.head
        if anc.pos_ == "NOUN" and anc.lemma_.lower() in FAILURE_NOUNS:
            return True
        if anc.pos_ == "VERB" and anc is not token.head:
            break
    for step in range(3):
        for child in cur.children:
            if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
                return True
            if step == 0 and child.dep_ == "dobj" and any(g.dep_ == "det" and g.lower_ == "no" for g in child.children):
                return True  # "offered no concessions", "gave no details": nothing was given
            if child.dep_ == "advmod" and child.lower_ == "longer" and any(g.lower_ == "no" for g in child.children):
                return True
        if step and cur.lemma_.lower() in FAILURE_GOVERNORS:
            return True
        if cur.dep_ == "xcomp" and cur.head.lower_ == "yet" or (cur.dep_ == "xcomp" and any(
                c.lower_ == "yet" for c in cur.head.children if c.dep_ in ("advmod", "acomp"))):
            return True  # "are yet to sign"
        if cur.dep_ == "xcomp" or (token.pos_ == "NOUN" and cur is token):
            cur = cur.head
        else:
            break
    return False


def _reported(tok: Token) -> bool:
    """A clause reported by a verb of saying ("said it would ..."): "would" is a future there."""
    return tok.dep_ == "ccomp" and tok.head.pos_ == "VERB"


def is_future_plan(token: Token) -> bool:
    return _unrealised(token) in PLAN_NOUNS


def is_future(token: Token) -> bool:
    if is_future_plan(token):
        return True
    for tok in _chain(token):
        for child in tok.children:
            if child.dep_ in ("aux", "auxpass") and child.lower_ in FUTURE_AUXILIARIES:
                return True
            if child.dep_ == "aux" and child.lower_ in ("would", "'d") and _reported(tok):
                return True
        if tok is not token and tok.lemma_.lower() in INTENT_GOVERNORS:
            return True
    # "is to visit": be + infinitive
    if token.dep_ == "xcomp" and token.head.lemma_ == "be":
        return True
    return False


def _unrealised(token: Token) -> str | None:
    """The noun an infinitive hangs on when it names an aim, not a deed: "efforts to free them",
    "a deadline for Sudan to disarm", "plans to withdraw"."""
    cur = token
    for _ in range(3):
        if cur.dep_ in ("acl", "relcl", "xcomp", "advcl") and cur.head.pos_ == "NOUN":
            lemma = cur.head.lemma_.lower()
            return lemma if lemma in AIM_NOUNS else None
        if cur.dep_ not in ("xcomp", "conj") or cur.head is cur:
            return None
        cur = cur.head
    return None


def is_unrealised(token: Token) -> bool:
    """The act is only aimed at ("efforts to free them"), not done nor planned."""
    aim = _unrealised(token)
    return aim is not None and aim not in PLAN_NOUNS


def is_hypothetical(token: Token) -> bool:
    sent = token.sent
    if sent.text.rstrip().endswith("?"):
        return True
    for tok in _chain(token):
        for child in tok.children:
            if child.dep_ in ("aux", "auxpass") and child.lower_ in HYPOTHETICAL_AUXILIARIES \
                    and not (child.lower_ == "would" and _reported(tok)):
                return True
        if tok is not token and tok.lemma_.lower() in LIKELIHOOD_GOVERNORS:
            return True
    # inside an "if" / "unless" clause
    cur = token
    for _ in range(4):
        if any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKERS for c in cur.children):
            return True
        if cur.head is cur:
            break
        cur = cur.head
    return False
