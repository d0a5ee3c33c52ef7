"""Find actor mentions and resolve them to a country and sector.

Two steps, kept apart:

* ``ActorFinder.find_names`` (find): matches the names in the data tables (countries, their
  adjectives and capitals, government buildings, organisations, office holders) in a parsed
  segment, giving one :class:`Name` per match.
* ``ActorFinder.resolve`` (build): given the head token of a noun phrase (a subject, an
  object...), reads its modifiers (``Iran's``, ``Malaysian``, ``of ITU``, appositions), the
  role nouns in ``agents.csv`` and the document context (:mod:`tieline.coref`) to return the
  :class:`Mention` it refers to, or ``None`` when the phrase names no actor.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from tieline.coref import COUNTERPART_NOUNS, DocumentContext
from tieline.lexicon import Lexicon
from tieline.types import Actor, Mention, Name, ParsedDocument, Resolution

# Dependency labels that stay inside a noun phrase when collecting its modifiers.
NP_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "flat", "det", "nummod", "quantmod", "case", "npadvmod"})
# Prepositions whose object still describes the head ("minister of Iran", "officials from Iran").
NP_PREPOSITIONS = frozenset({"of", "from"})
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs", "it", "its",
                               "we", "us", "our"})
FORMER_UNITS = frozenset({"republic", "colony", "territory", "state", "satellite", "province", "protectorate"})
SUBJECT_PRONOUNS = frozenset({"he", "she", "it", "they", "we"})
RELATIVE_PRONOUNS = frozenset({"that", "who", "which", "whom", "whose"})
STATE_SECTORS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG", "SPY", "IGO"})
POINTING_NOUNS = frozenset({"country", "countries", "side", "sides", "nation", "nations"})  # resolved by the document context
RECENT_SEGMENTS = 64  # segments whose names are kept (a long story has a few dozen)
NAME_KINDS_PRIORITY = {"user": -1, "leader": 0, "surname": 0, "organization": 1, "metonym": 2, "country": 3, "capital": 4,
                       "adjective": 5, "region": 6}


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
        vocab = self.vocab = nlp.vocab
        self.make_doc = nlp.make_doc
        self.lexicon = lexicon
        self.matcher = PhraseMatcher(vocab, attr="ORTH")
        self.payloads: dict[int, list[tuple[str, Actor]]] = {}
        self.leaders_by_key: dict[str, list] = {}
        self.surnames: dict[str, list] = {}  # last names not listed as aliases: used only when unambiguous
        self.user_validity: dict[str, object] = {}
        # the names of the last segments read: the rules, the model's candidates and the story's
        # country each read a document's names, so they are found once (the Doc is kept, so its id is not reused)
        self._recent: OrderedDict[tuple[int, dt.date | None], tuple[Doc, dict[int, Name]]] = OrderedDict()
        self._build()

    # ---- tables into the matcher ---------------------------------------------------------
    def _add(self, phrases: Iterable[str], kind: str, actor: Actor) -> None:
        key = f"{kind}:{actor.name}:{actor.country}:{actor.abbrev}"
        key_id = self.vocab.strings.add(key)
        forms = set()
        for phrase in phrases:
            phrase = phrase.strip()
            if len(phrase) < 2:
                continue
            forms.add(phrase)
            if phrase.isupper() is False and phrase[:1].islower():
                forms.add(phrase[:1].upper() + phrase[1:])
            if kind == "organization" and phrase.isalpha() and phrase.isupper() and len(phrase) >= 4:
                forms.add(phrase.capitalize())  # British style: "Nato", "Isis", "Opec"
            if "'" in phrase:
                forms.add(phrase.replace("'", "’"))
        if not forms:
            return
        self.matcher.add(key, [self.make_doc(f) for f in sorted(forms)])
        self.payloads.setdefault(key_id, []).append((kind, actor))

    def _build(self) -> None:
        lex = self.lexicon
        for entry in lex.user_actors:
            self._add((entry.name, *entry.aliases), "user",
                      Actor(entry.name, entry.country, entry.type, entry.abbrev))
            self.user_validity[entry.name] = entry
        for c in lex.countries:
            self._add((c.name, *c.aliases), "country", Actor(c.name, c.iso3, "GOV"))
            self._add(c.adjectives, "adjective", Actor(c.name, c.iso3, None))
            if c.capital:
                self._add((c.capital,), "capital", Actor(c.name, c.iso3, "GOV"))
        for place in lex.places:  # "Darfur rebels", "Kashmiri militants": a region names its country
            if place.feature == "region":
                self._add((place.name,), "region", Actor(place.name, place.country, None))
        for m in lex.metonyms:
            self._add((m.phrase,), "metonym", Actor(m.name, m.country, m.type))
        for o in lex.organizations:
            names = [o.name, *o.aliases]
            if o.abbrev and (len(o.abbrev) > 2 or o.abbrev.isupper()):
                names.append(o.abbrev)
            names += [f"the {n}" for n in names if not n.lower().startswith("the ")]
            self._add(names, "organization", Actor(o.name, o.country, o.type, o.abbrev))
        self._add_leaders()

    def _add_leaders(self) -> None:
        """Office holders by name and alias, and by surname when no country or organisation has it."""
        lex = self.lexicon
        taken = {n for c in lex.countries for n in (c.name, *c.aliases, *c.adjectives, c.capital)}
        taken |= {n for o in lex.organizations for n in (o.name, o.abbrev, *o.aliases)}
        for leader in lex.leaders:
            keys = [leader.name, *leader.aliases, *_hyphenated(leader)]
            keys += [v for k in keys for v in _article_variants(k)]
            for key in keys:
                self.leaders_by_key.setdefault(key, []).append(leader)
            surname = leader.name.split()[-1] if len(leader.name.split()) > 1 else ""
            if surname.lower().startswith(("al-", "el-")):
                surname = surname[3:]  # "Omar al-Bashir" is "Bashir" (and "El Bashir") too
            if surname not in keys and _usable_surname(surname) and surname not in taken:
                self.surnames.setdefault(surname, []).append(leader)
        for key in self.leaders_by_key:
            self._add((key,), "leader", Actor(key, None, None))
        for key in self.surnames:
            if key not in self.leaders_by_key:
                self._add((key,), "surname", Actor(key, None, None))

    # ---- find ---------------------------------------------------------------------------
    def find_names(self, doc: Doc, day: dt.date | None) -> dict[int, Name]:
        """Table names in a segment, keyed by each covered token index (longest match wins).
        The mapping is shared with later calls for the same segment: read it, do not change it."""
        key = (id(doc), day)
        recent = self._recent.get(key)
        if recent is not None and recent[0] is doc:
            self._recent.move_to_end(key)
            return recent[1]
        names = self._find_names(doc, day)
        self._recent[key] = (doc, names)
        if len(self._recent) > RECENT_SEGMENTS:
            self._recent.popitem(last=False)
        return names

    def read_story(self, parsed: ParsedDocument) -> tuple[DocumentContext, list[dict[int, Name]]]:
        """A fresh document context for a story, with its title's countries and the whole story's
        country names counted (:meth:`DocumentContext.story_country`); and each segment's names."""
        day = parsed.document.date
        context = DocumentContext(day)
        if parsed.document.title:
            context.read_title(self.country_names(parsed.document.title, day))
        segment_names = [self.find_names(segment.doc, day) for segment in parsed.segments]
        context.read_story(segment_names)
        return context, segment_names

    def _find_names(self, doc: Doc, day: dt.date | None) -> dict[int, Name]:
        found: list[Name] = []
        for match_id, start, end in self.matcher(doc):
            for kind, actor in self.payloads.get(match_id, []):
                name = self._matched_name(doc, start, end, kind, actor, day)
                if name is not None:
                    found.append(name)
        # of two names of one length, the one cut off by a hyphen loses ("Republic of Guinea-Bissau")
        found.sort(key=lambda n: (-(n.end - n.start), _hyphen_cut(doc, n.end), NAME_KINDS_PRIORITY.get(n.kind, 9), n.start))
        by_token: dict[int, Name] = {}
        organizations = [ent for ent in doc.ents if ent.label_ == "ORG"]
        for name in found:
            if any(i in by_token for i in range(name.start, name.end)):
                continue
            if name.start > 0 and doc[name.start - 1].text == "/" or "/" in doc[name.start].text:
                continue  # a photo credit: "REUTERS/Danish Siddiqui"
            if name.kind in ("country", "capital", "region", "adjective") and (
                    _tail_of_longer_name(doc, name.start) or _patron(doc, name.end)):
                continue  # "New York", "Port Sudan"; "US-backed rebels" are not the US
            if name.kind in ("country", "adjective", "capital"):
                name = self._inside_firm_name(name, organizations)
            for i in range(name.start, name.end):
                by_token[i] = name
        return by_token

    def _matched_name(self, doc: Doc, start: int, end: int, kind: str, actor: Actor, day: dt.date | None) -> Name | None:
        """A table name matched at doc[start:end], or None when the context says it is someone
        or something else (or the office holder was not in office on ``day``)."""
        if kind == "surname" and end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title:
            return None  # "Donald Trump": a surname elsewhere, a first name here
        if kind == "surname" and start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_title \
                and doc[start - 1].text not in self._given_names(actor.name):
            return None  # "Diane Abbott" is not Tony Abbott
        if kind == "leader" and end - start == 1 and doc[start].ent_iob_ == "I" and doc[start - 1].ent_type_ == "PERSON" \
                and doc[start - 1].lower_ not in self.lexicon.agents \
                and doc[start - 1].text not in self._given_names(actor.name, kind):
            return None  # "Charles Kennedy" is not John F. Kennedy (whose one-word name is "Kennedy")
        if kind in ("leader", "surname") and _inside_longer_name(doc, start, end):
            return None  # "Faisal bin Farhan bin Abdullah", "Abdul-Ghani", "Mohamed bin Zayed": someone else's name
        if kind in ("leader", "surname"):
            resolved = self._leader(actor.name, day) if kind == "leader" else self._surname(actor.name, day)
            if resolved is None:
                return None
            actor, kind = resolved, "leader"
        elif kind == "user" and not self.user_validity[actor.name].valid(day):  # type: ignore[attr-defined]
            return None
        elif kind == "organization" and actor.type == "IGO" and _national_body(doc, start, end):
            return None  # "Iran's Supreme National Security Council", "the Security Council of Kyrgyzstan"
        return Name(start, end, kind, actor)

    def _inside_firm_name(self, name: Name, organizations: list) -> Name:
        """A country inside a longer organisation name that is no state body ("Air France",
        "Virgin Australia", "Bank of England") names a firm of that country, not its government."""
        for ent in organizations:
            if ent.start <= name.start and name.end <= ent.end and (ent.end - ent.start) > (name.end - name.start):
                others = [t for t in ent if not (name.start <= t.i < name.end) and not t.is_punct]
                sectors = {self.lexicon.agents.get(t.lemma_.lower()) for t in others} - {None}
                if sectors & STATE_SECTORS:
                    return name
                doc = ent.doc
                ticker = ent.end + 1 < len(doc) and doc[ent.end].text == "(" and "." in doc[ent.end + 1].text \
                    and doc[ent.end + 1].text.split(".")[0].isupper()
                brand = name.end == ent.end and all(t.pos_ == "PROPN" for t in others)  # "Air France"
                if sectors or ticker or brand:
                    kind = min((s for s in sectors if s), default="BUS")
                    return Name(name.start, name.end, "firm", Actor(name.actor.name, name.actor.country, kind))
        return name

    def country_names(self, text: str, day: dt.date | None) -> list[Actor]:
        """Countries named in a short text such as a title (tokenized only, not parsed)."""
        doc = self.make_doc(text)
        seen: set[int] = set()
        out = []
        for name in self.find_names(doc, day).values():
            if name.kind == "adjective" and name.end < len(doc) and doc[name.end].lower_ in COUNTERPART_NOUNS:
                continue  # "Jaishankar holds talks with Australian counterpart": not Australia's story
            if id(name) not in seen and name.kind in ("country", "adjective", "capital", "metonym"):
                seen.add(id(name))
                out.append(name.actor)
        return out

    def _leader(self, key: str, day: dt.date | None, country: str | None = None) -> Actor | None:
        rows = self.leaders_by_key.get(key, [])
        if country is not None and any(r.country == country for r in rows):
            rows = [r for r in rows if r.country == country]  # "Jordan's King Abdullah", not Malaysia's
        newer = {r.country for r in rows if r.source == "leaders_current.csv"}
        if newer:
            # the newer table knows this country's holder of the name: an older row of that country
            # left open (no end date) is out of date; another country's King Abdullah is not
            rows = [r for r in rows if r.source == "leaders_current.csv" or r.end is not None or r.type == "ELI"
                    or r.country not in newer]
        current = [r for r in rows if r.holds_office(day)]
        if current:  # a dated office beats an undated one, and office beats former office
            r = min(current, key=lambda r: (r.type == "ELI", r.start is None, -(r.start or dt.date.min).toordinal()))
            return Actor(r.name, r.country, r.type)
        if day is not None:
            past = [r for r in rows if r.start is not None and r.start <= day]
            if past:
                r = max(past, key=lambda r: r.start or dt.date.min)
                return Actor(r.name, r.country, "ELI" if r.type == "GOV" else r.type)
        return None

    def _holders(self, key: str, day: dt.date | None) -> set[str]:
        """The countries of the office holders of a name on a date (several for "King Abdullah")."""
        return {r.country for r in self.leaders_by_key.get(key, []) if r.type != "ELI" and r.holds_office(day)
                and r.start is not None}

    def _given_names(self, key: str, kind: str = "surname") -> set[str]:
        """Every other word of the names of the office holders with this surname (or this
        one-word name: "Kennedy" is an alias of John F. Kennedy)."""
        holders = self.surnames.get(key, ()) if kind == "surname" else self.leaders_by_key.get(key, ())
        return {word for leader in holders for name in (leader.name, *leader.aliases)
                for word in name.split() if word != key}

    def _surname(self, key: str, day: dt.date | None) -> Actor | None:
        """A bare surname ("Sharon said") names the one office holder of that name in office on
        the story's date, and nobody when several are."""
        current = [r for r in self.surnames.get(key, []) if r.holds_office(day) and r.type != "ELI"
                   and (day is None or r.start is not None)
                   and not (r.end is None and r.source == "leaders.csv" and day is not None and day > OPEN_POSTS_UNTIL)]
        people = {(r.name, r.country) for r in current}
        if len(people) != 1:
            return None
        r = min(current, key=lambda r: -(r.start or dt.date.min).toordinal())
        return Actor(r.name, r.country, r.type)

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
        return self._resolve_described(head, phrase, names, offset, context)

    def _resolve_pronoun(self, head: Token, names: dict[int, Name], offset: int, context: DocumentContext, *,
                         allow_places: bool) -> Resolution | None:
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
        if own.kind == "leader":
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
            return self._leader(key, context.day, named[0]) or actor
        if not named:
            holders = self._holders(key, context.day)
            known = [c for c in holders if context.country_counts.get(c)]
            if len(holders) > 1 and known:
                best = max(known, key=lambda c: context.country_counts[c])
                if best != actor.country:
                    return self._leader(key, context.day, best) or actor
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
            if name is not None and id(name) not in seen:
                seen.add(id(name))
                modifier_names.append(name)
        agent, role_token = self.agent_type(tokens)
        is_person = head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and agent is None and not modifier_names)

        org = next((n for n in modifier_names if n.kind == "organization" or (n.kind == "user" and n.actor.abbrev)), None)
        leader = next((n for n in modifier_names if n.kind == "leader" or (n.kind == "user" and not n.actor.abbrev)),
                      None)
        countries = [n for n in modifier_names if n.kind in ("country", "adjective", "capital", "metonym", "region", "firm")]

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
                                               agent_is_state=agent in ("GOV", "JUD", "LEG", "MIL", "COP"))
            if country is not None:
                actor = Actor(country.name, country.country, agent)
                context.remember_person(head, actor)
                return mention(actor, "person")
        home = context.story_country() if _named_person(head) else None
        if home is not None:  # "Mr Brown", "Vincent Cable" in a story about one country
            actor = Actor(home.name, home.country, agent or "ELI")
            context.remember_person(head, actor)
            return mention(actor, "person")
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


