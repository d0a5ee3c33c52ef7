"""The column layouts of GDELT 2.0's event table and of POLECAT, so that tieline's records load
with the code people already have for those datasets (issue 13).

``gdelt`` writes one row per de-duplicated event (a cluster, with its report, source and record
counts in NumArticles, NumSources and NumMentions) and per pair of its parties' members (a
compound actor is one row per member pair, as GDELT has one actor a side), tab-separated
without a header as GDELT's files are:

* ``GLOBALEVENTID`` from the record's id, below 2^53 so that R, JavaScript and Excel keep it;
* actor codes that are CAMEO's: a country and a sector (``IRNGOV``), an organisation's CAMEO
  code (``IGOUNO``, from tieline/data/organization_cameo.csv) with its ``KnownGroupCode``
  (``UNO``); a sector CAMEO has no code for (PLOVER's ``UNK``) is left out, never written;
* ``FractionDate`` as GDELT computes it, YEAR + (MONTH * 30 + DAY) / 365;
* geography: ``Type`` 0 where there is no place, 1 a country, 3 a US town, 4 another town;
  ``ADM1Code`` the FIPS code of the country and of the town's region (GeoNames' admin1 code),
  ``FeatureID`` the town's GeoNames id;
* ``SOURCEURL`` the story's address when it is a web address, else empty.

``polecat`` writes one row per record with POLECAT's header, ``Event Date`` a full date in
every row (the first day of a coarser date; ``Date Precision``, added at the end, says which),
GeoNames ids and GeoNames feature codes (PCLI a country, ADM1 a region, PPLC a capital, PPL a
town).

Records a layout cannot hold (negated events, events without a day) are left out and counted by
reason in ``skipped``. Columns tieline has no value for (tone, religion and ethnic codes,
Wikipedia ids) are left empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tieline.about import __version__
from tieline.csvfile import write_csv
from tieline.fetch import is_web_url
from tieline.lexicon import Lexicon, default_lexicon
from tieline.partial_date import first_day
from tieline.query.exports import gdelt_rows, polecat_rows
from tieline.states import cow_number
from tieline.store import Store, event_day
from tieline.types import Member, Party

GDELT_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
GDELT_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
               "Type1Code", "Type2Code", "Type3Code")
GDELT_COLUMNS = (("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate")
                 + tuple(f"Actor1{c}" for c in GDELT_ACTOR) + tuple(f"Actor2{c}" for c in GDELT_ACTOR)
                 + ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
                    "NumMentions", "NumSources", "NumArticles", "AvgTone")
                 + tuple(f"{who}Geo_{c}" for who in ("Actor1", "Actor2", "Action") for c in GDELT_GEO)
                 + ("DATEADDED", "SOURCEURL"))
POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Event Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name", "Recipient Country", "Recipient COW",
    "Primary Recipient Sector", "Recipient Sectors", "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID",
    "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID", "Raw Placename",
    "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations", "Story Locations",
    "Language", "Version", "Date Precision")
QUAD_NAMES = {1: "VERBAL COOPERATION", 2: "MATERIAL COOPERATION", 3: "VERBAL CONFLICT", 4: "MATERIAL CONFLICT"}
LEAD_CHARS = 600  # without a paragraph break, the lead is taken as this many characters
ID_HEX_DIGITS = 13  # 52 bits: every GLOBALEVENTID is below 2^53
# CAMEO's actor type codes: a sector outside them (PLOVER's UNK, PRE, SOC...) gets no code
CAMEO_TYPES = frozenset("COP GOV INS JUD MIL OPP PTY REB SEP SPY UAF AGR BUS CRM CVL DEV EDU ELI ENV HLH HRI LAB "
                        "LEG MED REF MOD RAD".split())
# The three-letter parts of a CAMEO organisation code that name a region or a kind rather than
# the group (IGO WST NAT: the group is NAT, NATO)
CAMEO_REGIONS = frozenset("AFR ASA BLK CAF CAS CRB EAF EEU EUR LAM MDT MEA NAF NMR PGS SAF SAM SAS SEA WAF WST "
                          "MOS CHR JEW BUD HIN".split())
SKIPPED = {"negated": "negated", "no day": "no day (dated less precisely than a day, and not published in it)",
           "undated": "no date and no publication date"}


def _lead_end(text: str) -> int:
    """Where a story's lead paragraph ends: GDELT flags events there as root events."""
    start = len(text) - len(text.lstrip())
    cut = text.find("\n\n", start + 1)
    return cut if cut > 0 else start + LEAD_CHARS


