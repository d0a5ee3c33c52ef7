"""Find actor mentions and resolve them to a country and sector.

Two steps, kept apart:

* find: :class:`tieline.names.NameFinder` matches the names in the data tables (countries,
  their adjectives and capitals, government buildings, organisations, office holders) in a
  parsed segment, giving one :class:`Name` per match.
* ``ActorFinder.resolve`` (build): given the head token of a noun phrase (a subject, an
  object...), reads its modifiers (``Iran's``, ``Malaysian``, ``of ITU``, appositions), the
  role nouns in ``agents.csv`` and the document context (:mod:`tieline.coref`) to return the
  :class:`Mention` it refers to, or ``None`` when the phrase names no actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from tieline.coref import DocumentContext, expletive, labels_a_topic
from tieline.lexicon import Lexicon
from tieline.names import HONORIFICS, NameFinder, fold_diacritics, possessive
from tieline.speakers import quoted_speaker, reported_speaker
from tieline.types import Actor, Mention, Name, ParsedDocument, Resolution

# Dependency labels that stay inside a noun phrase when collecting its modifiers.
NP_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "flat", "det", "nummod", "quantmod", "case", "npadvmod"})
# Prepositions whose object still describes the head ("minister of Iran", "officials from Iran").
NP_PREPOSITIONS = frozenset({"of", "from"})
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs", "it", "its",
                               "we", "us", "our"})
FORMER_UNITS = frozenset({"republic", "colony", "territory", "state", "satellite", "province", "protectorate"})
SUBJECT_PRONOUNS = frozenset({"he", "she", "it", "they", "we"})
FIRST_PERSON = frozenset({"i", "we"})  # in a quote, the speaker: '"We agree with Trump," he said'
RELATIVE_PRONOUNS = frozenset({"that", "who", "which", "whom", "whose"})
POINTING_NOUNS = frozenset({"country", "countries", "side", "sides", "nation", "nations"})  # resolved by the document context
STATE_AGENTS = frozenset({"GOV", "JUD", "LEG", "MIL", "COP"})  # the offices and bodies of a state
HALVES = frozenset({"North", "South"})  # "the North" of North and South Korea, Sudan and South Sudan


@dataclass(frozen=True)
class Phrase:
    """The noun phrase of a head word: its tokens, its text and its character span in the story."""

    tokens: list[Token]
    text: str
    start: int
    end: int

    @classmethod
    def of(cls, head: Token, tokens: list[Token], offset: int) -> Phrase:
        return cls(tokens, head.doc[tokens[0].i: tokens[-1].i + 1].text, offset + tokens[0].idx,
                   offset + tokens[-1].idx + len(tokens[-1].text))

    def mention(self, actor: Actor, kind: str) -> Resolution:
        """The phrase as the one mention of ``actor``."""
        return Resolution((Mention(self.text, self.start, self.end, actor, kind),))


class ActorFinder:
    """Matches table names and resolves noun phrases to actors."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.names = NameFinder(nlp, lexicon)
        # "Khan Younis", "Rafah": towns the tagger takes for persons
        self.towns = frozenset(p.name.lower() for p in lexicon.places if p.feature == "city")
        self.names_of_countries = {c.iso3: c.name for c in lexicon.countries}

    # ---- find ---------------------------------------------------------------------------
    def find_names(self, doc: Doc, day: dt.date | None) -> dict[int, Name]:
        """Table names in a segment (:meth:`NameFinder.find_names`)."""
        return self.names.find_names(doc, day)

    def country_names(self, text: str, day: dt.date | None) -> list[Actor]:
        """Countries named in a short text such as a title (:meth:`NameFinder.country_names`)."""
        return self.names.country_names(text, day)

    def read_story(self, parsed: ParsedDocument) -> tuple[DocumentContext, list[dict[int, Name]]]:
        """A fresh document context for a story, with its title's countries and the whole story's
        country names counted (:meth:`DocumentContext.story_country`); and each segment's names."""
        day = parsed.document.date
        context = DocumentContext(day, self.names_of_countries)
        if parsed.document.title:
            context.read_title(self.country_names(parsed.document.title, day))
        story = fold_diacritics(parsed.document.text)
        segment_names = [{i: name for i, name in self.find_names(segment.doc, day).items()
                          if not self.names.borne_by_another(name, segment.doc, story)}
                         for segment in parsed.segments]
        if parsed.story_countries is not None:  # only some sentences were parsed: the whole text's names
            context.count_countries(parsed.story_countries)
            for words, actor in parsed.story_persons or ():  # "David Blunkett" named in a sentence not parsed
                context.remember_name(words, actor)
        else:  # "the Iraq war" is no country the story is about
            context.read_story([{i: n for i, n in names.items() if not labels_a_topic(segment.doc[n.end - 1], n.kind)}
                                for names, segment in zip(segment_names, parsed.segments)])
        return context, segment_names


    # ---- build --------------------------------------------------------------------------
    def agent_type(self, tokens: Iterable[Token]) -> tuple[str | None, Token | None]:
        """The sector of the first role noun among tokens (two-word roles first)."""
        agents = self.lexicon.agents
        tokens = list(tokens)
        for i, tok in enumerate(tokens):
            if i + 1 < len(tokens):
                pair = f"{tok.lower_} {tokens[i + 1].lemma_.lower()}"
                if pair in agents:
                    return agents[pair], tokens[i + 1]
        # The phrase's own head first ("protesters in the capital" are civilians, not the
        # government the capital stands for), then the words before it, then those after it
        # ("members of the army").
        ids = {tok.i for tok in tokens}
        heads = [tok for tok in tokens if tok.head.i not in ids or tok.head is tok]
        head = heads[0] if len(heads) == 1 else None
        before = [tok for tok in reversed(tokens) if head is None or tok.i < head.i]
        after = [tok for tok in reversed(tokens) if head is not None and tok.i > head.i]
        for tok in ([head] if head is not None else []) + before + after:
            lemma = tok.lemma_.lower()
            if tok.pos_ in ("NOUN", "PROPN") and lemma in agents:
                return agents[lemma], tok
            if tok.lower_ in agents and tok.pos_ in ("NOUN", "PROPN"):
                return agents[tok.lower_], tok
        return None, None

    @staticmethod
    def phrase_tokens(head: Token) -> list[Token]:
        """The head and its noun-phrase modifiers (not clauses, conjuncts or appositions)."""
        out = [head]
        stack = [head]
        while stack:
            tok = stack.pop()
            for child in tok.children:
                if child.dep_ in NP_MODIFIER_DEPS:
                    out.append(child)
                    stack.append(child)
                elif child.dep_ == "prep" and tok is head and (child.lower_ in NP_PREPOSITIONS or (
                        child.lower_ == "in" and head.pos_ == "NOUN" and head.tag_ == "NNS")):
                    # "officials of Iran", "rebels from Chad", "security forces in Guinea"
                    out.append(child)
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            out.append(obj)
                            stack.append(obj)
        return sorted(out, key=lambda t: t.i)

    def resolve(self, head: Token, names: dict[int, Name], offset: int,
                context: DocumentContext, *, allow_places: bool = True) -> Resolution | None:
        """The actor(s) a noun phrase headed by ``head`` refers to, or None."""
        if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            found = self.resolve(head.head.head, names, offset, context, allow_places=allow_places)
            before = head.doc[head.i - 1] if head.i > 0 else None
            if found is None and before is not None and before.pos_ in ("PROPN", "NOUN"):
                found = self.resolve(before, names, offset, context, allow_places=allow_places)  # misattached clause
            return found
        if head.i not in names and (head.pos_ == "PRON" or head.lower_ in PERSONAL_PRONOUNS):
            return self._resolve_pronoun(head, names, offset, context, allow_places=allow_places)
        phrase = Phrase.of(head, self.phrase_tokens(head), offset)
        own = names.get(head.i)
        if own is not None:
            return phrase.mention(self._named_actor(head, phrase.tokens, own, names, context), own.kind)
        if head.text in HALVES and any(c.lower_ == "the" for c in head.children) \
                and not any(t.i in names for t in phrase.tokens):
            half = context.named_half(head.text)  # "the North" of a story naming North Korea
            return phrase.mention(half, "definite") if half is not None else None
        return self._resolve_described(head, phrase, names, offset, context)

    def _resolve_pronoun(self, head: Token, names: dict[int, Name], offset: int, context: DocumentContext, *,
                         allow_places: bool) -> Resolution | None:
        if expletive(head):  # "Iran said it was not fair to blame ...": "it" is the clause, not Iran
            return None
        speaker = self._reporting_subject(head)
        if speaker is None:
            return context.resolve_pronoun(head, offset)
        found = self.resolve(speaker, names, offset, context, allow_places=allow_places)
        if found is None:  # "The Kremlin said it would...": it is the Kremlin
            return None  # "JPMorgan said it...": an unknown speaker, not the last country named
        start = offset + head.idx
        return Resolution(tuple(Mention(head.text, start, start + len(head.text), m.actor, "pronoun")
                                for m in found.mentions))

    def _named_actor(self, head: Token, tokens: list[Token], own: Name, names: dict[int, Name],
                     context: DocumentContext) -> Actor:
        """The actor of a phrase whose head is itself a name in the tables."""
        if own.kind == "adjective":
            agent, _ = self.agent_type([t for t in tokens if t.i not in range(own.start, own.end)])
            if head.dep_ in ("amod", "compound", "nmod"):  # "an Indian proposal": the state
                return Actor(own.actor.name, own.actor.country, agent or "GOV")
            home = self._residence(head, tokens, own, names)
            base = home or own.actor
            return Actor(base.name, base.country, agent or "CVL")
        actor = own.actor
        rest = [t for t in tokens if t.i not in range(own.start, own.end)]
        others = [names[t.i] for t in rest if t.i in names]
        if own.kind == "organization" and actor.type == "PTY" and actor.country:
            owners = [n.actor for n in others if n.kind in ("country", "adjective") and n.actor.country != actor.country]
            if owners:  # "Israel's Labour party" is no British party: a party of the country named
                return Actor(owners[0].name, owners[0].country, "PTY")
        if own.kind == "leader" and others and all(n.kind == "organization" and n.actor.type == "IGO" for n in others) \
                and self.agent_type(rest)[0] is not None:
            context.remember_person(head, others[0].actor)  # "EU trade commissioner Peter Mandelson" acts
            return others[0].actor  # for the EU, not for Britain
        if own.kind == "leader":
            known = context.person(head)
            if known is not None and known.type == "IGO":  # "Mr Mandelson" after "EU commissioner Peter Mandelson"
                return known
            actor = self._office_holder(head, tokens, own, names, context)
        if own.kind in ("leader", "user"):
            context.remember_person(head, actor)
        return actor

    def _office_holder(self, head: Token, tokens: list[Token], own: Name, names: dict[int, Name],
                       context: DocumentContext) -> Actor:
        """A name several office holders share goes to the one of the country the phrase names,
        else to the one whose country the story names most ("King Abdullah" in a story on Jordan)."""
        actor = own.actor
        named = [names[t.i].actor.country for t in tokens if t.i in names and t.i not in range(own.start, own.end)
                 and names[t.i].kind in ("country", "adjective")]
        key = head.doc[own.start:own.end].text
        if named and named[0] and named[0] != actor.country:
            return self.names.leader(key, context.day, named[0]) or actor
        if not named:
            holders = self.names.holders(key, context.day)
            # the story named him in full before: "King Abdullah II ... King Abdullah congratulated"
            surname = key.lower().split()[-1]
            before = {a.country for full, a in context.persons.items()
                      if surname in full.split() and full != key.lower() and a.country in holders}
            if len(before) == 1 and actor.country not in before:
                return self.names.leader(key, context.day, before.pop()) or actor
            known = [c for c in holders if context.country_counts.get(c)]
            if len(holders) > 1 and known:
                best = max(known, key=lambda c: context.country_counts[c])
                if best != actor.country:
                    return self.names.leader(key, context.day, best) or actor
        return actor

    def _resolve_described(self, head: Token, phrase: Phrase, names: dict[int, Name], offset: int,
                           context: DocumentContext) -> Resolution | None:
        """A phrase whose head is no name: names among the modifiers (the closest to the head
        decides), a title or body ("the foreign minister"), a person, a pointing noun."""
        tokens, mention = phrase.tokens, phrase.mention
        modifier_names = []
        seen: set[int] = set()
        for tok in tokens:
            name = names.get(tok.i)
            if name is not None and id(name) not in seen and not labels_a_topic(head.doc[name.end - 1], name.kind):
                seen.add(id(name))  # "pro-Iraq war Labour MP Oona King" is no Iraqi
                modifier_names.append(name)
        agent, role_token = self.agent_type(tokens)
        is_person = head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and agent is None and not modifier_names)

        leader = next((n for n in modifier_names if n.kind == "leader" or (n.kind == "user" and not n.actor.abbrev)),
                      None)
        countries = [n for n in modifier_names if n.kind in ("country", "adjective", "capital", "metonym", "region", "firm")]
        org = _body(modifier_names, countries, head.doc)

        if leader is not None and is_person:
            context.remember_person(head, leader.actor)
            return mention(leader.actor, "leader")
        if leader is not None and agent is not None and leader.actor.country:  # "the Bush administration"
            return mention(Actor(leader.actor.name, leader.actor.country, agent), "agent")
        if org is not None and (agent is not None or is_person or head.pos_ == "PROPN"):
            actor = Actor(org.actor.name, org.actor.country, org.actor.type, org.actor.abbrev)
            if is_person:
                context.remember_person(head, actor)
            return mention(actor, "organization")
        if countries and head.lemma_.lower() in FORMER_UNITS and any(t.lower_ in ("former", "ex") for t in tokens):
            countries = []  # "the former Soviet republic" is not Russia
        if countries and head.ent_type_ == "NORP" and head.tag_ == "NNPS" and agent is None:
            base = countries[0].actor  # "Iraqi Kurds", "Lebanese Shiites": a people of that country
            return mention(Actor(base.name, base.country, "CVL"), "agent")
        if countries:
            return self._national(head, phrase, countries, agent, is_person, names, context)
        if is_person:
            return self._person(head, phrase, agent, names, offset, context)
        if agent is not None and role_token is head:
            # "the authorities", "the delegation", "the Malaysian official": document context
            referent = context.resolve_definite(head, agent, offset)
            if referent is not None:
                return referent
            appos = self._apposition(head, names, offset, context)
            if appos is not None:
                return mention(appos, "agent")
            return None
        if head.lower_ in POINTING_NOUNS:
            return context.resolve_definite(head, None, offset)
        return None

    def _national(self, head: Token, phrase: Phrase, countries: list[Name], agent: str | None, is_person: bool,
                  names: dict[int, Name], context: DocumentContext) -> Resolution | None:
        """A phrase naming a country among its modifiers: "the Iranian foreign minister",
        "Pakistani and Indian officials", "Spain's Feliciano Lopez"."""
        mention = phrase.mention
        country_name = countries[-1] if len(countries) > 1 and countries[-1].end > countries[0].end else countries[0]
        base = country_name.actor
        kind = "person" if is_person else "agent"
        if agent is None and not is_person:
            if head.pos_ not in ("NOUN", "PROPN"):
                return None
            if not self._is_actor_noun(head):
                return None
        # a named person with a nationality but no office ("Spain's Feliciano Lopez") is a civilian
        fallback = base.type if country_name.kind == "firm" else ("CVL" if is_person else base.type or "GOV")
        actor = Actor(base.name, base.country, agent or fallback)
        if is_person:
            context.remember_person(head, actor)
        joined = [names[c.i] for t in head.doc[country_name.start: country_name.end] for c in t.conjuncts
                  if c.i in names and names[c.i].kind in ("adjective", "country") and not is_person]
        if joined:  # "Pakistani and Indian officials": one phrase, two parties
            first = mention(actor, kind).mentions[0]
            others = [Mention(first.text, first.start, first.end,
                              Actor(n.actor.name, n.actor.country, actor.type), kind) for n in joined]
            return Resolution((first, *others))
        return mention(actor, kind)

    def _person(self, head: Token, phrase: Phrase, agent: str | None, names: dict[int, Name], offset: int,
                context: DocumentContext) -> Resolution | None:
        """A person no modifier places: known from earlier in the story, by an apposition, by the
        sentence's country for a titled person, or by the story's country for a named one."""
        mention = phrase.mention
        known = context.person(head)
        if known is not None:
            return mention(known, "person")
        appos = self._apposition(head, names, offset, context)
        if appos is not None:
            context.remember_person(head, appos)
            return mention(appos, "person")
        if agent is not None:  # a titled person without a country: the sentence's country
            country = context.sentence_country(head, names,
                                               agent_is_state=agent in STATE_AGENTS)
            if country is not None:
                actor = Actor(country.name, country.country, agent)
                context.remember_person(head, actor)
                return mention(actor, "person")
        home = context.story_country() if _named_person(head) and _name_text(head).lower() not in self.towns else None
        if home is not None:  # "Mr Brown", "Vincent Cable" in a story about one country
            actor = Actor(home.name, home.country, agent or "ELI")
            context.remember_person(head, actor)
            return mention(actor, "person")
        home = context.story_country() if _named_body(head) else None
        if home is not None:  # "The NAO", "the Muslim Council" in a story about one country: its own
            return mention(Actor(home.name, home.country, agent or "UNK"), "organization")
        return None

    @staticmethod
    def _residence(head: Token, tokens: list[Token], own: Name, names: dict[int, Name]) -> Actor | None:
        """Where a people named by a demonym lives, when the phrase says so: "Bosnian Serbs",
        "ethnic Albanians in south Serbia", "the Albanians of southern Serbia"."""
        for tok in tokens:
            name = names.get(tok.i)
            if name is not None and name is not own and name.kind in ("adjective", "country") and tok.i < own.start:
                return name.actor
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in ("in", "of", "from", "inside"):
                for tok in child.subtree:
                    name = names.get(tok.i)
                    if name is not None and name.kind in ("country", "capital", "region"):
                        return name.actor
        if any(c.lower_ == "ethnic" for c in head.children):
            # "ethnic Albanians" are not Albania: they belong where the sentence places them
            for tok in head.sent:
                name = names.get(tok.i)
                if name is not None and name is not own and name.kind in ("country", "region") \
                        and tok.head.dep_ == "prep" and tok.head.lower_ in ("in", "inside", "across"):
                    return name.actor
        return None

    @staticmethod
    def _reporting_subject(pronoun: Token) -> Token | None:
        """The subject of the verb of saying whose clause a subject pronoun opens."""
        if pronoun.dep_ in ("nsubj", "nsubjpass") and pronoun.lower_ in FIRST_PERSON:  # "I" in a quote: its speaker
            speaker = reported_speaker(pronoun)
            if speaker is None or speaker.lower_ in FIRST_PERSON:
                speaker = quoted_speaker(pronoun)  # named in another sentence: '"We ..." Sisi said.'
            return None if speaker is None or speaker.lower_ in FIRST_PERSON else speaker
        if pronoun.dep_ not in ("nsubj", "nsubjpass") or pronoun.lower_ not in SUBJECT_PRONOUNS:
            return None
        clause = pronoun.head
        if clause.dep_ != "ccomp":
            return None
        speaker = next((c for c in clause.head.children if c.dep_ == "nsubj" and c.i < pronoun.i), None)
        if speaker is None or speaker.pos_ == "PRON":
            return None
        plural = pronoun.lower_ in ("they", "we")
        if plural != (speaker.tag_ in ("NNS", "NNPS")) and pronoun.lower_ != "it":
            return None
        if pronoun.lower_ == "it" and speaker.ent_type_ == "PERSON":
            return None
        return speaker

    def _is_actor_noun(self, head: Token) -> bool:
        """A plain noun modified by a country name can still be an actor ("Iranian entities")."""
        return head.lemma_.lower() in ACTOR_NOUNS

    def _apposition(self, head: Token, names: dict[int, Name], offset: int,
                    context: DocumentContext) -> Actor | None:
        for child in head.children:
            if child.dep_ == "appos":
                resolved = self.resolve(child, names, offset, context)
                if resolved is not None:
                    return resolved.mentions[0].actor
                for tok in child.subtree:  # "the secretary-general of ITU"
                    name = names.get(tok.i)
                    if name is not None and name.kind in ("organization", "country", "adjective", "metonym"):
                        agent, _ = self.agent_type(list(child.subtree))
                        a = name.actor
                        if name.kind == "organization":
                            return a
                        return Actor(a.name, a.country, agent or "GOV")
        return None