PATRON_WORDS = frozenset({"backed", "funded", "sponsored", "supported", "armed", "trained", "allied", "aligned"})


HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "baron"})


def _named_person(head: Token) -> bool:
    """A phrase that surely names a person: a name the tagger calls a person ("Vincent Cable",
    "Kilroy-Silk") or an honorific and a name ("Mr Brown"); not a word that modifies a common noun."""
    if head.ent_type_ not in ("PERSON", "ORG", "") or (head.dep_ == "compound" and head.head.pos_ == "NOUN"):
        return False  # "Karen guerrillas": a people, not a person
    words = [t for t in head.doc[max(0, head.i - 3): head.i + 1]
             if t.i == head.i or (t.dep_ in ("compound", "flat") and t.head.i == head.i)]
    names = [t for t in words if t.pos_ == "PROPN" and t.is_title and t.lower_.rstrip(".") not in HONORIFICS]
    titled = any(t.lower_.rstrip(".") in HONORIFICS for t in words)
    return (titled and len(names) >= 1) or (len(names) >= 1 and head.ent_type_ == "PERSON")


def _tail_of_longer_name(doc, start: int) -> bool:
    """The name ends a longer proper name: "New York", "Port Sudan" (not "President Putin")."""
    if start == 0:
        return False
    before = doc[start - 1]
    return before.pos_ == "PROPN" and before.ent_iob_ in ("B", "I") and doc[start].ent_iob_ == "I" \
        and before.is_title and before.ent_type_ in ("GPE", "LOC", "FAC", "ORG")


