"""Trigger matching: the rows of ``triggers.csv`` on a parsed sentence.

Verbs match with their particles and objects, intent adjectives with their complements, event
nouns when a light verb carries them ("held talks", "launched an attack") or when they stand with
their own parties ("Israeli air strikes on Gaza"). A trigger that only states the content of a
verbal act ("agreed *to share*", "called for *establishing* relations") is folded into that act
instead of coded twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from tieline.events.syntax import agent_of_noun, complements, describes_background, temporal, verb_lemmas
from tieline.lexicon import Lexicon, TriggerPattern

# Verbal acts whose infinitive or clausal content is no event of its own.
VERBAL_TYPES = frozenset({"AGREE", "REQUEST", "REJECT", "THREATEN", "ACCUSE"})
NEGATIVE_EVALUATION = frozenset({"negative", "adverse", "harmful", "detrimental", "devastating", "damaging",
                                 "destructive", "disastrous", "dire", "crippling"})
OBLIGATION_MODALS = frozenset({"must", "should"})  # "X said Y must...": X asks Y
OBJECT_DEPS = frozenset({"dobj", "attr", "oprd"})
EMBEDDING_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj", "advcl", "acomp"})
# Event nouns that report an event without a carrying verb: "air strikes killed five".
STANDALONE_TYPES = frozenset({"ASSAULT", "SANCTION", "COERCE", "PROTEST", "CONSULT"})
# Nouns that carry an event noun through "of": sending a letter of resignation is resigning.
CONTAINER_NOUNS = frozenset({"letter", "notice", "note", "round", "session"})  # "concluded a round of talks"
# Verbs that carry an event noun through "in"/"into": being in talks is holding them.
STATE_CARRIERS = frozenset({"be", "remain", "engage", "enter", "join"})
# Prepositions that set a statement in a meeting: "in a meeting with X, Y stressed ...".
FRAME_PREPOSITIONS = frozenset({"in", "at", "during", "after", "following"})


@dataclass(frozen=True)
class Found:
    """A matched trigger: the token, the pattern that fired, and the verb carrying a noun."""

    token: Token
    pattern: TriggerPattern
    carrier: Token | None = None
    standalone: bool = False  # an event noun with its own parties: "Turkish strikes on Afrin"
    alternatives: tuple[TriggerPattern, ...] = ()  # later rows that also fit, tried when this one's needs fail
    frame: bool = False  # a meeting setting the carrier's scene: "in talks with X, Y said"


class TriggerMatcher:
    """The trigger table, indexed by head word, matched against parsed sentences."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.verb_patterns: dict[str, list[TriggerPattern]] = {}
        self.noun_patterns: dict[str, list[TriggerPattern]] = {}
        for pattern in lexicon.triggers:
            index = self.noun_patterns if pattern.noun else self.verb_patterns
            for head in pattern.head:
                index.setdefault(head if pattern.noun else head.split()[0], []).append(pattern)
        for patterns in self.verb_patterns.values():  # "deny entry" before plain "deny"
            patterns.sort(key=lambda p: (not p.objects and not p.particles and " " not in min(p.head), p.row))
        self.light = lexicon.light_verbs

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

    def matches(self, tok: Token, pattern: TriggerPattern) -> Token | None | bool:
        """False when the pattern does not fit the verb; else the object it needed (or None)."""
        if not self._head_fits(tok, pattern) or not self._needs_met(tok, pattern):
            return False
        if pattern.objects:
            return self._object(tok, pattern)
        return None

    @staticmethod
    def _head_fits(tok: Token, pattern: TriggerPattern) -> bool:
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
                    and not temporal(c)}
            # "charged France, Spain and the EC Commission with unfair practices": the parser hangs
            # the verb's preposition on its object's last conjunct
            kids |= {g.lower_ for c in tok.children if c.dep_ == "dobj" for o in c.conjuncts
                     for g in o.children if g.dep_ == "prep" and not temporal(g)}
            if not pattern.particles & kids:
                return False
        return True

    @staticmethod
    def _needs_met(tok: Token, pattern: TriggerPattern) -> bool:
        if pattern.requires == "complement" and not complements(tok):
            return False
        if pattern.requires == "statement" and not any(c.dep_ == "ccomp" for c in tok.children):
            return False  # "a rights group protested that...": a complaint, not a street protest
        return not (pattern.requires == "obligation" and not any(
            c.dep_ == "ccomp" and any(a.dep_ == "aux" and a.lower_ in OBLIGATION_MODALS for a in c.children)
            for c in tok.children))

    def _object(self, tok: Token, pattern: TriggerPattern) -> Token | bool:
        for obj in self._objects(tok, pattern.particles):
            lemma = obj.lemma_.lower()
            text = obj.lower_
            two_words = {f"{c.lemma_.lower()}_{lemma}" for c in obj.children if c.dep_ in ("compound", "amod")}
            # "received Chinese Ambassador Ha Vi": a named person's title is the object's word
            titles = {c.lemma_.lower() for c in obj.children if c.dep_ == "compound"} if obj.pos_ == "PROPN" else set()
            if lemma in pattern.objects or text in pattern.objects or two_words & pattern.objects \
                    or titles & pattern.objects:
                if pattern.requires == "negative" and not any(
                        c.lower_ in NEGATIVE_EVALUATION for c in obj.children if c.dep_ == "amod"):
                    continue
                return obj
        return False

    def find_triggers(self, sent: Span) -> list[Found]:
        """Every trigger of a sentence: verbs first, then event nouns not told by a verb found."""
        found: list[Found] = []
        taken: set[int] = set()
        for tok in sent:
            if describes_background(tok):
                continue
            if tok.pos_ in ("VERB", "ADJ") or (tok.pos_ == "NOUN" and tok.tag_.startswith("VB")):
                candidates = [p for lemma in verb_lemmas(tok) for p in self.verb_patterns.get(lemma, ())]
                fitting = [p for p in sorted(set(candidates), key=candidates.index) if self.matches(tok, p) is not False]
                if fitting:
                    found.append(Found(tok, fitting[0], alternatives=tuple(fitting[1:])))
                    taken.add(tok.i)
        for tok in sent:
            if tok.pos_ not in ("NOUN", "PROPN") or tok.i in taken:
                continue
            noun = self._noun_trigger(tok, taken)
            if noun is not None:
                found.append(noun)
                taken.add(tok.i)
        return self._fold_complements(found)

    def _noun_trigger(self, tok: Token, taken: set[int]) -> Found | None:
        modifiers = [c.lemma_.lower() for c in tok.children if c.dep_ in ("compound", "amod") and c.i < tok.i]
        patterns = next((self.noun_patterns[f"{m} {tok.lemma_.lower()}"] for m in modifiers
                         if f"{m} {tok.lemma_.lower()}" in self.noun_patterns), None) \
            or self.noun_patterns.get(tok.lemma_.lower())
        if not patterns:  # most nouns: no event noun at all
            return None
        # a row naming a preposition of the noun comes first when the noun has it ("strikes on Gaza"
        # are no labour strike), and not at all when it has not
        preps = {c.lower_ for c in tok.children if c.dep_ == "prep" and not temporal(c)}
        patterns = sorted((p for p in patterns if not p.particles or p.particles & preps), key=lambda p: not p.particles)
        if not patterns:
            return None
        carrier = self._light_carrier(tok)
        told_by_verb = tok.head.i in taken or (tok.dep_ == "nsubj" and any(c.i in taken for c in tok.head.children))
        if carrier is None and patterns[0].event in STANDALONE_TYPES and self._standalone(tok, patterns[0].event) \
                and (not told_by_verb or (patterns[0].event == "CONSULT" and of_a_body(tok) is not None)):
            # not "air strikes killed five" twice; but "EC ministers meeting here agreed" is a meeting and an agreement
            return Found(tok, patterns[0], None, standalone=True)
        if carrier is None:
            frame = self._frame_carrier(tok, patterns[0])
            return Found(tok, patterns[0], frame, frame=True) if frame is not None else None
        if carrier.i in taken:
            return None
        return Found(tok, patterns[0], carrier)

    @staticmethod
    def _frame_carrier(noun: Token, pattern: TriggerPattern) -> Token | None:
        """The verb a meeting noun sets the scene of: "In a meeting with the Mexican ambassador,
        Mottaki stressed ..." is a meeting of Mottaki's with the ambassador, beside what he said."""
        head = noun.head
        if pattern.event != "CONSULT" or noun.dep_ != "pobj" or head.dep_ != "prep" \
                or head.lower_ not in FRAME_PREPOSITIONS or head.head.pos_ not in ("VERB", "AUX"):
            return None
        partner = any(c.dep_ == "prep" and c.lower_ == "with" and any(g.dep_ == "pobj" for g in c.children)
                      for c in noun.children)
        return head.head if partner and not describes_background(head.head) else None

    def _standalone(self, noun: Token, event: str) -> bool:
        """ "Israeli air strikes on Gaza", "US sanctions against Iran": an owner and a target;
        a meeting with its owner and partner ("Iran's talks with the EU") or of a body's members;
        a protest by its protesters."""
        if describes_background(noun):
            return False
        owner = any(c.dep_ in ("amod", "compound", "poss", "nmod") and c.ent_type_ in ("NORP", "GPE", "ORG")
                    for c in noun.children)
        targets = ("with",) if event == "CONSULT" else ("on", "against", "into")
        target = any(c.dep_ == "prep" and c.lower_ in targets and any(g.dep_ == "pobj" for g in c.children)
                     for c in noun.children)
        if owner and target:
            return True
        if event == "CONSULT":  # "a meeting of EC farm ministers"
            return of_a_body(noun) is not None
        if event == "PROTEST" and (agent_of_noun(noun) is not None or any(
                c.dep_ == "poss" and c.ent_type_ not in ("GPE", "NORP", "DATE", "TIME") for c in noun.children)):
            return True  # "the strike by 40,000 seamen", "the miners' strike" ("Israel's strikes" are mostly air strikes)
        return any(c.dep_ == "prep" and c.lower_ == "between" for c in noun.children)  # "clashes between X and Y"

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
        by_token.update({f.carrier.i: f for f in found if f.carrier is not None and not f.frame})
        # a meeting setting the scene is no content of what was said there ("In a meeting with X, Y criticised Z")
        return [f for f in found if f.frame or not _governed(f, by_token)]

    def complement_type(self, tok: Token) -> str | None:
        """The event an infinitive complement names: "offered to send troops"."""
        for c in complements(tok):
            for pattern in self.verb_patterns.get(c.lemma_.lower(), ()):
                if self.matches(c, pattern) is not False:
                    return pattern.event
        return None

    def promised_clause_type(self, tok: Token) -> str | None:
        """The event a promised clause names: "vowed the US will expel every Iranian boot"."""
        for c in tok.children:
            if c.dep_ == "ccomp" and any(a.dep_ == "aux" and a.lower_ in ("will", "would", "'ll", "shall")
                                         for a in c.children):
                for pattern in self.verb_patterns.get(c.lemma_.lower(), ()):
                    if self.matches(c, pattern) is not False:
                        return pattern.event
        return None


