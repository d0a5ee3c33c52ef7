"""Find events: triggers from ``triggers.csv``, actor and recipient from the dependency tree.

* find: ``EventFinder.find_triggers`` matches verbs (with their particles and objects),
  intent adjectives and event nouns carried by light verbs ("held talks", "launched an attack").
  A trigger that is only the content of a verbal act ("agreed *to share*", "called for
  *establishing* relations") is folded into that act instead of coded twice.
* build: ``EventFinder.build_events`` takes the subject (through passives, relative clauses,
  conjoined and controlled verbs) as actor, and the object or a prepositional object (with, to,
  against, on, between...) as recipient, each resolved by :mod:`tieline.actors` with the
  document context of :mod:`tieline.coref`. Compound parties give one event per party, and a
  pair for symmetric events without a recipient ("Iran and Armenia are working on...").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from spacy.tokens import Span, Token

from tieline.actors import ActorFinder
from tieline.attributes.contexts import find_terms
from tieline.attributes.modality import is_future, is_hypothetical, is_negated, is_unrealised
from tieline.coref import DocumentContext
from tieline.lexicon import Lexicon, TriggerPattern
from tieline.types import Actor, Event, Mention, Name, ParsedDocument, Trigger

VERBAL_TYPES = frozenset({"AGREE", "REQUEST", "REJECT", "THREATEN", "ACCUSE"})
SYMMETRIC_TYPES = frozenset({"CONSULT", "AGREE", "COOPERATE", "SUPPORT", "ASSAULT", "REJECT"})
COOPERATIVE_TYPES = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID"})
CONFLICT_TYPES = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST"})
# Verbs whose complement carries their meaning over ("offered to send troops").
PROMISE_LEMMAS = frozenset({"offer", "promise", "pledge", "vow", "commit", "committed", "volunteer", "willing", "ready",
                            "prepared", "eager", "keen", "determined"})
NEGATIVE_EVALUATION = frozenset({"negative", "adverse", "harmful", "detrimental", "devastating", "damaging",
                                 "destructive", "disastrous", "dire", "crippling"})
OBLIGATION_MODALS = frozenset({"must", "should"})  # "X said Y must...": X asks Y
OBJECT_DEPS = frozenset({"dobj", "attr", "oprd"})
RECIPIENT_PREPOSITIONS = frozenset({"with", "to", "against", "on", "upon", "toward", "towards", "from", "for",
                                    "between", "among", "into", "over", "at", "about", "of"})
PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "inside", "outside", "across", "throughout", "during",
                                "since", "until", "after", "before", "within", "around", "amid", "via"})
EMBEDDING_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj", "advcl", "acomp"})
SEARCH_DEPS = frozenset({"prep", "pobj", "pcomp", "dobj", "poss", "compound", "amod", "nmod", "xcomp", "acl",
                         "appos", "nsubj", "conj", "ccomp", "advcl"})
MAX_COMBINATIONS = 6
# Events that civilians, firms and the like take part in on their own. Any other event needs a
# political actor ("British tourists visited Italy" is no CONSULT), or for claims made to a
# state, a political recipient ("residents accused the police").
CIVIL_TYPES = frozenset({"PROTEST", "ASSAULT", "COERCE", "CONCEDE", "AID"})
CLAIM_TYPES = frozenset({"REQUEST", "ACCUSE", "REJECT"})
NON_ANSWERS = frozenset({"comment", "elaborate", "say", "confirm", "disclose", "specify", "identify", "name",
                         "give", "discuss", "speculate"})
TOPIC_VERBS = frozenset({"discuss", "negotiate", "talk", "debate", "review", "attend"})  # their object is a topic
STANDALONE_TYPES = frozenset({"ASSAULT", "SANCTION", "COERCE", "PROTEST"})
POLITICAL_SECTORS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG", "PTY", "REB", "OPP", "IGO", "NGO", "SPY", "PRM",
                               "ELI", "UAF", "PRE"})
REFUSABLE_TYPES = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
REFUSAL_MODES = {"CONSULT": "meet", "COOPERATE": "assist", "AID": "assist", "CONCEDE": "yield", "RETREAT": "yield"}
# Violence is often reported without its perpetrator ("three soldiers were killed by a bomb"):
# such events are kept, and the records stage names an unidentified actor where it happened.
UNATTRIBUTED_TYPES = frozenset({"ASSAULT", "PROTEST", "COERCE"})


@dataclass(frozen=True)
class Found:
    """A matched trigger: the token, the pattern that fired, and the verb carrying a noun."""

    token: Token
    pattern: TriggerPattern
    carrier: Token | None = None
    standalone: bool = False  # an event noun with its own parties: "Turkish strikes on Afrin"
    alternatives: tuple[TriggerPattern, ...] = ()  # later rows that also fit, tried when this one's needs fail


class EventFinder:
    """Triggers and their parties in parsed documents."""

    def __init__(self, lexicon: Lexicon, actors: ActorFinder) -> None:
        self.lexicon = lexicon
        self.actors = actors
        self.verb_patterns: dict[str, list[TriggerPattern]] = {}
        self.noun_patterns: dict[str, list[TriggerPattern]] = {}
        for pattern in lexicon.triggers:
            index = self.noun_patterns if pattern.noun else self.verb_patterns
            for head in pattern.head:
                index.setdefault(head if pattern.noun else head.split()[0], []).append(pattern)
        for patterns in self.verb_patterns.values():  # "deny entry" before plain "deny"
            patterns.sort(key=lambda p: (not p.objects and not p.particles and " " not in min(p.head), p.row))
        self.light = lexicon.light_verbs

    # ---- find -----------------------------------------------------------------------------
    def _objects(self, verb: Token, particles: frozenset[str]) -> list[Token]:
        objs = [c for c in verb.children if c.dep_ in OBJECT_DEPS]
        if any(c.dep_ == "auxpass" for c in verb.children):
            objs += [c for c in verb.children if c.dep_ == "nsubjpass"]
        for c in verb.children:
            if c.dep_ in ("prep", "prt", "dative") and (not particles or c.lower_ in particles):
                objs += [g for g in c.children if g.dep_ == "pobj"]
        for c in verb.children:  # "go on strike", "put troops on alert"
            if c.dep_ == "xcomp" and c.pos_ in ("NOUN", "PROPN"):
                objs.append(c)
        more = []
        for o in objs:
            more += list(o.conjuncts)
            # "tons of food aid", "a shipment of arms": the measured noun is the object too
            more += [g for c in o.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                     if g.dep_ == "pobj"]
        return objs + more

    def _matches(self, tok: Token, pattern: TriggerPattern) -> Token | None | bool:
        """False when the pattern does not fit the verb; else the object it needed (or None)."""
        lemmas = verb_lemmas(tok)
        for head in pattern.head:
            parts = head.split()
            if parts[0] not in lemmas:
                continue
            if len(parts) > 1 and not any(c.lower_ == parts[1] and c.dep_ in ("prt", "prep", "advmod")
                                          for c in tok.children):
                continue  # "step down", "team up": the rest are particles
            break
        else:
            return False
        if pattern.particles:
            kids = {c.lower_ for c in tok.children if c.dep_ in ("prt", "prep", "advmod", "dative", "agent")
                    and not _temporal(c)}
            if not pattern.particles & kids:
                return False
        if pattern.requires == "complement" and not _complements(tok):
            return False
        if pattern.requires == "statement" and not any(c.dep_ == "ccomp" for c in tok.children):
            return False  # "a rights group protested that...": a complaint, not a street protest
        if pattern.requires == "obligation" and not any(
                c.dep_ == "ccomp" and any(a.dep_ == "aux" and a.lower_ in OBLIGATION_MODALS for a in c.children)
                for c in tok.children):
            return False
        if pattern.objects:
            for obj in self._objects(tok, pattern.particles):
                lemma = obj.lemma_.lower()
                text = obj.lower_
                two_words = {f"{c.lemma_.lower()}_{lemma}" for c in obj.children if c.dep_ in ("compound", "amod")}
                if lemma in pattern.objects or text in pattern.objects or two_words & pattern.objects:
                    if pattern.requires == "negative" and not any(
                            c.lower_ in NEGATIVE_EVALUATION for c in obj.children if c.dep_ == "amod"):
                        continue
                    return obj
            return False
        return None

    def find_triggers(self, sent: Span) -> list[Found]:
        found: list[Found] = []
        taken: set[int] = set()
        for tok in sent:
            if _describes_background(tok):
                continue
            if tok.pos_ in ("VERB", "ADJ") or (tok.pos_ == "NOUN" and tok.tag_.startswith("VB")):
                candidates = [p for lemma in verb_lemmas(tok) for p in self.verb_patterns.get(lemma, ())]
                fitting = [p for p in sorted(set(candidates), key=candidates.index) if self._matches(tok, p) is not False]
                if fitting:
                    found.append(Found(tok, fitting[0], alternatives=tuple(fitting[1:])))
                    taken.add(tok.i)
        for tok in sent:
            if tok.pos_ not in ("NOUN", "PROPN") or tok.i in taken:
                continue
            modifiers = [c.lemma_.lower() for c in tok.children if c.dep_ in ("compound", "amod") and c.i < tok.i]
            patterns = next((self.noun_patterns[f"{m} {tok.lemma_.lower()}"] for m in modifiers
                             if f"{m} {tok.lemma_.lower()}" in self.noun_patterns), None) \
                or self.noun_patterns.get(tok.lemma_.lower())
            if not patterns:
                continue
            carrier = self._light_carrier(tok)
            told_by_verb = tok.head.i in taken or (tok.dep_ == "nsubj" and any(c.i in taken for c in tok.head.children))
            if carrier is None and patterns[0].event in STANDALONE_TYPES and self._standalone(tok) \
                    and not told_by_verb:  # "air strikes killed five", "strikes hit villages, killing five"
                found.append(Found(tok, patterns[0], None, standalone=True))
                taken.add(tok.i)
                continue
            if carrier is None or carrier.i in taken:
                continue
            found.append(Found(tok, patterns[0], carrier))
            taken.add(tok.i)
        return self._fold_complements(found)

    def _standalone(self, noun: Token) -> bool:
        """ "Israeli air strikes on Gaza", "US sanctions against Iran": an owner and a target."""
        owner = any(c.dep_ in ("amod", "compound", "poss", "nmod") and c.ent_type_ in ("NORP", "GPE", "ORG")
                    for c in noun.children)
        target = any(c.dep_ == "prep" and c.lower_ in ("on", "against", "into") for c in noun.children)
        between = any(c.dep_ == "prep" and c.lower_ == "between" for c in noun.children)  # "clashes between X and Y"
        return (owner and target or between) and not _describes_background(noun)

    def _light_carrier(self, noun: Token) -> Token | None:
        head = noun.head
        if noun.dep_ in ("dobj", "nsubjpass") and set(verb_lemmas(head)) & self.light["object"]:
            return head
        if noun.dep_ == "nsubj" and set(verb_lemmas(head)) & self.light["subject"]:
            return head
        if noun.dep_ == "pobj" and head.dep_ == "prep" and set(verb_lemmas(head.head)) & self.light["object"] \
                and head.lower_ == "on":
            return head.head
        if noun.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("in", "into") \
                and head.head.lemma_.lower() in STATE_CARRIERS:
            return head.head  # "Baghdad and Washington are in talks", "entered into negotiations"
        if noun.dep_ == "conj":
            return self._light_carrier(noun.head)
        if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in CONTAINER_NOUNS:
            return self._light_carrier(head.head)  # "sent a letter of resignation"
        return None

    @staticmethod
    def _fold_complements(found: list[Found]) -> list[Found]:
        """Drop triggers that only state the content of a governing verbal act."""
        by_token = {f.token.i: f for f in found}
        by_token.update({f.carrier.i: f for f in found if f.carrier is not None})
        kept = []
        for f in found:
            cur = f.token
            governed = False
            for _ in range(6):
                if cur.dep_ == "conj" and cur.head is not cur and cur.head.dep_ in EMBEDDING_DEPS:
                    cur = cur.head  # a conjunct of an embedded verb is embedded too
                if cur.dep_ not in EMBEDDING_DEPS or cur.head is cur:
                    break
                cur = cur.head
                gov = by_token.get(cur.i)
                if gov is not None and (gov.pattern.event in VERBAL_TYPES or
                                        (gov.pattern.event == "PROTEST" and f.pattern.event == "REQUEST") or
                                        (gov.pattern.event == f.pattern.event and f.token.dep_ == "advcl")):
                    # the content of a statement, a protest's demand, or the same act told twice
                    # ("attacked the camp, killing 156 people")
                    governed = True
                    break
            if not governed:
                kept.append(f)
        return kept

    # ---- build ----------------------------------------------------------------------------
    def _subject(self, verb: Token, depth: int = 0) -> Token | None:
        if depth > 4:
            return None
        for c in verb.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g
        for c in verb.children:  # "In mid-December, a delegation attended": not the date
            if c.dep_ in ("nsubj", "csubj") and c.ent_type_ not in ("DATE", "TIME"):
                return c
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
        if verb.dep_ == "conj" and not passive:  # "the minister was indicted ... and will resign"
            patient = next((c for c in verb.head.children if c.dep_ == "nsubjpass"), None)
            if patient is not None:
                return patient
        if verb.dep_ in ("xcomp", "conj", "acomp") and verb.head is not verb and not passive:
            return self._subject(verb.head, depth + 1)
        if verb.dep_ == "advcl" and not passive and not any(c.dep_ == "mark" for c in verb.children) \
                and (verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)):
            return self._subject(verb.head, depth + 1)  # "..., killing 156 people", "... to discuss ties"
        passive_participle = verb.dep_ == "acl" and verb.tag_ == "VBN"  # "citizens detained by...": patients
        if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN", "PRON") and not passive_participle \
                and not any(c.dep_ in ("nsubjpass", "expl") for c in verb.children):
            return verb.head
        if verb.dep_ == "pcomp" and verb.head.head is not verb.head:
            return self._subject(verb.head.head, depth + 1)
        return None

    def _resolve_parties(self, head: Token, names: dict[int, Name], offset: int, ctx: DocumentContext,
                         *, allow_places: bool) -> list[Mention]:
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

    def _search(self, start: Token, names: dict[int, Name], offset: int, ctx: DocumentContext,
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
            if tok.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
                parties = self._resolve_parties(tok, names, offset, ctx, allow_places=allow_places)
                parties = [p for p in parties if p.actor not in avoid]  # "his commitment": the actor's own
                if parties:
                    return parties
            for child in tok.children:
                if child.dep_ not in SEARCH_DEPS:
                    continue
                if child.dep_ == "prep" and not allow_places and _names_place_or_time(child, names):
                    continue
                queue.append(child)
        return []

    def _recipients(self, found: Found, actor_heads: set[int], names: dict[int, Name], offset: int,
                    ctx: DocumentContext, actors: list[Mention]) -> list[Mention]:
        tok = found.carrier if found.carrier is not None else found.token
        visit = found.pattern.mode == "visit"
        search = dict(names=names, offset=offset, ctx=ctx, allow_places=visit, skip=actor_heads,
                      avoid=frozenset(m.actor for m in actors), possessives=False)
        candidates: list[Token] = []
        if found.carrier is not None:  # the event noun's own phrases first: "talks with X"
            candidates += [c for c in found.token.children if c.dep_ == "prep" and c.lower_ in RECIPIENT_PREPOSITIONS]
        passive = any(c.dep_ == "auxpass" for c in tok.children)
        topic = found.pattern.event == "CONSULT" and tok.lemma_.lower() in TOPIC_VERBS
        for c in tok.children:
            if topic:
                break  # "discussed punishing Russia": the topic is no party; only "with X" is
            if c.dep_ in ("dobj", "iobj", "dative") or (passive and c.dep_ == "nsubjpass"):
                if found.carrier is not None and c is found.token:
                    continue
                candidates.append(c)
        preps = [c for c in tok.children
                 if c.dep_ == "prep" and (c.lower_ in RECIPIENT_PREPOSITIONS or (visit and c.lower_ in ("in", "at")))
                 and not (topic and c.lower_ not in ("with", "between", "among"))]
        if found.pattern.event == "ACCUSE":  # "complained to the UN over Israeli raids": the accused first
            preps.sort(key=lambda c: c.lower_ not in ("against", "over", "about", "of"))
            preps += [c for c in tok.children if c.dep_ == "prep" and c.lower_ == "as"]  # "denounced as a crime X's..."
        candidates += preps
        if not topic:
            candidates += _complements(tok)
        for cand in candidates:
            if cand.dep_ == "prep" and cand.lower_ == "between":
                continue
            parties = self._search(cand, **search)  # type: ignore[arg-type]
            if parties:
                return parties
        if found.pattern.event == "THREATEN":  # "threatened to ... unless Baghdad accepted"
            for clause in [tok, *_complements(tok)]:
                for c in clause.children:
                    if c.dep_ == "advcl" and any(m.lower_ in ("if", "unless") for m in c.children if m.dep_ == "mark"):
                        subj = next((g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None)
                        if subj is not None:
                            parties = self._resolve_parties(subj, names, offset, ctx, allow_places=False)
                            if parties:
                                return parties
        if found.pattern.event in ("REQUEST", "THREATEN", "ACCUSE", "REJECT"):
            for c in tok.children:  # "demanded that the US cancel..."
                if c.dep_ == "ccomp":
                    subj = next((g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None)
                    if subj is not None:
                        parties = self._resolve_parties(subj, names, offset, ctx, allow_places=False)
                        if parties:
                            return parties
        return []

    def _between(self, found: Found, names: dict[int, Name], offset: int, ctx: DocumentContext) -> list[Mention]:
        for owner in (found.token, found.carrier):
            if owner is None:
                continue
            for c in owner.children:
                if c.dep_ == "prep" and c.lower_ in ("between", "among"):
                    for g in c.children:
                        if g.dep_ == "pobj":
                            return self._resolve_parties(g, names, offset, ctx, allow_places=False)
        return []

    def _armed_conflict(self, sent: Span, recipients: list[Mention]) -> bool:
        """Unattributed violence is political when it hits a state party or the sentence speaks of
        war or terror (bombs, shelling, militants), not of crime."""
        if any(m.actor.type in ("MIL", "COP", "GOV", "IGO") for m in recipients):
            return True
        return bool({"military", "terrorism"} & set(find_terms(sent, self.lexicon.contexts)))

    def _noun_owner(self, noun: Token, names: dict[int, Name], offset: int, ctx: DocumentContext) -> list[Mention]:
        """The actor named inside an event noun's phrase: "Israeli air raids", "Iran's offer"."""
        for c in noun.children:
            if c.dep_ in ("poss", "amod", "compound", "nmod"):
                res = self.actors.resolve(c, names, offset, ctx, allow_places=False)
                if res is not None:
                    return list(res.mentions)
        return []

    def build_events(self, found: Found, doc_id: str, segment: int, offset: int, names: dict[int, Name],
                     ctx: DocumentContext) -> list[Event]:
        tok = found.token
        verb = found.carrier if found.carrier is not None else tok
        pattern = found.pattern
        subject = self._subject(verb)
        actors: list[Mention] = []
        actor_heads: set[int] = set()
        if subject is not None:
            actors = self._resolve_parties(subject, names, offset, ctx, allow_places=False)
            actor_heads = {subject.i, *(c.i for c in subject.conjuncts)}
            if not actors and subject.pos_ in ("NOUN", "PROPN"):
                actors = self._search(subject, names, offset, ctx, allow_places=False, skip=set())
        if found.standalone:
            subject, actor_heads = None, set()
            actors = self._noun_owner(tok, names, offset, ctx)
        if not actors and found.carrier is not None:
            actors = self._noun_owner(tok, names, offset, ctx)
        if not actors and pattern.event == "ASSAULT":  # "killed in Israeli tank shelling", "by a US drone strike"
            for prep in (c for c in verb.children if c.dep_ in ("prep", "agent") and c.lower_ in ("in", "by")):
                for noun in (g for g in prep.children if g.dep_ == "pobj"):
                    actors = actors or self._noun_owner(noun, names, offset, ctx)
        recipients = self._recipients(found, actor_heads, names, offset, ctx, actors)
        reciprocal = len(actors) > 1 and any(t.lower_ == "other" and t.head.i == verb.i or
                                             (t.lower_ == "other" and t.head.head.i == verb.i)
                                             for t in verb.subtree if t.dep_ in ("dobj", "pobj", "amod", "det"))
        if pattern.event == "REJECT" and any(c.lemma_.lower() in NON_ANSWERS for c in _complements(tok)):
            return []  # "declined to comment": no refusal of anything political
        if pattern.event == "THREATEN" and any(c.dep_ == "dobj" and c.lemma_.lower() in PUBLIC_NOUNS
                                               for c in tok.children):
            return []  # "warned its citizens against travelling to the US": advice, not a threat
        if is_unrealised(verb):
            return []  # "efforts to free them", "calls for the rulers to step down": an aim, not a deed
        kept_from = verb
        while kept_from.dep_ == "conj" and kept_from.head is not kept_from:
            kept_from = kept_from.head  # "prevent people from being drawn in and travelling there"
        if kept_from.dep_ == "pcomp" and kept_from.head.lower_ in ("against", "from", "without") \
                and kept_from.tag_ in ("VBG", "VBN"):
            return []  # "cautioned citizens against travelling", "barred from visiting": not done
        if pattern.requires == "complement" and tok.pos_ == "ADJ" and not recipients \
                and self._complement_type(tok) is None:
            return []  # "eager to put the issue behind it": no interaction promised
        between = self._between(found, names, offset, ctx)
        if len(between) > 1 and (subject is None or subject.dep_ != "nsubj" or subject.head is not verb):
            actors, recipients = between[:1], between[1:]  # "talks were held between X and Y"
        elif between and not recipients:
            recipients = [m for m in between if not actors or m.actor != actors[0].actor]
            if not actors:
                actors, recipients = recipients[:1], recipients[1:]
        unattributed = pattern.event in UNATTRIBUTED_TYPES or (pattern.event, pattern.mode) == ("ACCUSE", "investigate")
        if not actors and (not unattributed or not _reports_an_act(verb)
                           or (subject is not None and subject.lemma_.lower() in self.lexicon.hazards)
                           or (pattern.event == "ASSAULT" and not self._armed_conflict(tok.sent, recipients))
                           or (pattern.event == "COERCE" and not recipients)):
            # an arrest with neither agent nor identified detainee is crime news
            # no actor; "the virus has killed 2,600" (no attacker); "he was shot" in a crime story
            return []

        event_type, mode, cameo = pattern.event, pattern.mode, pattern.cameo
        negated = is_negated(verb)
        future = is_future(verb)
        hypothetical = is_hypothetical(verb)
        event_type, mode, cameo = self._fold_intent(found, event_type, mode, cameo, future)
        event_type, mode, cameo = _by_parties(event_type, mode, cameo, actors, recipients)
        if event_type == "AGREE" and found.token.lemma_.lower() in PROMISE_LEMMAS and _negated_complement(found.token):
            event_type, mode, cameo = "REJECT", None, "120"  # "vowed not to return the Golan Heights"
        elif negated and event_type in REFUSABLE_TYPES and (future or _failed(verb)):
            # "will not accept refugees", "failed to reach agreement": a refusal, which PLOVER codes
            # as REJECT (the negated event itself is not written as positive)
            event_type, mode = "REJECT", REFUSAL_MODES.get(event_type)
            cameo = self.lexicon.modes[("REJECT", mode)][1] if mode else "120"
            negated = False

        combined = self._combine(actors, recipients, event_type)
        if reciprocal and not recipients:  # "accused each other": both ways
            combined = [(a, b) for a in actors for b in actors if a.actor != b.actor][:MAX_COMBINATIONS]
        pairs = [(a, r) for a, r in combined if _takes_part(event_type, a, r)]
        if pattern.requires == "pair" and not any(r is not None for _, r in pairs):
            return []
        if pattern.requires in ("recipient", "obligation") and not recipients:
            return []
        for m in actors:
            ctx.observe(m, subject if subject is not None else tok)
        for m in recipients:
            ctx.observe(m, tok)
        if pairs and pairs[0][0] is not None and pairs[0][1] is not None and event_type in SYMMETRIC_TYPES:
            ctx.observe_pair(pairs[0][0], pairs[0][1])

        sent = tok.sent
        trigger = Trigger(tok.text, offset + tok.idx, offset + tok.idx + len(tok.text), tok.lemma_.lower(),
                          event_type, mode, cameo, pattern.rule)
        explicit = sum(1 for m in actors + recipients if m.kind not in ("pronoun", "definite"))
        confidence = 0.55 + 0.1 * min(explicit, 2) - (0.1 if found.carrier is not None else 0.0)
        unnamed = not recipients and any(
            c.dep_ == "prep" and c.lower_ == "with" and any(g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")
                                                            for g in c.children)
            for c in (*tok.children, *(found.carrier.children if found.carrier is not None else ())))
        out = []
        for actor, co_actors, recipient, co_recipients in _compound(pairs):
            conf = confidence + (0.1 if recipient is not None else 0.0)
            out.append(Event(doc_id, segment, tok.i, trigger, actor, recipient, sent.text.strip(),
                             offset + sent.start_char, negated, future, hypothetical, False, round(min(conf, 0.95), 2),
                             ctx.sentence, co_actors, co_recipients, unnamed_partner=unnamed))
        return out

    def _fold_intent(self, found: Found, event_type: str, mode: str | None, cameo: str,
                     future: bool) -> tuple[str, str | None, str]:
        """PLOVER's rules for intent: future cooperation is AGREE, promised force is THREATEN."""
        if found.pattern.event == "AGREE" and found.token.lemma_.lower() in PROMISE_LEMMAS:
            complement = self._complement_type(found.token) or self._promised_clause_type(found.token)
            if complement in CONFLICT_TYPES:
                return "THREATEN", None, "138" if complement in ("ASSAULT", "MOBILIZE") else "131"
        if future and event_type in ("RETREAT", "SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "PROTEST") \
                and _has_condition(found.carrier or found.token, "unless"):
            return "THREATEN", None, "131"
        if future and event_type in COOPERATIVE_TYPES | {"RETREAT", "CONCEDE"} and mode != "resign":
            return "AGREE", None, {"CONSULT": "036", "AID": "033", "COOPERATE": "031", "RETREAT": "035",
                                   "CONCEDE": "035"}.get(event_type, "030")
        if future and event_type in CONFLICT_TYPES:
            return "THREATEN", None, "138" if event_type in ("ASSAULT", "MOBILIZE") else "131"
        return event_type, mode, cameo

    def _promised_clause_type(self, tok: Token) -> str | None:
        """The event a promised clause names: "vowed the US will expel every Iranian boot"."""
        for c in tok.children:
            if c.dep_ == "ccomp" and any(a.dep_ == "aux" and a.lower_ in ("will", "would", "'ll", "shall")
                                         for a in c.children):
                for pattern in self.verb_patterns.get(c.lemma_.lower(), ()):
                    if self._matches(c, pattern) is not False:
                        return pattern.event
        return None

    def _complement_type(self, tok: Token) -> str | None:
        for c in _complements(tok):
            for pattern in self.verb_patterns.get(c.lemma_.lower(), ()):
                if self._matches(c, pattern) is not False:
                    return pattern.event
        return None

    @staticmethod
    def _combine(actors: list[Mention], recipients: list[Mention],
                 event_type: str) -> list[tuple[Mention | None, Mention | None]]:
        def same(a: Mention, b: Mention) -> bool:
            return a.actor == b.actor or (a.start == b.start and a.end == b.end)

        actors = _unique(actors)
        recipients = [r for r in _unique(recipients) if not any(same(r, a) for a in actors)]
        pairs: list[tuple[Mention | None, Mention | None]] = []
        if not actors:
            return [(None, r) for r in recipients] or [(None, None)]
        if recipients:
            for a in actors:
                for r in recipients:
                    if a.actor.country and a.actor.country == r.actor.country and a.actor.type == r.actor.type \
                            and a.actor.abbrev == r.actor.abbrev:
                        continue
                    pairs.append((a, r))
        elif len(actors) > 1 and event_type in SYMMETRIC_TYPES:
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

    # ---- whole documents ----------------------------------------------------------------------
    def find_events(self, parsed: ParsedDocument) -> Iterator[Event]:
        """Every event of a parsed document, sentence by sentence in text order."""
        ctx, segment_names = self.actors.read_story(parsed)
        for seg_index, (segment, names) in enumerate(zip(parsed.segments, segment_names)):
            for sent in segment.doc.sents:
                ctx.begin_sentence(sent, names, segment.offset)
                self.learn_persons(sent, names, segment.offset, ctx)
                for found in self.find_triggers(sent):
                    for pattern in (found.pattern, *found.alternatives):
                        events = self.build_events(replace(found, pattern=pattern), parsed.document.id, seg_index,
                                                   segment.offset, names, ctx)
                        if events:
                            yield from events
                            break

    def learn_persons(self, sent: Span, names: dict[int, Name], offset: int, ctx: DocumentContext) -> None:
        """Resolve titled persons as they are introduced, and the speaker of the sentence, so that
        surnames and pronouns ("he said", "they would") resolve later."""
        heads = [ent.root for ent in person_entities(sent)]
        heads += [c for c in sent.root.children if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN")]
        for head in heads:
            res = self.actors.resolve(head, names, offset, ctx)
            if res is not None and len(res.mentions) == 1:
                ctx.observe(res.mentions[0], head)


WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def _temporal(prep: Token) -> bool:
    """A preposition of time ("called on Tuesday", "met on 5 May") is no particle of the verb."""
    return prep.dep_ == "prep" and any(g.dep_ == "pobj" and (g.ent_type_ in ("DATE", "TIME") or g.lower_ in WEEKDAYS)
                                       for g in prep.children)


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


def _unique(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        if not any(o.actor == m.actor and o.start == m.start for o in out):
            out.append(m)
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


# Nouns of place and time that a preposition phrase names as a setting.
SETTING_NOUNS = frozenset("city town capital village region province area district border country territory "
                          "camp zone street road week month year day time period".split())


def _has_condition(verb: Token, marker: str) -> bool:
    return any(c.dep_ == "advcl" and any(m.lower_ == marker for m in c.children if m.dep_ == "mark")
               for c in verb.children)


def _negated_complement(verb: Token) -> bool:
    return any(any(g.dep_ == "neg" for g in c.children) for c in _complements(verb)) \
        or any(c.dep_ == "neg" and c.i > verb.i for c in verb.children)


def _failed(verb: Token) -> bool:
    """ "failed to reach": the verb is the complement of fail."""
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() == "fail"


# People named by their relation to someone, who is then not the party.
KIN_NOUNS = frozenset({"father", "mother", "husband", "wife", "son", "daughter", "brother", "sister", "family",
                       "parent", "lawyer", "friend", "relative", "uncle", "aunt", "child", "widow", "fiancee"})
# Who a government advises rather than threatens.
PUBLIC_NOUNS = frozenset({"citizen", "resident", "national", "traveller", "traveler", "tourist", "public",
                          "visitor", "people", "population", "passenger", "student", "expatriate"})
# Nouns that carry an event noun through "of": sending a letter of resignation is resigning.
CONTAINER_NOUNS = frozenset({"letter", "notice", "note"})
# Verbs that carry an event noun through "in"/"into": being in talks is holding them.
STATE_CARRIERS = frozenset({"be", "remain", "engage", "enter", "join"})


def _describes_background(tok: Token) -> bool:
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


def _reports_an_act(verb: Token) -> bool:
    """A clause of its own ("were killed", "attacked"), not a gerund or noun use ("in killing")."""
    if verb.tag_ == "VBG" and verb.dep_ in ("pcomp", "pobj", "nsubj", "dobj"):
        return False
    return verb.pos_ == "VERB"



def _complements(verb: Token) -> list[Token]:
    """Infinitive complements: "threatened to impose" (parsed as xcomp, or as advcl with "to")."""
    return [c for c in verb.children if c.dep_ == "xcomp" or
            (c.dep_ == "advcl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children))]


def _political(mention: Mention | None) -> bool:
    return mention is not None and (mention.actor.type is None or mention.actor.type in POLITICAL_SECTORS)


def _takes_part(event_type: str, actor: Mention | None, recipient: Mention | None) -> bool:
    """Whether the parties can carry this event (see CIVIL_TYPES)."""
    if event_type == "ASSAULT":  # violence between private people is crime, not politics
        return actor is None or _political(actor) or _political(recipient)
    if event_type in CIVIL_TYPES or actor is None or _political(actor):
        return True
    if event_type in CLAIM_TYPES | {"THREATEN"} and actor.actor.type == "CVL":
        return True  # "Bosnian Serbs demanded a truce"
    return event_type in CLAIM_TYPES and _political(recipient)


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


def _compound(pairs: list[tuple[Mention | None, Mention | None]]) -> list[tuple[Mention | None, tuple[Mention, ...], Mention | None, tuple[Mention, ...]]]:
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
    out = []
    for actors in groups.values():
        first_recipients = recipients_of[id(actors[0])]
        recipient = first_recipients[0] if first_recipients else None
        co_actors = tuple(a for a in actors[1:] if a is not None)
        out.append((actors[0], co_actors, recipient, tuple(first_recipients[1:])))
    return out


def _by_parties(event_type: str, mode: str | None, cameo: str, actors: list[Mention],
                recipients: list[Mention]) -> tuple[str, str | None, str]:
    """The event a trigger makes given who takes part: a state does not protest in the street,
    forcing out a UN agency is an expulsion, and troops "arriving" somewhere make no visit."""
    if event_type == "PROTEST" and actors and all(m.actor.type in ("MIL", "COP") for m in actors):
        return "COERCE", "restrict", "172"  # "troops blocked the roads"
    if event_type == "PROTEST" and actors and all(m.actor.type == "GOV" for m in actors):
        return "ACCUSE", "disapprove", "114"  # a government protests officially
    if event_type == "COERCE" and mode == "deport" and recipients \
            and all(m.actor.type in ("IGO", "NGO") for m in recipients):
        return "SANCTION", "expel", "166"
    if event_type == "CONSULT" and mode == "visit" and actors and all(m.actor.type == "MIL" for m in actors):
        if any("peacekeep" in m.text.lower() for m in actors):  # peacekeepers arriving are aid
            return "AID", None, "0861"
        return "MOBILIZE", "troops", "154"
    return event_type, mode, cameo