@lru_cache(maxsize=1)
def organization_codes() -> dict[str, str]:
    """{organisation abbreviation (upper case): its CAMEO actor code} (organization_cameo.csv,
    derived from the Phoenix international actors dictionary by scripts/build_cameo_groups.py)."""
    text = resources.files("tieline").joinpath("data/organization_cameo.csv").read_text(encoding="utf-8")
    return {row["abbrev"].upper(): row["cameo"] for row in csv.DictReader(io.StringIO(text))}


def known_group(code: str) -> str:
    """The KnownGroupCode of a CAMEO organisation code: its last part naming a group, not a region
    or a kind (IGOWSTNAT: NAT; IGOUNO: UNO; NGODEV: none)."""
    parts = [code[i:i + 3] for i in range(3, len(code), 3)]
    return next((p for p in reversed(parts) if p not in CAMEO_REGIONS and p not in CAMEO_TYPES), "")


def gdelt_actor(member: Member | None) -> list[str]:
    """GDELT's ten actor columns of one member."""
    if member is None:
        return [""] * len(GDELT_ACTOR)
    kind = member.type if member.type in CAMEO_TYPES else ""
    organisation = organization_codes().get((member.abbrev or "").upper()) if member.abbrev else None
    if organisation:
        return [organisation, (member.name or "").upper(), member.country or "", known_group(organisation), "", "",
                "", organisation[:3], "", ""]
    country = member.country or ""
    return [country + kind if country else kind, (member.name or "").upper(), country, "", "", "", "", kind, "", ""]


def names_a_country(location: dict[str, Any], country: Any) -> bool:
    """Whether a record's location is its country as a whole (not a town or region of it)."""
    return country is not None and location.get("name") == country.name and not location.get("geonameid")


def gdelt_geo(location: dict[str, Any] | None, lexicon: Lexicon) -> list[Any]:
    """GDELT's eight geography columns of a record's location (Type 0 without one)."""
    if not location or not location.get("name"):
        return [0, *([""] * (len(GDELT_GEO) - 1))]
    country = lexicon.countries_by_iso3.get(location.get("country") or "")
    fips = country.fips if country else ""
    is_country = names_a_country(location, country)
    kind = 1 if is_country else (3 if location.get("country") == "USA" else 4)
    full = location["name"] if is_country or country is None else \
        ", ".join(filter(None, (location["name"], location.get("admin1"), country.name)))
    region = (location.get("admin1_code") or "").partition(".")[2]
    adm1 = fips if is_country else (fips + region if fips and region else "")
    lat, lon = location.get("lat"), location.get("lon")
    return [kind, full, fips, adm1, "", "" if lat is None else f"{lat:.4f}", "" if lon is None else f"{lon:.4f}",
            location.get("geonameid") or (fips if is_country else "")]


def fraction_date(day: dt.date) -> str:
    """GDELT's FractionDate: YEAR + (MONTH * 30 + DAY) / 365, to four places."""
    return f"{day.year + (day.month * 30 + day.day) / 365:.4f}"


def event_number(event_id: str, pair: int) -> int:
    """A GLOBALEVENTID below 2^53: the record id's first 52 bits for its first member pair, a
    hash of id and pair for the others."""
    key = event_id if pair == 0 else hashlib.sha1(f"{event_id}#{pair}".encode()).hexdigest()
    return int(key[:ID_HEX_DIGITS], 16)