def _patron(doc, end: int) -> bool:
    """ "US-backed", "Iranian-funded": the name qualifies someone else's backer."""
    return end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in PATRON_WORDS


# leaders.csv (Phoenix) was last updated in early 2015; a post it leaves open is not known to be
# held much later, so a bare surname is not read through it after this date.
OPEN_POSTS_UNTIL = dt.date(2016, 12, 31)

# Capitalised surnames that are also everyday words: too risky to read as a person alone.
WORD_SURNAMES = frozenset("Rice Brown Young White Black Green King Price Power Hope Love Little Best Wise Strong "
                          "Long Short Hill Wood Rose May Major General Cook Lord Church Bishop Mills Banks Ford Hunt "
                          "Cash Gold Stone Lamb Fox Hall Street West North South East Bell Moon Park Sun Day Lee Star "
                          "Will Grant Mark Bond Frank Hunter Baker Miller Smith Walker Wells Sharp Steel Rich".split())
FAMILY_FIRST = frozenset({"CHN", "TWN", "KOR", "PRK", "HKG", "MAC", "VNM"})


# Words inside Arabic names: a leader's name right after one ("bin Abdullah") or before one
# ("Mohamed bin Zayed") is part of someone else's longer name.
NAME_PARTICLES = frozenset({"bin", "ibn", "bint", "abu", "abd", "abdul", "abdel", "ould"})
ARTICLES = frozenset({"al", "el"})
# Words that make a generic name ("Security Council") the UN body's.
UN_WORDS = ("UN", "U.N.", "United Nations", "UN's", "U.N.'s")


