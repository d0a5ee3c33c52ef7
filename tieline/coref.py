"""Resolve references within one document by rule: surnames, pronouns, "the two sides".

No coreference model is available offline, so :class:`DocumentContext` keeps what the
document has said so far, sentence by sentence, and answers:

* a surname or a misspelt first name ("Jahromi", "Houling") -> the person named in full earlier;
* he / she / his -> the latest person (a subject pronoun: the last sentence's subject);
  it / its -> the latest country or organisation;
  they / the two sides / both countries / the authorities -> the latest pair of parties;
* "the country" -> the latest country named; "the Malaysian official" is resolved by its
  adjective before it gets here, "the official" by the latest mention with that role noun,
  "the President" by the latest person named with that title ("President Ilham Aliyev").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spacy.tokens import Span, Token

from tieline.speakers import reported_speaker
from tieline.types import Actor, Mention, Name, Resolution

SINGULAR_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs"})
NEUTER_PRONOUNS = frozenset({"it", "its"})
PAIR_WORDS = frozenset({"side", "sides", "country", "countries", "nation", "nations", "leader", "leaders",
                        "party", "parties", "government", "governments", "minister", "ministers", "authorities",
                        "official", "officials", "delegation", "delegations", "neighbor", "neighbors",
                        "neighbour", "neighbours"})
PAIR_DETERMINERS = frozenset({"two", "both"})
PAIR_WINDOW = 2  # sentences within which "they" / "the two sides" still point at the last pair
COUNTRY_KINDS = frozenset({"country", "adjective", "capital", "metonym", "region"})
PERSON_KINDS = frozenset({"person", "leader"})  # mentions that name one person
STATE_SECTORS = frozenset({"GOV", "COP", "MIL", "JUD", "LEG", "SPY"})
CIVIL_STATE_SECTORS = frozenset({"GOV", "JUD", "LEG"})
# Groups of the country's own public life, named only by what they are: "unions called a strike",
# "the protesters", "employers criticised the plan" (the guidelines' unnamed domestic actors)
HOME_GROUP_SECTORS = frozenset({"LAB", "CVL", "OPP", "EDU", "AGR", "REB"})
MEMBER_HEADS = frozenset({"state", "country", "nation", "government"})  # "member states" are a body's
# ... but not anyone at all: "killed 23 people" names the victims of where it happened
ANYONE_NOUNS = frozenset({"people", "persons", "individuals", "victims", "civilians", "others", "men", "women",
                          "children", "residents", "citizens", "inhabitants"})  # plurals: a group is named so
STORY_COUNTRY_MIN = 2  # a story's country is named at least this often
STORY_COUNTRY_LEAD = 2  # and this many times as often as the next country
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Titles a person is named with, and then referred to by: "President Aliyev ... the President".
TITLES = frozenset("president minister premier king emir amir sultan chancellor secretary ambassador envoy governor "
                   "chairman speaker prince commander mayor".split())
LESSER_TITLES = frozenset({"vice", "deputy", "former", "acting", "ex"})


# Nouns whose compound name is often only their topic: "the Iraq war", "the Kashmir dispute".
TOPIC_NOUNS = frozenset("war conflict scandal affair crisis offensive pullout dispute issue question".split())


def labels_a_topic(tok: Token, kind: str | None = None) -> bool:
    """A name that labels what a war, scandal or dispute is about ("calls for advice on the
    legality of the Iraq war", "the Iran arms scandal", "pro-Iraq war Labour MP Oona King"): no
    party, and no country the story is about; "the US war in Iraq" and "the Israeli offensive"
    keep their owners. ``kind`` is the name's kind when known: a country's name parsed as an
    adjective ("pro-Iraq war") labels the topic as its compound does; an adjective of nationality
    ("the Israeli offensive") names the owner."""
    head = tok.head
    labels = tok.dep_ == "compound" or (tok.dep_ == "amod" and kind == "country")
    return labels and head.lemma_.lower() in TOPIC_NOUNS \
        and not any(c.dep_ == "prep" and c.lower_ in ("in", "on", "against", "with") for c in head.children)


# Nouns naming the other side of a pair: "his Australian counterpart" is not Australian himself.
COUNTERPART_NOUNS = frozenset({"counterpart", "counterparts", "opposite", "host", "hosts", "guest", "guests"})


def counterpart(tok: Token) -> bool:
    """A country name that qualifies a counterpart ("his Australian counterpart", "counterpart of Iran")."""
    head = tok.head
    if tok.dep_ == "pobj" and head.dep_ == "prep":
        head = head.head
    return head is not tok and head.lower_ in COUNTERPART_NOUNS and tok.dep_ in ("amod", "compound", "poss", "nmod", "pobj")


@dataclass(frozen=True)
class Seen:
    sentence: int
    mention: Mention
    lemma: str
    person: bool
    subject: bool = False  # the mention's head is a clause's subject
    titles: frozenset[str] = frozenset()  # the titles it was named with: "President Aliyev"


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


class DocumentContext:
    """What one document has said so far (persons, mentions, the last pair of parties)."""

    def __init__(self, day: dt.date | None = None, country_names: Mapping[str, str] | None = None) -> None:
        self.day = day  # the story's date: who held an office then
        self.country_names = country_names or {}  # ISO3 -> the country's name, for the story's country
        self.sentence = -1
        self.persons: dict[str, Actor] = {}
        self.name_tokens: dict[str, Actor] = {}
        self.history: list[Seen] = []
        self.countries: list[tuple[int, Actor]] = []  # (char offset, actor), in document order
        self.country_counts: Counter[str] = Counter()
        self.last_pair: tuple[Mention, Mention] | None = None
        self.last_pair_sentence = -99
        self._offset_hint = 0  # character offset of the segment being read
        self.title_countries: dict[str, Actor] = {}
        self.sentence_starts: list[int] = []  # character offset of each sentence read
        self.firm_subjects: set[int] = set()  # sentences whose subject is an organisation no table knows
        self.story_counts: Counter[str] = Counter()  # country names in the whole story, title included
        self.story_actors: dict[str, Actor] = {}

    # ---- updates --------------------------------------------------------------------------
    def begin_sentence(self, sent: Span, names: dict[int, Name], offset: int) -> None:
        """Record the country names of a new sentence."""
        self.sentence += 1
        self._offset_hint = offset
        self.sentence_starts.append(offset + sent.start_char)
        subject = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None and subject.ent_type_ == "ORG" and not any(
                t.i in names for t in subject.subtree):  # "El Al Israel Airlines said ...": "it" is the firm
            self.firm_subjects.add(self.sentence)
        seen: set[int] = set()
        for tok in sent:
            name = names.get(tok.i)
            if name is not None and name.kind in COUNTRY_KINDS and id(name) not in seen and name.actor.country \
                    and not labels_a_topic(tok, name.kind):
                seen.add(id(name))
                self.countries.append((offset + tok.idx, name.actor))
                self.country_counts[name.actor.country] += 1

    def remember_person(self, head: Token, actor: Actor) -> None:
        """Learn that the person named at ``head`` is ``actor`` (for later surnames)."""
        full = self._person_span(head)
        # an office of an international body, which the phrase says and the tables do not ("EU
        # commissioner Peter Mandelson"), replaces the tables' person for his later surname
        self._learn(full.text, [tok.text for tok in full if tok.pos_ == "PROPN"], actor, override=actor.type == "IGO")

    def remember_name(self, words: str, actor: Actor) -> None:
        """Learn a person the tables know from the words naming him (:meth:`remember_person`
        without a parse), for a story of which only some sentences are parsed."""
        self._learn(words, [word for word in words.split() if word.isalpha()], actor)

    def _learn(self, full_name: str, names: list[str], actor: Actor, *, override: bool = False) -> None:
        if actor.country is None and actor.abbrev is None:
            return
        self.persons[full_name.lower()] = actor
        for name in names:
            if len(name) >= 3 and name[:1].isupper():
                if override:
                    self.name_tokens[name.lower()] = actor
                else:
                    self.name_tokens.setdefault(name.lower(), actor)

    def observe(self, mention: Mention, head: Token) -> None:
        """Record an actor mention used as a party of an event."""
        person = mention.kind in PERSON_KINDS or (mention.kind == "pronoun" and head.lower_ in SINGULAR_PERSON_PRONOUNS)
        words = {t.lemma_.lower() for c in head.lefts for t in c.subtree} if person else set()
        titles = frozenset() if words & LESSER_TITLES else frozenset(words & TITLES)  # a vice president is not "the president"
        self.history.append(Seen(self.sentence, mention, head.lemma_.lower(), person, head.dep_ in SUBJECT_DEPS, titles))

    def observe_pair(self, first: Mention, second: Mention) -> None:
        if first.actor.country == second.actor.country and first.actor.abbrev == second.actor.abbrev:
            return
        self.last_pair = (first, second)
        self.last_pair_sentence = self.sentence

    # ---- questions ------------------------------------------------------------------------
    @staticmethod
    def _person_span(head: Token) -> Span:
        if head.ent_type_ and head.ent_iob_ != "O":  # the entity around head, from the IOB tags:
            doc, start, end = head.doc, head.i, head.i + 1  # not a walk over every entity (issue 9)
            while start > 0 and doc[start].ent_iob_ == "I":
                start -= 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            return doc[start:end]
        start = head.i
        while start > 0 and head.doc[start - 1].dep_ in ("compound", "flat") and head.doc[start - 1].pos_ == "PROPN" \
                and head.doc[start - 1].head.i in range(start, head.i + 1):
            start -= 1
        return head.doc[start: head.i + 1]

    def person(self, head: Token) -> Actor | None:
        """The actor of a person named earlier, by full name, surname or a near spelling."""
        span = self._person_span(head)
        found = self.persons.get(span.text.lower())
        if found is not None:
            return found
        for tok in reversed(list(span)):
            key = tok.text.lower()
            if key in self.name_tokens:
                return self.name_tokens[key]
            if tok.pos_ == "PROPN" and tok.is_title:
                break  # a name ending in a word no one here bore is someone or somewhere else ("Khan Younis")
        for tok in span:
            key = tok.text.lower()
            if len(key) >= 5:
                for known, actor in self.name_tokens.items():
                    if len(known) >= 5 and _edit_distance_at_most_one(key, known):
                        return actor
        return None

    def _pair(self, tok: Token, offset: int) -> Resolution | None:
        if self.last_pair is None or self.sentence - self.last_pair_sentence > PAIR_WINDOW:
            return None
        start = offset + tok.idx
        return Resolution(tuple(Mention(tok.text, start, start + len(tok.text), m.actor, "pronoun") for m in self.last_pair))

    def resolve_pronoun(self, tok: Token, offset: int) -> Resolution | None:
        lower = tok.lower_
        start = offset + tok.idx

        def single(actor: Actor) -> Resolution:
            return Resolution((Mention(tok.text, start, start + len(tok.text), actor, "pronoun"),))

        if lower in SINGULAR_PERSON_PRONOUNS:
            person = self._person_before(start, subject=tok.dep_ in SUBJECT_DEPS)
            return single(person) if person is not None else None
        if lower in PLURAL_PRONOUNS:
            pair = self._pair(tok, offset)
            if pair is not None:
                return pair
            for seen in reversed(self.history):
                if not seen.person and seen.mention.start < start and self.sentence - seen.sentence <= 1:
                    return single(seen.mention.actor)
            return None
        if lower in NEUTER_PRONOUNS:
            # "it" looks back one sentence at most, and not past an organisation no table knows
            if (self.sentence - 1) in self.firm_subjects or self.sentence in self.firm_subjects or expletive(tok):
                return None
            reach = self.sentence_starts[-2] if len(self.sentence_starts) > 1 else 0
            for seen in reversed(self.history):
                if seen.mention.kind in ("country", "capital", "metonym", "organization") \
                        and reach <= seen.mention.start < start:
                    return single(seen.mention.actor)
            for pos, actor in reversed(self.countries):
                if reach <= pos < start:
                    return single(actor)
        return None

    def _person_before(self, start: int, *, subject: bool) -> Actor | None:
        """The person "he" or "she" at ``start`` refers to: the person named last; for a subject
        pronoun, the subject of the last sentence that named a person ("X met Y in London. He
        accused the EU ..." is X, not Y)."""
        persons = [seen for seen in self.history if seen.person and seen.mention.start < start]
        if not persons:
            return None
        latest = max(persons, key=lambda seen: seen.mention.start)
        if subject:
            subjects = [seen for seen in persons if seen.sentence == latest.sentence and seen.subject]
            if subjects:
                return min(subjects, key=lambda seen: seen.mention.start).mention.actor
        return latest.mention.actor

    def resolve_definite(self, head: Token, agent: str | None, offset: int) -> Resolution | None:
        """ "the two sides", "the country", "the authorities", "the official"."""
        lower = head.lower_
        start = offset + head.idx
        modifiers = {c.lower_ for c in head.children}
        if lower in PAIR_WORDS and (modifiers & PAIR_DETERMINERS or lower == "authorities"):
            pair = self._pair(head, offset)
            if pair is not None or "both" in modifiers or {"the", "two"} <= modifiers:
                return pair  # "the two countries" are the last pair or no one: never one country named before
        if lower in ("country", "nation"):
            for pos, actor in reversed(self.countries):
                if pos < start:
                    return Resolution((Mention(head.text, start, start + len(head.text), actor, "definite"),))
            return None
        lemma = head.lemma_.lower()
        for seen in reversed(self.history):
            if seen.lemma == lemma and seen.mention.start < start and self.sentence - seen.sentence <= 6:
                return Resolution((Mention(head.text, start, start + len(head.text), seen.mention.actor, "definite"),))
        if lemma in TITLES:  # "the President" after "President Ilham Aliyev": the one titled so, named last
            titled = [seen for seen in self.history if lemma in seen.titles and seen.mention.start < start]
            if titled:
                actor = max(titled, key=lambda seen: seen.mention.start).mention.actor
                return Resolution((Mention(head.text, start, start + len(head.text), actor, "definite"),))
        home = self._home_party(head, agent, start)
        return None if home is None else Resolution((Mention(head.text, start, start + len(head.text), home, "definite"),))

    def _home_party(self, head: Token, agent: str | None, start: int) -> Actor | None:
        """A party named only by what it is, of the body or country the story is about."""
        if head.lemma_.lower() in MEMBER_HEADS and any(c.dep_ == "compound" and c.lower_ == "member" for c in head.children):
            # "member states rejected the proposal": of the body the story has named last
            body = next((seen.mention.actor for seen in reversed(self.history) if seen.mention.start < start
                         and seen.mention.actor.type == "IGO" and seen.mention.actor.abbrev), None)
            if body is not None:
                return body
        if agent in HOME_GROUP_SECTORS and _names_home_group(head):
            home = self.story_country()  # a clear lead only: "rebels" of a story of many countries are anyone's
            return None if home is None else Actor(home.name, home.country, agent)
        if _names_home_state(head, agent):  # the state the story is about, else the one named most so far
            home = self.story_country() or self.home_country()
            return None if home is None else Actor(home.name, home.country, agent)
        return None

    def named_half(self, half: str) -> Actor | None:
        """The country named so far whose name starts with "North" or "South": "the North"."""
        for _, actor in reversed(self.countries):
            if actor.name.startswith(f"{half} "):
                return actor
        return None

    def home_country(self) -> Actor | None:
        """The country the story has named most so far (the title counts); before it has named
        any, the country the whole story is about ("The government rejected the Tories' proposal")."""
        if not self.country_counts:
            return self.story_country()
        iso3, _ = self.country_counts.most_common(1)[0]
        for _, actor in reversed(self.countries):
            if actor.country == iso3:
                return actor
        return self.title_countries.get(iso3)

    def read_title(self, actors: list[Actor]) -> None:
        """Count the countries a story's title names."""
        for actor in actors:
            if actor.country:
                self.country_counts[actor.country] += 1
                self.title_countries.setdefault(actor.country, actor)
                self.story_counts[actor.country] += 1
                self.story_actors.setdefault(actor.country, actor)

    def read_story(self, segment_names: list[dict[int, Name]]) -> None:
        """Count the country names of the whole story before reading it sentence by sentence,
        for :meth:`story_country` (a person named in the first sentence is read with the rest).
        An office holder named in full counts for his country ("Tony Blair" in a story that never
        names Britain); a surname alone does not, being anyone's."""
        self.count_countries(name.actor for names in segment_names for name in {id(n): n for n in names.values()}.values()
                             if tells_story_country(name))

    def count_countries(self, actors: Iterable[Actor]) -> None:
        """Count the story's country names (each one actor with a country), for :meth:`story_country`."""
        for actor in actors:
            if actor.country is None:
                continue
            self.story_counts[actor.country] += 1
            # counted from a leader's name ("Tony Blair"), the story's country is still named as a country
            name = self.country_names.get(actor.country, actor.name)
            self.story_actors.setdefault(actor.country, Actor(name, actor.country, actor.type))

    def story_country(self) -> Actor | None:
        """The country the story is about, when one clearly is: named at least twice, and at
        least twice as often as any other. The guidelines give a national actor no table knows
        ("Mr Brown", "Vincent Cable") the country of the story it appears in."""
        ranked = self.story_counts.most_common(2)
        if not ranked or ranked[0][1] < STORY_COUNTRY_MIN:
            return None
        if len(ranked) > 1 and ranked[0][1] < STORY_COUNTRY_LEAD * ranked[1][1]:
            return None
        actor = self.story_actors[ranked[0][0]]
        return Actor(actor.name, actor.country, None)

    def sentence_country(self, head: Token, names: dict[int, Name], agent_is_state: bool = False) -> Actor | None:
        """The country a titled person named without one ("External Affairs Minister S Jaishankar")
        most likely belongs to, or None.

        For a state office, the country of the body whose words the sentence reports ("The
        Interior Minister ..., the Pakistani government said"). Else the country the whole story
        is about, when one clearly is (:meth:`story_country`); else, once the story has named
        countries, the one it has named most before this sentence, when one leads (not the
        title's: it names the topic as often as the actor). A country named in the sentence itself
        usually belongs to another party ("met his Australian counterpart", "urged India"), so it
        is taken only when the story has named none yet and it is the only one the sentence names
        before the person ("Opposition groups in Zimbabwe demanded that President Mugabe ...") or,
        for a state office with none before, after."""
        if agent_is_state:
            speaker = reported_speaker(head)
            if speaker is not None:
                for tok in speaker.subtree:
                    name = names.get(tok.i)
                    if name is not None and name.kind in COUNTRY_KINDS and name.actor.country:
                        return Actor(name.actor.name, name.actor.country, "GOV")
        story = self.story_country()
        if story is not None:  # "Deputy Treasury Secretary Richard Darman" in a story about the US
            return Actor(story.name, story.country, "GOV")
        sent = head.sent
        start = head.doc[sent.start].idx + self._offset_hint
        earlier = Counter(a.country for pos, a in self.countries if pos < start and a.country)
        ranked = earlier.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            iso3 = ranked[0][0]
            for _, actor in reversed(self.countries):
                if actor.country == iso3:
                    return Actor(actor.name, iso3, "GOV")
        if ranked:
            return None
        before: dict[str, Actor] = {}
        after: dict[str, Actor] = {}
        for tok in sent:
            name = names.get(tok.i)
            if name is not None and name.kind in COUNTRY_KINDS and name.actor.country and not counterpart(tok):
                (before if tok.i < head.i else after).setdefault(name.actor.country, name.actor)
        # after the person only for a state office: a church leader is not the country he speaks of
        found = before if before else (after if agent_is_state else {})
        if len(found) == 1:
            actor = next(iter(found.values()))
            return Actor(actor.name, actor.country, "GOV")
        return None


def named_in_full(name: Name) -> bool:
    """An office holder named in full ("Tony Blair"), not by a surname alone, which may be anyone's."""
    return name.kind == "leader" and name.end - name.start > 1


# Organisations of one country that tell what country a story is about: its parties and state bodies.
HOME_BODY_TYPES = frozenset({"PTY", "GOV", "MIL", "SPY"})


def tells_story_country(name: Name) -> bool:
    """Whether a name counts for the country a story is about: a country's name, an office
    holder's named in full ("Tony Blair" in a story that never names Britain), or a party or
    state body of one country ("the Liberal Democrats")."""
    return bool(name.actor.country) and (name.kind in COUNTRY_KINDS or named_in_full(name) or (
        name.kind == "organization" and name.actor.type in HOME_BODY_TYPES))


def expletive(tok: Token) -> bool:
    """ "It was not fair to blame the public", "it is said that ...": an "it" that stands for the
    clause after it, no party."""
    if tok.dep_ == "expl":
        return True
    verb = tok.head
    deps = {c.dep_ for c in verb.children}
    # "it was ready to talk" is a party: there "to talk" hangs off "ready", not off "was"
    return tok.lower_ == "it" and (
        tok.dep_ == "nsubj" and verb.lemma_ == "be" and bool(deps & {"acomp", "attr"}) and bool(deps & {"xcomp", "ccomp"})
        or tok.dep_ == "nsubjpass" and "ccomp" in deps)  # "it is reported that ..."; not "it was asked to leave"


def _names_home_group(head: Token) -> bool:
    """ "Unions", "the protesters": a group named by what it is alone (no "its", no "some")."""
    determiners = [c for c in head.children if c.dep_ in ("det", "poss")]
    return head.tag_ in ("NNS", "NNPS") and head.lower_ not in ANYONE_NOUNS and all(c.lower_ == "the" for c in determiners)


def _names_home_state(head: Token, agent: str | None) -> bool:
    """ "the government", "the police", "Congress", "MPs": a body of the state the story is about.
    Bare "troops" or "foreign ministers" are not: they are often what is sent, or of many states."""
    determiners = [c for c in head.children if c.dep_ in ("det", "poss")]
    if determiners:
        return agent in STATE_SECTORS and any(c.lower_ == "the" for c in determiners)
    return (agent in CIVIL_STATE_SECTORS and head.pos_ == "PROPN" or agent == "LEG" and head.tag_ == "NNS"
            or agent in ("GOV", "COP") and (head.tag_ == "NNS" or head.lower_ == "police"))