# Plain nouns that denote an actor when a country modifies them, although no sector follows.
ACTOR_NOUNS = frozenset(
    "entity entities side party participant representative counterpart people population citizen "
    "national community group team delegation mission envoy neighbor neighbour ally partner "
    "regime state nation country government authority secretary council".split()
)


def _body(names: list[Name], countries: list[Name], doc: Doc) -> Name | None:
    """The organisation a phrase names, unless the phrase says it is another country's: "Brazil's
    Labour Minister" is a portfolio worded as the UK's party."""
    org = next((n for n in names if n.kind == "organization" or (n.kind == "user" and n.actor.abbrev)), None)
    if org is not None and org.actor.country and any(
            _nationality(n, doc) and n.actor.country not in (None, org.actor.country) for n in countries):
        return None
    return org


def _nationality(name: Name, doc: Doc) -> bool:
    """Whether a name says whose a phrase is ("Brazil's", "Japanese"), not whom it is tied to:
    "Iran-affiliated Houthi rebels", "the pro-Iranian Hizbollah" (a patron, "US-backed", is no
    name at all: :mod:`tieline.names`)."""
    before = doc[name.start - 1] if name.start > 0 else None
    after = doc[name.end] if name.end < len(doc) else None
    if (before is not None and (before.text == "-" or before.lower_ in ("pro", "anti"))) or (
            after is not None and after.text == "-"):
        return False
    return name.kind == "adjective" or (name.kind == "country" and after is not None and possessive(after))