def _inside_longer_name(doc, start: int, end: int) -> bool:
    """A leader's name that is only a piece of a longer personal name: after "bin"/"ibn" or a
    hyphen ("bin Abdullah", "Abdul-Ghani"; not "Al-Saud", a family name), or a one-word name
    before "bin" ("Mohamed bin Zayed")."""
    if start > 0:
        before = doc[start - 1]
        if before.lower_ in NAME_PARTICLES:
            return True
        if before.text == "-" and not before.whitespace_ and start > 1 and not doc[start - 2].whitespace_ \
                and doc[start - 2].lower_ not in ARTICLES and doc[start - 2].is_alpha and doc[start - 2].is_title:
            return True
    if end - start == 1 and end < len(doc) and doc[end].lower_ in NAME_PARTICLES - {"abu", "abd", "abdul", "abdel"}:
        return True
    return False


def _hyphen_cut(doc, end: int) -> bool:
    """The name runs on through a hyphen into a capitalised word ("Guinea" in "Guinea-Bissau")."""
    return end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ \
        and not doc[end].whitespace_ and doc[end + 1].is_title


def _national_body(doc, start: int, end: int) -> bool:
    """An international body's name made of common words ("Security Council", "Red Crescent") used
    for a national body: part of a longer capitalised name ("Supreme National Security Council",
    "Kuwait Red Crescent"), or owned by a country ("Iran's Security Council", "the Security
    Council of Kyrgyzstan")."""
    first = start + 1 if doc[start].lower_ == "the" else start
    words = [t for t in doc[first:end] if t.is_alpha]
    if len(words) < 2 or any(t.is_upper for t in words) or any(w in doc[start:end].text for w in UN_WORDS):
        return False  # an acronym ("Turkey's NATO allies") or a UN name is the body itself
    if first > 0:
        before = doc[first - 1]
        if before.is_title and before.pos_ in ("PROPN", "ADJ") and before.lower_ not in ("the", "un") \
                and not before.is_sent_start:
            return True  # "Supreme National Security Council", "Russian Security Council"
        if before.tag_ == "POS" or before.lower_ in ("'s", "’s"):
            return True  # "Iran's Security Council"
    return end + 1 < len(doc) and doc[end].lower_ == "of" and (doc[end + 1].ent_type_ == "GPE" or (
        doc[end + 1].is_title and doc[end + 1].text not in UN_WORDS and doc[end + 1].text != "United"))


def _usable_surname(surname: str) -> bool:
    return len(surname) >= 4 and surname[:1].isupper() and surname.replace("-", "").replace("'", "").isalpha() \
        and not surname.isupper() and surname not in WORD_SURNAMES


def _hyphenated(leader) -> list[str]:
    """ "Kim Jong Il" is also written "Kim Jong-il" (East Asian given names)."""
    parts = leader.name.split()
    if leader.country not in FAMILY_FIRST or len(parts) != 3:
        return []
    return [f"{parts[0]} {parts[1]}-{parts[2].lower()}", f"{parts[0]} {parts[1]}-{parts[2]}"]


def _article_variants(name: str) -> list[str]:
    """ "Omar al-Bashir" is also "Omar El Bashir", "Omar Al-Bashir", "Omar Bashir"."""
    words = name.split()
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        if low.startswith(("al-", "el-")) and len(w) > 4:
            rest = w[3:]
            for form in (f"El {rest}", f"Al-{rest}", f"al {rest}", f"Al {rest}", rest):
                out.append(" ".join(words[:i] + [form] + words[i + 1:]))
    return out