def _governed(f: Found, by_token: dict[int, Found]) -> bool:
    """Whether a trigger is the content of a statement, a protest's demand, or the same act told
    twice ("attacked the camp, killing 156 people")."""
    cur = f.token
    if f.pattern.event == "CONSULT" and cur.dep_ == "pobj" and cur.head.lower_ in FRAME_PREPOSITIONS:
        return False  # "At a meeting of EC ministers, Britain called for ...": the scene, not what was called for
    for _ in range(6):
        if cur.dep_ == "conj" and cur.head is not cur and cur.head.dep_ in EMBEDDING_DEPS:
            cur = cur.head  # a conjunct of an embedded verb is embedded too
        if cur.dep_ not in EMBEDDING_DEPS or cur.head is cur:
            return False
        cur = cur.head
        gov = by_token.get(cur.i)
        if gov is f:
            continue  # the light verb carrying this very noun ("made an appeal to the UN")
        if gov is not None and (gov.pattern.event in VERBAL_TYPES or
                                (gov.pattern.event == "PROTEST" and f.pattern.event == "REQUEST") or
                                (gov.pattern.event == f.pattern.event and f.token.dep_ == "advcl")):
            return True
    return False


def of_a_body(noun: Token) -> Token | None:
    """The members a meeting noun is "of", when an organisation names them: "a meeting of EC farm
    ministers", "the session of NATO ambassadors", "EC foreign ministers meeting here" (which the
    parser reads as a compound noun): a body meeting among its members."""
    members = [g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    members += [c for c in noun.children if c.dep_ == "compound" and c.tag_ == "NNS"]
    for g in members:
        if g.pos_ == "NOUN" and any(t.ent_type_ == "ORG" for t in g.children if t.dep_ in ("compound", "nmod", "amod")):
            return g
    return None
