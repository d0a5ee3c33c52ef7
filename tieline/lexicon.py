"""The one loader of tieline's data tables (``tieline/data``).

Each table has a name, a file and columns; rows load lazily on first use and are cached.
A malformed row raises :class:`LexiconError` naming the table and row. Only this module knows
file names and columns; other modules ask for typed rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from tieline.errors import LexiconError
from tieline.types import Location

SECTOR_CODES = frozenset("COP GOV JUD LEG MIL PRM PTY REB SPY UAF UNK AGR BUS CRM CVL EDU ELI JRN LAB MED REF OPP PRE "
                         "REL SOC IGO NGO".split())
EVENT_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
PARTICLES = frozenset("""about above across after against ahead along alongside among apart around as aside at away back before
    behind below beside between beyond by down for forth from in inside into of off on onto out outside over past through
    throughout to together toward towards under up upon with within without""".split())  # "step down", "work with"


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    name: str
    aliases: tuple[str, ...]
    adjectives: tuple[str, ...]
    capital: str
    lat: float | None
    lon: float | None
    fips: str = ""  # FIPS 10-4 code, as GDELT's geography columns use
    cow: str = ""  # Correlates of War state number, as POLECAT uses
    other_capitals: tuple[str, ...] = ()  # former capitals, seats of government: "Peking said"


@dataclass(frozen=True)
class HistoricalState:
    """A state of the past a country of today was part of until a day (historical_states.csv);
    ``named``: meant only when the text names it (East Germany), not for every ``member``."""

    code: str
    name: str
    cow: str
    member: str
    until: dt.date
    named: bool
    names: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    lat: float
    lon: float
    population: int
    feature: str
    geonameid: str = ""  # GeoNames id of a town
    admin1: str = ""  # GeoNames' code of its first-level administrative region
    admin1_name: str = ""  # and that region's English name


@dataclass(frozen=True)
class Organization:
    abbrev: str
    name: str
    aliases: tuple[str, ...]
    type: str
    country: str | None


@dataclass(frozen=True)
class Metonym:
    phrase: str
    country: str
    type: str
    name: str


@dataclass(frozen=True)
class Leader:
    name: str
    aliases: tuple[str, ...]
    country: str
    type: str
    role: str
    start: dt.date | None
    end: dt.date | None
    source: str = "leaders.csv"

    def holds_office(self, day: dt.date | None) -> bool:
        """True when the person held this post on ``day`` (every post when ``day`` is None)."""
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class TriggerPattern:
    """One row of triggers.csv: a verb (or event noun) with what must go with it."""

    head: frozenset[str]  # lemmas of the verb, or of the noun when ``noun`` is True
    noun: bool
    objects: frozenset[str]  # required object lemmas (empty: none required)
    particles: frozenset[str]  # required particle / preposition (empty: none required)
    event: str
    mode: str | None
    cameo: str
    requires: str
    row: int
    table: str = "triggers.csv"

    @property
    def rule(self) -> str:
        head = "|".join(sorted(self.head))
        parts = [("*" if self.noun else "") + head]
        if self.particles:
            parts.append("|".join(sorted(self.particles)))
        if self.objects:
            parts.append("*" + "|".join(sorted(self.objects)))
        return f"{Path(self.table).name}:{self.row} " + " ".join(parts)


@dataclass(frozen=True)
class EventType:
    name: str
    quad: int
    score: float
    cameo: str
    symmetric: bool = False  # "A met B" is "B met A": reports may name the parties either way
    placed: bool = False  # where it happens tells two events apart (a strike on Syria, one on Iraq)
    aimed: bool = False  # done to someone: a statement, a meeting or a sanction has a recipient; a resignation need not


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (cell or "").split("|") if v.strip())


def _float(cell: str | None, table: str, row: int) -> float | None:
    if cell is None or not cell.strip():
        return None
    try:
        return float(cell)
    except ValueError as exc:
        raise LexiconError(f"not a number: {cell!r}", table=table, row=row) from exc


def _date(cell: str | None, table: str, row: int) -> dt.date | None:
    if cell is None or not cell.strip():
        return None
    try:
        return dt.date.fromisoformat(cell.strip())
    except ValueError as exc:
        raise LexiconError(f"not a date (YYYY-MM-DD): {cell!r}", table=table, row=row) from exc


def read_table(name: str, text: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV table as (line number, row); lines starting with '#' are comments."""
    kept = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise LexiconError("empty table", table=name)
    reader = csv.reader(io.StringIO("\n".join(line for _, line in kept)))
    header = next(reader)
    missing = [c for c in required if c not in header]
    if missing:
        raise LexiconError(f"missing columns {missing}", table=name, row=kept[0][0])
    for (number, _), values in zip(kept[1:], reader):
        if len(values) != len(header):
            raise LexiconError(f"expected {len(header)} cells, found {len(values)}", table=name, row=number)
        row = dict(zip(header, values))
        if required and not row[required[0]].strip():  # the first column names the row
            raise LexiconError(f"empty {required[0]}", table=name, row=number)
        yield number, row


