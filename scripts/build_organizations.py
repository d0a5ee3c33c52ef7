"""Build tieline/data/organizations.csv (abbrev,name,aliases,type,country).

Sources:
  * scripts/organizations_hand.csv (hand-written, tieline's own data): IGOs, NGOs and
    well-known armed groups, parties and security agencies;
  * Phoenix.MilNonState.actors.txt (openeventdata/petrarch2, MIT; names originally
    from the START TOPS list): extra spellings of the hand-written groups, and further
    non-state armed groups whose dictionary name carries a parenthesised acronym,
    e.g. ``LASHKAR-E-TAIBA_(LET)_ [SASREB]``.

Usage: python -m scripts.build_organizations [SHARED_DIR]
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from scripts._common import DATA, fold, join, read_hand_csv, shared_arg, split, write_csv
from scripts._tabari import parse_actor_file, smart_title

HEADER = ["abbrev", "name", "aliases", "type", "country"]
TYPES = {"IGO", "NGO", "REB", "PTY", "GOV", "MIL", "PRM", "SPY", "COP", "OPP", "UAF", "CRM", "BUS"}
ORG_WORDS = re.compile(
    r"\b(army|front|movement|brigades?|organi[sz]ation|party|group|forces?|council|league|"
    r"union|command|nuclei|nucleus|cells?|faction|tigers|guerrillas?|commandos?|jihad|"
    r"jaish|jaysh|lashkar|harakat|jabhat|kataib|ansar|tanzim|hizb|mujahid\w*|mujahed\w*|"
    r"militia|resistance|liberation|revolutionary|islamic|brotherhood|alliance|committee|"
    r"squads?|battalions?|legion|martyrs|front)\b",
    re.I,
)
# parenthesised acronyms that are ordinary words or too ambiguous to use
BAD_ACRONYMS = {"CAR", "ELF", "ALF", "ANA", "ISA", "JUM", "ERG", "NAA", "CRF"}


GENERIC = {
    "army", "front", "movement", "brigade", "brigades", "organization", "organisation",
    "party", "group", "forces", "force", "council", "league", "union", "islamic",
    "liberation", "national", "revolutionary", "people's", "peoples", "democratic",
    "popular", "republican", "united", "state", "jihad", "mujahideen", "battalions",
    "committee", "resistance", "martyrs", "free", "world",
}


def key(s: str) -> str:
    """Matching key: accent/case-folded, punctuation dropped, hyphens as spaces."""
    s = re.sub(r"[-/]", " ", fold(s))
    return re.sub(r"\s+", " ", re.sub(r"[^\w ]", "", s)).strip()


def tokens(s: str) -> set[str]:
    return {t for t in re.split(r"[\s\-/]+", fold(s)) if len(t) >= 4 and t not in GENERIC}


def similar(alias: str, known: list[str]) -> bool:
    """Is `alias` a spelling variant of one of `known` (shares a distinctive word or
    is a close string match)?"""
    from difflib import SequenceMatcher
    at = tokens(alias)
    for k in known:
        if at & tokens(k):
            return True
        if SequenceMatcher(None, fold(alias), fold(k)).ratio() >= 0.8:
            return True
    return False


def sane(alias: str) -> bool:
    if "+" in alias or alias.count("(") != alias.count(")"):
        return False
    return len(alias.split()) >= 2 or re.fullmatch(r"[A-Z][A-Z0-9-]{2,}", alias) is not None


def clean_phrase(raw: str) -> tuple[str, list[str]]:
    """'ADEN_ABYAN_ISLAMIC_ARMY_(AAIA)_' -> ('Aden Abyan Islamic Army', ['AAIA'])."""
    acr = re.findall(r"\(([^)]*)\)", raw)
    text = re.sub(r"\([^)]*\)", " ", raw)
    text = re.sub(r"[_\s]+", " ", text).strip(" _+-")
    return smart_title(text), acr


def build(gaz: Path) -> list[list[str]]:
    with open(DATA / "countries.csv", encoding="utf-8", newline="") as fh:
        countries = list(csv.DictReader(fh))
    iso3 = {r["iso3"] for r in countries}
    country_words = {fold(n) for r in countries for n in [r["name"], *split(r["aliases"])]}

    orgs: dict[str, dict] = {}
    index: dict[str, str] = {}  # folded name/alias/abbrev -> abbrev
    for row in read_hand_csv("organizations_hand.csv"):
        ab = row["abbrev"]
        if ab in orgs:
            sys.exit(f"organizations_hand.csv: duplicate abbrev {ab}")
        if row["type"] not in TYPES or (row["country"] and row["country"] not in iso3):
            sys.exit(f"organizations_hand.csv: bad type/country in {row}")
        orgs[ab] = {"name": row["name"], "aliases": split(row["aliases"]),
                    "type": row["type"], "country": row["country"]}
        for n in [ab, row["name"], *split(row["aliases"])]:
            index.setdefault(key(n), ab)

    groups = parse_actor_file(gaz / "petrarch2_dictionaries" / "Phoenix.MilNonState.actors.txt")
    new: list[tuple[str, dict]] = []
    seen_acronyms: dict[str, int] = {}
    for g in groups:
        names, acronyms = [], []
        for raw in g.names:
            n, acr = clean_phrase(raw)
            if n and (ORG_WORDS.search(n) or raw == g.names[0]):
                names.append(n)
            acronyms += [a for a in acr if re.fullmatch(r"[A-Z][A-Z0-9-]{2,5}", a)]
        if not names:
            continue
        # enrich a hand-written organisation matched by the entry's primary name or
        # acronym, with the entry's spellings that are variants of the known names
        primary_name, primary_acr = clean_phrase(g.names[0])
        hit = next((index[key(x)] for x in [primary_name, *primary_acr] if key(x) in index), None)
        if hit:
            o = orgs[hit]
            known = [hit, o["name"], *o["aliases"]]
            o["aliases"] += [n for n in names if sane(n) and similar(n, known)]
            continue
        # or add a new one: only groups whose primary name carries an acronym
        primary_acr = [a for a in primary_acr if re.fullmatch(r"[A-Z][A-Z0-9-]{2,5}", a)
                       and fold(a) not in country_words and a not in BAD_ACRONYMS]
        if not primary_acr or not g.codes:
            continue
        code = g.codes[0].code
        country = code[:3] if code[:3] in iso3 else ""
        sector = "REB"
        for i in range(3, len(code), 3):
            if code[i:i + 3] in TYPES:
                sector = code[i:i + 3]
                break
        ab = primary_acr[0]
        seen_acronyms[ab] = seen_acronyms.get(ab, 0) + 1
        aliases = [n for n in names[1:] if sane(n)] + primary_acr[1:]
        new.append((ab, {"name": primary_name, "aliases": aliases,
                         "type": sector, "country": country}))

    for ab, org in new:
        if seen_acronyms[ab] > 1 or ab in orgs or key(ab) in index:
            continue  # ambiguous acronym (e.g. two groups called LEJ) or already used
        if key(org["name"]) in index:
            continue
        org["aliases"] = [a for a in org["aliases"] if key(a) not in index]
        orgs[ab] = org
        for n in [ab, org["name"], *org["aliases"]]:
            index.setdefault(key(n), ab)

    rows = []
    for ab, o in orgs.items():
        skip = {ab, o["name"]}
        aliases = []
        for a in o["aliases"]:
            if a not in skip and index.get(key(a), ab) == ab:
                skip.add(a)
                aliases.append(a)
        rows.append([ab, o["name"], join(sorted(aliases, key=lambda s: (s.casefold(), s))),
                     o["type"], o["country"]])
    return rows


def main(argv=None) -> None:
    gaz = shared_arg(argv)
    rows = build(gaz)
    path = write_csv("organizations.csv", HEADER, rows)
    print(f"organizations.csv: {len(rows)} rows -> {path}")


if __name__ == "__main__":
    main()