def write_gdelt(store: Store, path: Path, *, since: str | None = None, until: str | None = None,
                min_confidence: float | None = None, skipped: Counter[str] | None = None) -> int:
    """GDELT 2.0 event-table rows, one per cluster (or per record where no clustering was run)
    and member pair; returns how many rows. Records left out are counted in ``skipped``."""
    lexicon = default_lexicon()
    skipped = skipped if skipped is not None else Counter()
    found = gdelt_rows(store, since, until, min_confidence)  # before the file is opened: a failed read leaves no file

    def rows() -> Iterator[list[Any]]:
        for record_json, published, url, text, coded_at, mentions, sources, articles in found:
            record = json.loads(record_json)
            if record.get("negated"):
                skipped[SKIPPED["negated"]] += 1
                continue
            day = event_day(record.get("date"), published)
            if day is None:
                skipped[SKIPPED["no day"]] += 1
                continue  # GDELT rows need a day
            cameo = record.get("cameo") or ""
            goldstein = lexicon.cameo.get(cameo, lexicon.cameo.get(cameo[:3], ("", None)))[1]
            start = (record.get("spans") or {}).get("sentence", [0, 0])[0]
            actor, recipient = Party.from_json(record.get("actor")), Party.from_json(record.get("recipient"))
            pairs = [(a, r) for a in (actor.members if actor else (None,))
                     for r in (recipient.members if recipient else (None,))]
            for n, (a, r) in enumerate(pairs):
                yield [
                    event_number(record["event_id"], n), day.strftime("%Y%m%d"), day.strftime("%Y%m"), day.year,
                    fraction_date(day), *gdelt_actor(a), *gdelt_actor(r), 1 if start < _lead_end(text) else 0,
                    cameo, cameo[:3], cameo[:2], record.get("quad") or "", "" if goldstein is None else goldstein,
                    mentions, sources, articles, "", *gdelt_geo(None, lexicon), *gdelt_geo(None, lexicon),
                    *gdelt_geo(record.get("location"), lexicon), coded_at.strftime("%Y%m%d%H%M%S"),
                    url if is_web_url(url) else "",
                ]

    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(rows(), out, delimiter="\t", lineterminator="\n", quote=False)


def feature_code(location: dict[str, Any], lexicon: Lexicon) -> str:
    """The GeoNames feature code of a record's location, as POLECAT writes it."""
    country = lexicon.countries_by_iso3.get(location.get("country") or "")
    if location.get("geonameid"):
        return "PPLC" if country is not None and country.capital == location.get("name") else "PPL"
    if names_a_country(location, country):
        return "PCLI"
    return "ADM1"


def write_polecat(store: Store, path: Path, *, since: str | None = None, until: str | None = None,
                  min_confidence: float | None = None, skipped: Counter[str] | None = None) -> int:
    """POLECAT-layout rows, one per record, with POLECAT's header. A party of a state of the
    past (the Soviet Union in 1987) has that state's COW number. Records left out are counted
    in ``skipped``."""
    lexicon = default_lexicon()
    countries = lexicon.countries_by_iso3
    skipped = skipped if skipped is not None else Counter()

    def party(value: Any) -> list[str]:
        found = Party.from_json(value)
        members = found.members if found is not None else ()

        def joined(key: str) -> str:
            return "; ".join(str(getattr(m, key) or "") for m in members)

        cow = "; ".join(cow_number(m, lexicon) for m in members)
        sector = members[0].type or "" if members else ""
        return [joined("name"), joined("country"), cow if cow.strip("; ") else "", sector, joined("type"), "",
                joined("text"), ""]

    found = polecat_rows(store, since, until, min_confidence)  # before the file is opened: a failed read leaves none

    def rows() -> Iterator[list[Any]]:
        for record_json, published, source in found:
            record = json.loads(record_json)
            if record.get("negated"):
                skipped[SKIPPED["negated"]] += 1
                continue
            day = event_day(record.get("date"), published)
            precision = "day" if day is not None else record.get("date_precision")
            day = day or first_day(record.get("date")) or published
            if day is None:
                skipped[SKIPPED["undated"]] += 1
                continue
            if not record.get("date"):
                precision = "publication day"
            location = record.get("location") or {}
            country = countries.get(location.get("country") or "")
            town = location.get("name") if location.get("geonameid") else ""
            yield [
                record["event_id"], day.isoformat(), record["event"], record.get("mode") or "", record.get("score"),
                QUAD_NAMES.get(record.get("quad") or 0, ""), "; ".join(record.get("contexts") or []),
                *party(record.get("actor")), *party(record.get("recipient")),
                location.get("name") or "", town, "", location.get("admin1") or "",
                country.name if country else "", location.get("lat") or "", location.get("lon") or "",
                location.get("geonameid") or "", location.get("name") or "",
                feature_code(location, lexicon) if location.get("name") else "",
                source or "", published.isoformat() if published else "", "", "", "", "en", f"tieline {__version__}",
                precision or "",
            ]

    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(rows(), out, columns=POLECAT_COLUMNS, delimiter="\t", lineterminator="\n")

