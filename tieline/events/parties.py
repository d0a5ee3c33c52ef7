"""Finding an event's parties in the dependency tree, and pairing them.

The actor is the trigger's subject (through passives, relative clauses, conjoined and controlled
verbs); the recipient its object or a prepositional object (with, to, against, on, between...).
Each is resolved by :mod:`tieline.actors` with the document context of :mod:`tieline.coref`.
Compound parties give one record per group ("the US and France accused Russia" is one ACCUSE
with two actors), and a pair for reciprocal events without a recipient ("Iran and Armenia are
working on...").
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Span, Token

from tieline.actors import ActorFinder
from tieline.coref import PERSON_KINDS, DocumentContext, labels_a_topic
from tieline.events.syntax import agent_of_noun, complements, person_entities
from tieline.events.triggers import Found
from tieline.types import Actor, Mention, Name

RECIPIENT_PREPOSITIONS = frozenset({"with", "to", "against", "on", "upon", "toward", "towards", "from", "for",
                                    "between", "among", "into", "over", "at", "about", "of"})
PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "inside", "outside", "across", "throughout", "during",
                                "since", "until", "after", "before", "within", "around", "amid", "via"})
# what a party issues or sends that says something itself: "a statement deploring", "a letter urging"
DOCUMENT_NOUNS = frozenset({"statement", "communique", "communiqué", "letter", "resolution", "declaration", "note",
                            "message", "report"})
SEARCH_DEPS = frozenset({"prep", "pobj", "pcomp", "dobj", "poss", "compound", "amod", "nmod", "xcomp", "acl",
                         "appos", "nsubj", "conj", "ccomp", "advcl"})
LEADING_VERBS = frozenset({"lead", "head"})
TOPIC_VERBS = frozenset({"discuss", "negotiate", "talk", "debate", "review", "attend"})  # their object is a topic
HOST_BODY_VERBS = frozenset({"attend"})  # ... save the body whose meeting it is: "attends the G7 meeting"
# Acts whose recipient may be the subject of their clause: "demanded that the US cancel...".
CLAUSE_RECIPIENT_TYPES = frozenset({"REQUEST", "THREATEN", "ACCUSE", "REJECT"})
# People named by their relation to someone, who is then not the party.
KIN_NOUNS = frozenset({"father", "mother", "husband", "wife", "son", "daughter", "brother", "sister", "family",
                       "parent", "lawyer", "friend", "relative", "uncle", "aunt", "child", "widow", "fiancee"})
# Nouns of place and time that a preposition phrase names as a setting.
SETTING_NOUNS = frozenset("city town capital village region province area district border country territory "
                          "camp zone street road week month year day time period".split())
# Types whose compound actor without a recipient is a dyad: "Iran and Armenia are cooperating".
PAIRED_TYPES = frozenset({"CONSULT", "AGREE", "COOPERATE", "SUPPORT", "ASSAULT"})
MAX_COMBINATIONS = 6
# Events that civilians, firms and the like take part in on their own, and the claims and threats
# any national actor makes (the guidelines code schools, unions and firms as their country: "the
# schools inspector accused some schools of failing pupils"). Any other event needs a political
# actor ("British tourists visited Italy" is no CONSULT).
CIVIL_TYPES = frozenset({"PROTEST", "ASSAULT", "COERCE", "CONCEDE", "AID"})
CLAIM_TYPES = frozenset({"REQUEST", "ACCUSE", "REJECT"})
POLITICAL_SECTORS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG", "PTY", "REB", "OPP", "IGO", "NGO", "SPY", "PRM", "UNK",
                               "ELI", "UAF", "PRE"})

Pair = tuple[Mention | None, Mention | None]
Grouped = tuple[Mention | None, tuple[Mention, ...], Mention | None, tuple[Mention, ...]]


class PartyFinder:
    """The actor and recipient phrases of a trigger, resolved to mentions."""

    def __init__(self, actors: ActorFinder) -> None:
        self.actors = actors

    def subject(self, verb: Token, depth: int = 0) -> Token | None:
        """The word that does what the verb says, through passives, controlled and conjoined verbs,
        participle clauses and relative clauses."""
        if depth > 4:
            return None
        direct = _direct_subject(verb)
        if direct is not None:
            return direct
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
        if verb.dep_ == "conj" and not passive:  # "the minister was indicted ... and will resign"
            patient = next((c for c in verb.head.children if c.dep_ == "nsubjpass"), None)
            if patient is not None:
                return patient
        if verb.dep_ in ("xcomp", "conj", "acomp") and verb.head is not verb and not passive:
            return self.subject(verb.head, depth + 1)
        if verb.dep_ == "advcl" and not passive and not any(c.dep_ == "mark" for c in verb.children) \
                and (verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)):
            return self.subject(verb.head, depth + 1)  # "..., killing 156 people", "... to discuss ties"
        if verb.dep_ == "acl" and verb.head.lemma_.lower() in DOCUMENT_NOUNS and verb.head.dep_ == "dobj":
            return self.subject(verb.head.head, depth + 1)  # "issued a statement deploring ...": the issuer
        passive_participle = verb.dep_ == "acl" and verb.tag_ == "VBN"  # "citizens detained by...": patients
        if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN", "PRON") and not passive_participle \
                and not any(c.dep_ in ("nsubjpass", "expl") for c in verb.children):
            return verb.head
        if verb.dep_ == "pcomp" and verb.head.head is not verb.head:
            return self.subject(verb.head.head, depth + 1)
        return None

    def resolve(self, head: Token, names: dict[int, Name], offset: int, ctx: DocumentContext,
                *, allow_places: bool) -> list[Mention]:
        """The parties a phrase names, with its conjuncts and listed appositions."""
        out: list[Mention] = []
        listed = [c for c in head.children if c.dep_ == "appos" and c.i in names and head.i in names
                  and names[c.i].kind == names[head.i].kind == "country"]  # "The US, Russia, and Switzerland"
        unresolved = []
        for tok in [head, *head.conjuncts, *listed, *(g for c in listed for g in c.conjuncts)]:
            res = self.actors.resolve(tok, names, offset, ctx, allow_places=allow_places)
            if res is not None:
                out.extend(res.mentions)
            else:
                unresolved.append(tok)
        for tok in unresolved:  # "Sudan's government and rebels": the rebels are Sudan's
            agent, role = self.actors.agent_type([tok])
            if agent is not None and role is tok and out and out[0].actor.country:
                start = offset + tok.idx
                out.append(Mention(tok.text, start, start + len(tok.text),
                                   Actor(out[0].actor.name, out[0].actor.country, agent), "agent"))
        return out

    def search(self, start: Token, names: dict[int, Name], offset: int, ctx: DocumentContext,
               *, allow_places: bool, skip: set[int], avoid: frozenset = frozenset(),
               possessives: bool = True) -> list[Mention]:
        """The first actor phrase found breadth-first below ``start`` (not in place phrases).
        Without ``possessives``, an owner pronoun is no party: "suspended all its flights"."""
        queue = [start]
        seen = set()
        while queue:
            tok = queue.pop(0)
            if tok.i in seen or tok.i in skip:
                continue
            seen.add(tok.i)
            if tok.pos_ == "PRON" and tok.dep_ == "poss" and tok is not start and (
                    not possessives or tok.head.lemma_.lower() in KIN_NOUNS):
                continue  # "her father accused ...": the father, not her
            if tok is not start and labels_a_topic(tok, names[tok.i].kind if tok.i in names else None):
                continue
            if tok.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
                parties = self.resolve(tok, names, offset, ctx, allow_places=allow_places)
                parties = [p for p in parties if p.actor not in avoid]  # "his commitment": the actor's own
                if parties:
                    return parties
            for child in tok.children:
                if child.dep_ not in SEARCH_DEPS and not (child.dep_ == "agent" and tok.lemma_ in LEADING_VERBS):
                    continue  # "a delegation led by the Greek foreign minister": his party
                if child.dep_ == "prep" and not allow_places and _names_place_or_time(child, names):
                    continue
                queue.append(child)
        return []

    def recipients(self, found: Found, actor_heads: set[int], names: dict[int, Name], offset: int,
                   ctx: DocumentContext, actors: list[Mention]) -> list[Mention]:
        """The trigger's recipients: its object, a prepositional object, a complement's party, or
        for claims and threats, the subject of the clause they aim at."""
        tok = found.carrier if found.carrier is not None else found.token
        search = dict(names=names, offset=offset, ctx=ctx, allow_places=found.pattern.mode == "visit",
                      skip=actor_heads, avoid=frozenset(m.actor for m in actors), possessives=False)
        for cand in _recipient_phrases(found, tok):
            if cand.dep_ == "prep" and cand.lower_ == "between":
                continue
            parties = self.search(cand, **search)  # type: ignore[arg-type]
            if parties:
                return parties
        for subj in _clause_subjects(found, tok):
            parties = self.resolve(subj, names, offset, ctx, allow_places=False)
            if parties:
                return parties
        return []

    def between(self, found: Found, names: dict[int, Name], offset: int, ctx: DocumentContext) -> list[Mention]:
        """The parties of "talks between X and Y", "clashes among ..."."""
        for owner in (found.token, found.carrier):
            if owner is None:
                continue
            for c in owner.children:
                if c.dep_ == "prep" and c.lower_ in ("between", "among"):
                    for g in c.children:
                        if g.dep_ == "pobj":
                            return self.resolve(g, names, offset, ctx, allow_places=False)
        return []

    def noun_owner(self, noun: Token, names: dict[int, Name], offset: int, ctx: DocumentContext) -> list[Mention]:
        """The actor named inside an event noun's phrase: "Israeli air raids", "Iran's offer", "a strike
        by Brazilian seamen"."""
        agent = agent_of_noun(noun)
        for c in [*(c for c in noun.children if c.dep_ in ("poss", "amod", "compound", "nmod")), *filter(None, [agent])]:
            res = self.actors.resolve(c, names, offset, ctx, allow_places=False)
            if res is not None:
                return list(res.mentions)
        if agent is None:
            return []
        # "a strike by Brazilian dockers": no table knows dockers, but they are Brazilians, not the state
        for c in agent.children:
            if c.dep_ not in ("amod", "compound"):
                continue
            res = self.actors.resolve(c, names, offset, ctx, allow_places=False)
            if res is not None and len(res.mentions) == 1 and res.mentions[0].kind in ("adjective", "country"):
                m = res.mentions[0]
                return [replace(m, actor=replace(m.actor, type="CVL"))]
        return []

    def learn_persons(self, sent: Span, names: dict[int, Name], offset: int, ctx: DocumentContext) -> None:
        """Resolve titled persons as they are introduced, and the speaker of the sentence, so that
        surnames and pronouns ("he said", "they would") resolve later."""
        heads = [ent.root for ent in person_entities(sent)]
        heads += [c for c in sent.root.children if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN")]
        for head in heads:
            res = self.actors.resolve(head, names, offset, ctx)
            if res is not None and len(res.mentions) == 1:
                ctx.observe(res.mentions[0], head)


def _direct_subject(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    for c in verb.children:  # "In mid-December, a delegation attended": not the date
        if c.dep_ in ("nsubj", "csubj") and c.ent_type_ not in ("DATE", "TIME"):
            return c
    return None


def _recipient_phrases(found: Found, tok: Token) -> list[Token]:
    """Where a recipient may be, in the order tried: the event noun's own phrases ("talks with
    X"), objects, prepositional phrases, infinitive complements."""
    visit = found.pattern.mode == "visit"
    candidates: list[Token] = []
    if found.carrier is not None:
        candidates += [c for c in found.token.children if c.dep_ == "prep" and c.lower_ in RECIPIENT_PREPOSITIONS]
    if found.frame:  # the meeting's partner is "with X", not the object of what was said there
        return [c for c in candidates if c.lower_ == "with"]
    passive = any(c.dep_ == "auxpass" for c in tok.children)
    topic = found.pattern.event == "CONSULT" and tok.lemma_.lower() in TOPIC_VERBS
    if not topic:  # "discussed punishing Russia": the topic is no party; only "with X" is
        candidates += [c for c in tok.children
                       if (c.dep_ in ("dobj", "iobj", "dative") or (passive and c.dep_ == "nsubjpass"))
                       and not (found.carrier is not None and c is found.token)]
        if not passive and not any(c.dep_ == "dobj" for c in tok.children):
            candidates += _shared_object(tok)
    # a row's object after its particle is what the verb acts on, whatever the preposition: "called in the ambassador"
    preps = [c for c in tok.children
             if c.dep_ == "prep" and (c.lower_ in RECIPIENT_PREPOSITIONS or (visit and c.lower_ in ("in", "at"))
                                      or (found.pattern.objects and c.lower_ in found.pattern.particles))
             and not (topic and c.lower_ not in ("with", "between", "among"))]
    if found.pattern.event == "ACCUSE":  # "complained to the UN over Israeli raids": the accused first
        preps.sort(key=lambda c: c.lower_ not in ("against", "over", "about", "of"))
        preps += [c for c in tok.children if c.dep_ == "prep" and c.lower_ == "as"]  # "denounced as a crime X's..."
    candidates += preps
    if topic and tok.lemma_.lower() in HOST_BODY_VERBS:  # "attends the G7 meeting": the body that meets
        meetings = [t for c in tok.children if c.dep_ == "dobj" for t in (c, *c.conjuncts)]
        candidates += [c for m in meetings for c in m.children if c.dep_ in ("compound", "poss", "nmod")
                       or (c.dep_ == "prep" and c.lower_ == "of")]
    if topic:  # "discussed developments in Syria with the Turkish president": "with" hangs off the topic
        candidates += [p for c in tok.children if c.dep_ == "dobj" for t in (c, *c.conjuncts) for p in t.children
                       if p.dep_ == "prep" and p.lower_ == "with"]
    if not topic:
        candidates += complements(tok)
    return candidates


def _shared_object(verb: Token) -> list[Token]:
    """The object a verb shares with the next verb of its own subject: "shot and killed a Palestinian"."""
    for conj in verb.children:
        if conj.dep_ == "conj" and conj.pos_ == "VERB" and conj.i > verb.i \
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children):
            return [c for c in conj.children if c.dep_ == "dobj"]
    return []


def _clause_subjects(found: Found, tok: Token) -> list[Token]:
    """Subjects of the clauses a threat or claim aims at: "threatened to ... unless Baghdad
    accepted", "would quit unless the prime minister agreed", "demanded that the US cancel..."."""
    out: list[Token] = []
    for clause in [tok, *complements(tok)] if found.pattern.event == "THREATEN" else [tok]:
        for c in clause.children:
            if c.dep_ == "advcl" and any(m.lower_ in ("if", "unless") for m in c.children if m.dep_ == "mark"):
                subj = next((g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None:
                    out.append(subj)
    if found.pattern.event in CLAUSE_RECIPIENT_TYPES:
        for c in tok.children:
            if c.dep_ == "ccomp":
                subj = next((g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None:
                    out.append(subj)
    return out


def _names_place_or_time(prep: Token, names: dict[int, Name]) -> bool:
    """ "in Geneva", "on Tuesday", "in the capital": a setting, not a party ("in its war with Iraq")."""
    for obj in prep.children:
        if obj.dep_ != "pobj":
            continue
        if obj.ent_type_ in ("DATE", "TIME"):
            return True
        if prep.lower_ in PLACE_PREPOSITIONS:
            if obj.ent_type_ in ("GPE", "LOC", "FAC"):
                return True
            name = names.get(obj.i)
            if name is not None and name.kind in ("country", "capital", "region"):
                return True
        if obj.lemma_.lower() in SETTING_NOUNS and not any(
                c.dep_ == "prep" and c.lower_ in ("with", "between") for c in obj.children):
            return True  # "on the border", but not "on its border with Guyana"
    return False


# ---- pairing ----------------------------------------------------------------------------------
def combine(actors: list[Mention], recipients: list[Mention], event_type: str, *, written_as: str = "") -> list[Pair]:
    """The (actor, recipient) pairs an event's parties make, at most MAX_COMBINATIONS. Co-subjects
    are two sides of an act done together (PAIRED_TYPES), also when it is written as one and
    coded as another: "X and Y failed to reach agreement" (``written_as`` AGREE) is X -> Y."""
    actors = _unique(actors)
    recipients = [r for r in _unique(recipients) if not any(_same(r, a) for a in actors)]
    pairs: list[Pair] = []
    if not actors:
        return [(None, r) for r in recipients] or [(None, None)]
    if recipients:
        for a in actors:
            for r in recipients:
                if a.actor.country and a.actor.country == r.actor.country and a.actor.type == r.actor.type \
                        and a.actor.abbrev == r.actor.abbrev and not _two_persons(a, r):
                    continue  # one party named twice ("US officials ... the US administration")
                pairs.append((a, r))
        if not pairs:  # "Nakasone ruled out Japanese military help": the act stands, aimed at no other party
            pairs = [(a, None) for a in _unique(actors)]
    elif len(actors) > 1 and (event_type in PAIRED_TYPES or written_as in PAIRED_TYPES):
        first = actors[0]
        for other in actors[1:]:
            if other.actor.country != first.actor.country or other.actor.abbrev != first.actor.abbrev:
                pairs.append((first, other))
        if not pairs:
            pairs.append((first, None))
    else:
        seen = set()
        for a in actors:
            key = (a.actor.country, a.actor.abbrev, a.actor.type)
            if key not in seen:
                seen.add(key)
                pairs.append((a, None))
    return pairs[:MAX_COMBINATIONS]


def reciprocal_pairs(actors: list[Mention]) -> list[Pair]:
    """ "accused each other": every ordered pair of different actors."""
    pairs: list[Pair] = [(a, b) for a in actors for b in actors if a.actor != b.actor]
    return pairs[:MAX_COMBINATIONS]


def compound(pairs: list[Pair]) -> list[Grouped]:
    """PLOVER keeps a compound party as one record with several members: "the US and France accused
    Russia" is one ACCUSE with two actors, not two records. A reciprocal pair without a third party
    ("Iran and Armenia are cooperating") stays a dyad, actor and recipient."""
    recipients_of: dict[int, list[Mention]] = {}
    actors_in_order: list[Mention | None] = []
    for actor, recipient in pairs:
        key = id(actor)
        if key not in recipients_of:
            recipients_of[key] = []
            actors_in_order.append(actor)
        if recipient is not None:
            recipients_of[key].append(recipient)
    reciprocal = {id(r) for _, r in pairs if r is not None} & {id(a) for a, _ in pairs if a is not None}
    if reciprocal:
        return [(a, (), r, ()) for a, r in pairs]
    groups: dict[tuple[int, ...], list[Mention | None]] = {}
    for actor in actors_in_order:
        groups.setdefault(tuple(id(r) for r in recipients_of[id(actor)]), []).append(actor)
    out: list[Grouped] = []
    for actors in groups.values():
        first_recipients = recipients_of[id(actors[0])]
        recipient = first_recipients[0] if first_recipients else None
        co_actors = tuple(a for a in actors[1:] if a is not None)
        out.append((actors[0], co_actors, recipient, tuple(first_recipients[1:])))
    return out


def takes_part(event_type: str, actor: Mention | None, recipient: Mention | None) -> bool:
    """Whether the parties can carry this event (see CIVIL_TYPES)."""
    if event_type == "ASSAULT":  # violence between private people is crime, not politics
        return actor is None or _political(actor) or _political(recipient)
    return event_type in CIVIL_TYPES | CLAIM_TYPES | {"THREATEN"} or actor is None or _political(actor)


def _two_persons(a: Mention, b: Mention) -> bool:
    """Two people named apart, of one country and sector, are two parties: "Vincent Cable accused
    Mr Brown" is an event of British politics (GBR -> GBR), not one party named twice."""
    return a.kind in PERSON_KINDS and b.kind in PERSON_KINDS and a.actor.name != b.actor.name


def _political(mention: Mention | None) -> bool:
    return mention is not None and (mention.actor.type is None or mention.actor.type in POLITICAL_SECTORS)


def _same(a: Mention, b: Mention) -> bool:
    return a.actor == b.actor or (a.start == b.start and a.end == b.end)


def _unique(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        if not any(o.actor == m.actor and o.start == m.start for o in out):
            out.append(m)
    return out