def _yaml_cell(value: object) -> str:
    """A YAML value as the CSV cell it stands for: a list is joined with |."""
    return "|".join(str(v) for v in value) if isinstance(value, list) else "" if value is None else str(value)


def _package_text(filename: str) -> str:
    try:
        return (resources.files("tieline") / "data" / filename).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read built-in table: {exc}", table=filename) from exc


@dataclass(frozen=True)
class UserActor:
    """An actor from a user dictionary; it takes precedence over the built-in tables."""

    name: str
    aliases: tuple[str, ...]
    country: str | None
    type: str
    abbrev: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def read_user_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a user dictionary, CSV or YAML (a list of mappings), with their line or item numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read: {exc}", table=str(path)) from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise LexiconError(f"malformed YAML: {exc}", table=str(path)) from exc
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise LexiconError("expected a list of entries", table=str(path))
        return [(number, {str(key): _yaml_cell(value) for key, value in item.items()}) for number, item in enumerate(data, 1)]
    header_first = text.lstrip().split("\n", 1)[0]
    required = tuple(c.strip() for c in header_first.split(","))
    return [(n, {k: (v or "") for k, v in r.items()}) for n, r in read_table(str(path), text, required)]


class Lexicon:
    """All data tables, loaded on first use, with user dictionaries laid on top.

    Args:
        data_dir: a folder whose tables replace the built-in ones of the same file name.
        user_actors: CSV or YAML files of extra actors (name, aliases, country, type, abbrev,
            valid_from, valid_to); they take precedence over the built-in tables.
        user_triggers: CSV or YAML files of extra trigger phrases (the columns of triggers.csv;
            mode, cameo and requires optional); they are tried before the built-in ones.
    """

    def __init__(self, data_dir: str | Path | None = None, *, user_actors: Sequence[str | Path] = (),
                 user_triggers: Sequence[str | Path] = ()) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.user_actor_files = tuple(Path(p) for p in user_actors)
        self.user_trigger_files = tuple(Path(p) for p in user_triggers)

    @cached_property
    def user_actors(self) -> tuple[UserActor, ...]:
        out = []
        for path in self.user_actor_files:
            table = str(path)
            for n, r in read_user_rows(path):
                name = r.get("name", "").strip()
                if not name:
                    raise LexiconError("entry without a name", table=table, row=n)
                kind = (r.get("type") or "GOV").strip().upper()
                if kind not in SECTOR_CODES:
                    raise LexiconError(f"unknown type {kind!r}", table=table, row=n)
                country = (r.get("country") or "").strip().upper() or None
                if country is not None and (len(country) != 3 or not country.isalpha()):
                    raise LexiconError(f"country must be an ISO 3166 alpha-3 code, not {country!r}", table=table, row=n)
                out.append(UserActor(name, _split(r.get("aliases")), country, kind,
                                     (r.get("abbrev") or "").strip() or None,
                                     _date(r.get("valid_from"), table, n), _date(r.get("valid_to"), table, n)))
        return tuple(out)

    def _rows(self, filename: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
        if self.data_dir is not None and (self.data_dir / filename).is_file():
            path = self.data_dir / filename
            return read_table(str(path), path.read_text(encoding="utf-8"), required)
        return read_table(filename, _package_text(filename), required)

    @cached_property
    def countries(self) -> tuple[Country, ...]:
        out = []
        for n, r in self._rows("countries.csv", ("iso3", "iso2", "name", "aliases", "adjectives", "capital", "lat", "lon")):
            out.append(Country(r["iso3"], r["iso2"], r["name"], _split(r["aliases"]), _split(r["adjectives"]),
                               r["capital"], _float(r["lat"], "countries.csv", n), _float(r["lon"], "countries.csv", n),
                               r.get("fips", ""), r.get("cow", ""), _split(r.get("other_capitals", ""))))
        return tuple(out)

    @cached_property
    def historical_states(self) -> tuple[HistoricalState, ...]:
        out = []
        table = "historical_states.csv"
        for n, r in self._rows(table, ("code", "name", "cow", "member", "until", "named", "names")):
            until = _date(r["until"], table, n)
            if until is None:
                raise LexiconError("a historical state needs the last day it existed", table=table, row=n)
            out.append(HistoricalState(r["code"], r["name"], r["cow"], r["member"], until,
                                       r["named"].strip().lower() == "yes", _split(r["names"])))
        return tuple(out)

    @cached_property
    def countries_by_iso3(self) -> dict[str, Country]:
        return {c.iso3: c for c in self.countries}

    @cached_property
    def places(self) -> tuple[Place, ...]:
        out = []
        for n, r in self._rows("places.csv", ("name", "country", "lat", "lon", "population", "feature")):
            lat = _float(r["lat"], "places.csv", n)
            lon = _float(r["lon"], "places.csv", n)
            if lat is None or lon is None:
                raise LexiconError("place without coordinates", table="places.csv", row=n)
            out.append(Place(r["name"], r["country"], lat, lon, int(float(r["population"] or 0)), r["feature"],
                             r.get("geonameid") or "", r.get("admin1") or "", r.get("admin1_name") or ""))
        return tuple(out)

    def location_of(self, place: Place) -> Location:
        """The location of a place of the gazetteer: a town's with its region and GeoNames id."""
        country = self.countries_by_iso3.get(place.country)
        code = f"{country.iso2}.{place.admin1}" if country is not None and country.iso2 and place.admin1 else None
        town = (place.admin1_name or None, code, int(place.geonameid)) if place.geonameid else ()
        return Location(place.name, place.country, place.lat, place.lon, *town)

    @cached_property
    def organizations(self) -> tuple[Organization, ...]:
        out = []
        for n, r in self._rows("organizations.csv", ("abbrev", "name", "aliases", "type", "country")):
            if r["type"] not in SECTOR_CODES:
                raise LexiconError(f"unknown type {r['type']!r}", table="organizations.csv", row=n)
            out.append(Organization(r["abbrev"], r["name"], _split(r["aliases"]), r["type"], r["country"] or None))
        return tuple(out)

    @cached_property
    def metonyms(self) -> tuple[Metonym, ...]:
        return tuple(Metonym(r["phrase"], r["country"], r["type"], r["name"])
                     for _, r in self._rows("metonyms.csv", ("phrase", "country", "type", "name")))

    @cached_property
    def agents(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for n, r in self._rows("agents.csv", ("term", "type")):
            if r["type"] not in SECTOR_CODES:
                raise LexiconError(f"unknown type {r['type']!r}", table="agents.csv", row=n)
            out[r["term"].strip().lower()] = r["type"]
        return out

    @cached_property
    def leaders(self) -> tuple[Leader, ...]:
        """Office holders with dates: leaders.csv (to about 2014) and leaders_current.csv (a later
        snapshot of heads of state and government)."""
        out = []
        for table in ("leaders.csv", "leaders_current.csv"):
            for n, r in self._rows(table, ("name", "aliases", "country", "type", "role", "start", "end")):
                out.append(Leader(r["name"], _split(r["aliases"]), r["country"], r["type"] or "GOV", r["role"],
                                  _date(r["start"], table, n), _date(r["end"], table, n), table))
        return tuple(out)

    @cached_property
    def event_types(self) -> dict[str, EventType]:
        out = {}
        for n, r in self._rows("events.csv", ("event", "quad", "score", "cameo")):
            score = _float(r["score"], "events.csv", n)
            out[r["event"]] = EventType(r["event"], int(r["quad"]), score or 0.0, r["cameo"],
                                        r.get("symmetric", "no").strip().lower() == "yes",
                                        r.get("placed", "no").strip().lower() == "yes",
                                        r.get("aimed", "no").strip().lower() == "yes")
        if set(out) != set(EVENT_TYPES):
            raise LexiconError(f"event types differ from PLOVER's 16: {sorted(set(out) ^ set(EVENT_TYPES))}", table="events.csv")
        return out

    @cached_property
    def modes(self) -> dict[tuple[str, str], tuple[float, str]]:
        out = {}
        for n, r in self._rows("modes.csv", ("event", "mode", "score", "cameo")):
            out[(r["event"], r["mode"])] = (_float(r["score"], "modes.csv", n) or 0.0, r["cameo"])
        return out

    @cached_property
    def cameo(self) -> dict[str, tuple[str, float]]:
        out = {}
        for n, r in self._rows("cameo.csv", ("code", "label", "goldstein")):
            out[r["code"]] = (r["label"], _float(r["goldstein"], "cameo.csv", n) or 0.0)
        return out

    @cached_property
    def triggers(self) -> tuple[TriggerPattern, ...]:
        """User trigger rows first (they win), then the built-in ones."""
        out = []
        for path in self.user_trigger_files:
            for n, r in read_user_rows(path):
                out.append(self._trigger(r, str(path), n, user=True))
        for n, r in self._rows("triggers.csv", ("pattern", "event", "mode", "cameo", "requires")):
            out.append(self._trigger(r, "triggers.csv", n))
        return tuple(out)

    def _trigger(self, r: dict[str, str], table: str, n: int, *, user: bool = False) -> TriggerPattern:
        words = (r.get("pattern") or "").split()
        event = (r.get("event") or "").strip().upper()
        if not words:
            raise LexiconError("empty pattern", table=table, row=n)
        if event not in EVENT_TYPES:
            raise LexiconError(f"unknown event {event!r}", table=table, row=n)
        first, rest = words[0], words[1:]
        objects: set[str] = set()
        particles: set[str] = set()
        for w in rest:
            (objects if w.startswith("*") else particles).update(_split(w.lstrip("*")))
        if particles - PARTICLES:  # "*envoy|prime minister|king": a space ended the object list
            raise LexiconError(f"{', '.join(sorted(particles - PARTICLES))}: a bare word after the verb must be a "
                               "particle or preposition (two-word objects take _: *prime_minister)", table=table, row=n)
        requires = (r.get("requires") or "").strip()
        if requires not in ("", "pair", "recipient", "complement", "negative", "obligation", "statement", "aim"):
            raise LexiconError(f"unknown requirement {requires!r}", table=table, row=n)
        mode = (r.get("mode") or "").strip() or None
        cameo = (r.get("cameo") or "").strip()
        if user and not cameo:
            cameo = self.modes[(event, mode)][1] if mode and (event, mode) in self.modes else self.event_types[event].cameo
        if user and cameo not in self.cameo:
            raise LexiconError(f"unknown CAMEO code {cameo!r}", table=table, row=n)
        heads = frozenset(h.replace("_", " ") for h in _split(first.lstrip("*")))
        return TriggerPattern(heads, first.startswith("*"), frozenset(objects),
                              frozenset(particles), event, mode, cameo, requires, n, table)

    @cached_property
    def recodings(self) -> dict[tuple[str, str], tuple[str, str | None, str]]:
        """recodings.csv: (rule, the trigger's event or ``*``) -> (event, mode, CAMEO code) written.
        A row without a CAMEO code takes the mode's code from modes.csv."""
        out: dict[tuple[str, str], tuple[str, str | None, str]] = {}
        for n, r in self._rows("recodings.csv", ("rule", "from", "event", "mode", "cameo")):
            event, mode, cameo = r["event"], r["mode"] or None, r["cameo"]
            if event not in self.event_types or (r["from"] != "*" and r["from"] not in self.event_types):
                raise LexiconError(f"unknown event type in {r['from']!r} -> {event!r}", table="recodings.csv", row=n)
            if not cameo:
                if mode is None or (event, mode) not in self.modes:
                    raise LexiconError(f"no CAMEO code, and no mode {event}/{mode} in modes.csv",
                                       table="recodings.csv", row=n)
                cameo = self.modes[(event, mode)][1]
            out[(r["rule"], r["from"])] = (event, mode, cameo)
        return out

    def recode(self, rule: str, event: str) -> tuple[str, str | None, str]:
        """What ``rule`` of recodings.csv makes of a trigger's ``event``: (event, mode, CAMEO)."""
        found = self.recodings.get((rule, event)) or self.recodings.get((rule, "*"))
        if found is None:
            raise LexiconError(f"no row for rule {rule!r} and event {event!r}", table="recodings.csv")
        return found

    @cached_property
    def light_verbs(self) -> dict[str, frozenset[str]]:
        roles: dict[str, set[str]] = {"object": set(), "subject": set()}
        for n, r in self._rows("light_verbs.csv", ("lemma", "role")):
            if r["role"] not in roles:
                raise LexiconError(f"unknown role {r['role']!r}", table="light_verbs.csv", row=n)
            roles[r["role"]].add(r["lemma"])
        return {k: frozenset(v) for k, v in roles.items()}

    @cached_property
    def contexts(self) -> dict[str, str]:
        return {r["term"].lower(): r["context"] for _, r in self._rows("contexts.csv", ("term", "context"))}

    @cached_property
    def discards(self) -> dict[str, bool]:
        """Off-topic words (sport, entertainment, markets), each mapped to whether it alone takes a sentence out."""
        return {term: strong for term, (domain, strong) in self._discard_rows.items() if domain != "hazard"}

    @cached_property
    def hazards(self) -> frozenset[str]:
        """Disasters and diseases: what kills without being an attacker."""
        return frozenset(term for term, (domain, _) in self._discard_rows.items() if domain == "hazard")

    @cached_property
    def _discard_rows(self) -> dict[str, tuple[str, bool]]:
        out = {}
        for n, r in self._rows("discards.csv", ("term", "domain", "sentence")):
            if r["sentence"] not in ("yes", "no"):
                raise LexiconError(f"sentence must be yes or no, not {r['sentence']!r}", table="discards.csv", row=n)
            out[r["term"].lower()] = (r["domain"], r["sentence"] == "yes")
        return out

    @cached_property
    def fields(self) -> dict[str, str]:
        return {r["term"].lower(): r["field"] for _, r in self._rows("fields.csv", ("term", "field"))}

    @cached_property
    def context_names(self) -> list[str]:
        """The PLOVER contexts the tables can give an event, sorted (for filters and pick lists)."""
        return sorted(set(self.contexts.values()))

    @cached_property
    def field_names(self) -> list[str]:
        """The fields of cooperation the tables can give an event, sorted."""
        return sorted(set(self.fields.values()))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The built-in tables (shared, loaded lazily)."""
    return Lexicon()