def _named_body(head: Token) -> bool:
    """A phrase the tagger calls an organisation by its proper name ("The NAO", "the RAC"): the
    guidelines give a national body no table knows the country of the story."""
    return head.ent_type_ == "ORG" and head.pos_ == "PROPN" and (head.is_title or (head.is_upper and len(head.text) > 1))


def _name_words(head: Token) -> list[Token]:
    """The words of a name ending at ``head``: it and the compounds before it ("Mr Brown")."""
    return [t for t in head.doc[max(0, head.i - 3): head.i + 1]
            if t.i == head.i or (t.dep_ in ("compound", "flat") and t.head.i == head.i)]


def _name_text(head: Token) -> str:
    """The whole name a word is part of ("Khan" in "Khan Younis")."""
    while head.dep_ in ("compound", "flat") and head.head.pos_ == "PROPN" and head.head.i > head.i:
        head = head.head
    return " ".join(t.text for t in _name_words(head))


def _named_person(head: Token) -> bool:
    """A phrase that surely names a person: a name the tagger calls a person ("Vincent Cable",
    "Kilroy-Silk") or an honorific and a name ("Mr Brown"); not a word that modifies a common noun."""
    if head.ent_type_ not in ("PERSON", "ORG", "") or (head.dep_ == "compound" and head.head.pos_ == "NOUN"):
        return False  # "Karen guerrillas": a people, not a person
    words = _name_words(head)
    names = [t for t in words if t.pos_ == "PROPN" and t.is_title and t.lower_.rstrip(".") not in HONORIFICS]
    titled = any(t.lower_.rstrip(".") in HONORIFICS for t in words)
    return (titled and len(names) >= 1) or (len(names) >= 1 and head.ent_type_ == "PERSON")
