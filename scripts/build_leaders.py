"""Build tieline/data/leaders.csv from Phoenix.Countries.actors.txt (openeventdata/petrarch2, MIT).

One row per (person, code, date range):  name,aliases,country,type,role,start,end
  * name     natural-case canonical name (office titles and honorifics removed);
  * aliases  every other spelling in the dictionary entry, '|'-separated;
  * country  ISO3 of the code's country part (CAMEO legacy roots mapped to successors,
             dependency codes such as GBRVGB... resolved to the dependency);
  * type     the sector part of the code (GOV, ELI, MIL, ...);
  * role     a readable role: the portfolio named by a secondary sector code
             (USAGOVMIL -> "defence"), else for GOV rows the single office title used
             in the entry's aliases (PRESIDENT_... -> "president"); empty if unknown;
  * start, end  ISO dates of the restriction, empty when open-ended.

Requires tieline/data/countries.csv. Usage: python -m scripts.build_leaders [SHARED_DIR]
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from scripts._common import DATA, join, shared_arg, split, write_csv
from scripts._tabari import parse_actor_file, smart_title

HEADER = ["name", "aliases", "country", "type", "role", "start", "end"]

# CAMEO / CountryInfo country roots that are not current ISO 3166 alpha-3 codes.
LEGACY = {
    "TMP": "TLS", "DDR": "DEU", "KSV": "XKX", "USR": "RUS", "SUN": "RUS", "YUG": "SRB",
    "SCG": "SRB", "FRY": "SRB", "CSK": "CZE", "SRP": "BIH", "FRN": "FRA", "IMY": "IMN",
    "GZA": "PSE", "ROM": "ROU", "ZAR": "COD",
}
PERSON_SECTORS = {
    "GOV", "ELI", "MIL", "LEG", "JUD", "COP", "OPP", "REB", "PTY", "SPY", "BUS", "MED",
    "EDU", "REL", "JRN", "LAB", "AGR", "CVL", "PRM", "UAF", "REF", "SOC", "NGO", "IGO",
}
# Secondary sector codes -> portfolio ("role") labels.
PORTFOLIO = {
    "AGR": "agriculture", "BUS": "economy", "COP": "interior", "DEV": "development",
    "EDU": "education", "ENV": "environment", "HLH": "health", "MED": "health",
    "HRI": "human rights", "JUD": "justice", "LAB": "labour", "LEG": "legislature",
    "MIL": "defence", "REF": "refugees", "REL": "religious affairs", "MUS": "religious affairs",
    "SPY": "intelligence", "PTY": "party",
}

# Office titles stripped from the front of phrases, longest first; value = role label.
TITLES = {
    "PRESIDENT": "president", "VICE PRESIDENT": "vice president", "PRIME MINISTER": "prime minister",
    "DEPUTY PRIME MINISTER": "deputy prime minister", "PREMIER": "premier",
    "FOREIGN MINISTER": "foreign minister", "DEFENSE MINISTER": "defence minister",
    "DEFENCE MINISTER": "defence minister", "DEFENSE SECRETARY": "defense secretary",
    "SECRETARY OF DEFENSE": "defense secretary", "SECRETARY OF STATE": "secretary of state",
    "INTERIOR MINISTER": "interior minister", "FINANCE MINISTER": "finance minister",
    "CHANCELLOR": "chancellor", "KING": "king", "QUEEN": "queen", "EMIR": "emir",
    "AMIR": "emir", "SULTAN": "sultan", "CROWN PRINCE": "crown prince", "PRINCE": "prince",
    "SENATOR": "senator", "SEN.": "senator", "GOVERNOR": "governor", "SPEAKER": "speaker",
    "SUPREME LEADER": "supreme leader", "CIA DIRECTOR": "CIA director",
    "NATIONAL SECURITY ADVISOR": "national security advisor", "ATTORNEY GENERAL": "attorney general",
    "SECRETARY": "", "MINISTER": "", "ACTING MINISTER": "", "ACTING": "", "FORMER": "",
    "GENERAL": "", "GEN.": "", "LT. GEN.": "", "LIEUTENANT GENERAL": "", "FIELD MARSHAL": "",
    "MARSHAL": "", "ADMIRAL": "", "COLONEL": "", "COL.": "", "MR": "", "MR.": "", "MRS": "",
    "MRS.": "", "MS": "", "MS.": "", "DR": "", "DR.": "", "CHAIRMAN": "", "LEADER": "",
    "PARTY CHIEF": "", "MOSCOW PARTY CHIEF": "", "ASSEMBLY LEADER": "", "AMBASSADOR": "",
    "REP.": "", "MAYOR": "", "PRESIDENT-ELECT": "", "PRIME MINISTER-DESIGNATE": "",
    "KANZLER": "chancellor", "BUNDESKANZLER": "chancellor", "VICE-PRESIDENT": "vice president",
    "UNDER SECRETARY": "", "COMMUNIST LEADER": "", "HOUSE MINORITY LEADER": "",
    "HOUSE MAJORITY LEADER": "", "MINORITY LEADER": "", "MAJORITY LEADER": "", "CHIEF": "",
}
# Titles that stay in the canonical name of someone known by one name ("Prince Alois").
ROYAL = {"KING", "QUEEN", "PRINCE", "CROWN PRINCE", "EMIR", "AMIR", "SULTAN", "SHEIKH"}
HONORIFICS = {
    "AYATOLLAH", "GRAND AYATOLLAH", "HOJATOLISLAM", "HOJATOLESLAM", "HOJJATOLESLAM", "SAYYED",
    "SAYED", "SEYED", "SEYYED", "SHEIKH", "SHEIK", "SHAIKH", "MULLAH", "MAWLAWI", "MAULVI",
    "HAJI", "HAJJI", "IMAM", "SIR",
}
# Words showing an entry is an institution, not a person.
INSTITUTION = re.compile(
    r"\b(ASSEMBLY|COUNCIL|PARTY|MOVEMENT|ARMY|BRIGADES?|FRONT|COALITION|AUTHORITY|FORCES?|"
    r"POLITBURO|SOVIET|MINISTRY|DEPARTMENT|COMMITTEE|COMMISSION|PARLIAMENT|CONGRESS|"
    r"GOVERNMENT|AGENCY|OFFICE|UNIVERSITY|SERVICE|GUARDS?|POLICE|COURT|BANK|UNION|"
    r"ORGANI[SZ]ATION|ALLIANCE|LEAGUE|NEWS|TIMES|CORPS|TASK|OBSERVATORY|REPUBLIC|"
    r"KINGDOM|STATE|NATIONAL|ADMINISTRATION|REGIME|CABINET|FAMILY|DYNASTY)\b"
)
EAST_ASIAN = {"KOR", "PRK", "TWN", "HKG", "CHN", "MAC"}
# Single-word canonical names are dropped (in the source they are mostly bare given
# names such as ABDULLAH_ or run-together junk such as PATPARRIS_), except Indonesian
# mononyms and these.
MONONYMS = {"AKIHITO", "HIROHITO", "NARUHITO", "SIHANOUK"}


def words(phrase: str) -> list[str]:
    phrase = re.sub(r"\([^)]*\)?", " ", phrase)  # "(ACTING", "(1ST_TIME)"
    return [w for w in re.sub(r"[_\s]+", " ", phrase.upper()).strip(" _").split(" ") if w]


def strip_titles(ws: list[str], adjectives: set[str]) -> tuple[list[str], list[str], bool]:
    """Remove leading country adjectives, office titles and honorifics.

    Returns (remaining words, role labels found, whether an honorific was removed)."""
    roles: list[str] = []
    honor = False
    changed = True
    while changed and ws:
        changed = False
        for n in (4, 3, 2, 1):
            head = " ".join(ws[:n])
            if len(ws) > n and head in TITLES:
                if TITLES[head]:
                    roles.append(TITLES[head])
                ws, changed = ws[n:], True
                break
            if len(ws) > n and head in HONORIFICS:
                ws, changed, honor = ws[n:], True, True
                break
            if len(ws) > n and n <= 2 and head in adjectives:
                ws, changed = ws[n:], True
                break
    return ws, roles, honor


def strip_honorifics_only(ws: list[str]) -> list[str]:
    changed = True
    while changed and ws:
        changed = False
        for n in (2, 1):
            if len(ws) > n and " ".join(ws[:n]) in HONORIFICS:
                ws, changed = ws[n:], True
                break
    return ws


def build(gaz: Path) -> list[list[str]]:
    with open(DATA / "countries.csv", encoding="utf-8", newline="") as fh:
        countries = list(csv.DictReader(fh))
    iso3 = {r["iso3"] for r in countries}
    adjectives = set()
    for r in countries:
        for a in split(r["adjectives"]) + [r["name"]] + split(r["aliases"]):
            if " " not in a or len(a.split()) <= 2:
                adjectives.add(a.upper())
    adjectives |= {"US", "U.S.", "AMERICAN", "BRITISH", "RUSSIAN"}

    def country_of(code: str) -> tuple[str, list[str]] | None:
        chunks = [code[i:i + 3] for i in range(0, len(code), 3)]
        c = LEGACY.get(chunks[0], chunks[0])
        if c not in iso3:
            return None
        rest = chunks[1:]
        while rest and (LEGACY.get(rest[0], rest[0]) in iso3) and rest[0] not in PERSON_SECTORS:
            c = LEGACY.get(rest[0], rest[0])
            rest = rest[1:]
        return c, rest

    groups = parse_actor_file(gaz / "petrarch2_dictionaries" / "Phoenix.Countries.actors.txt")
    people: dict[tuple[str, str], dict] = {}
    for g in groups:
        if not g.codes or not g.names:
            continue
        parsed = []
        for c in g.codes:
            r = country_of(c.code)
            if r is None or not r[1] or r[1][0] not in PERSON_SECTORS:
                continue
            parsed.append((r[0], r[1][0], r[1][1:], c))
        if not parsed:
            continue
        primary = words(g.names[0])
        if INSTITUTION.search(" ".join(primary)):
            continue
        if not g.countryinfo and (len(primary) < 2 or not any(p[3].restricted for p in parsed)):
            continue

        # canonical name and aliases
        main_country = parsed[0][0]
        east = main_country in EAST_ASIAN
        roles: list[str] = []
        variants: list[str] = []
        canonical = None
        for k, raw in enumerate(g.names):
            ws = words(raw)
            if not ws or INSTITUTION.search(" ".join(ws)) or any("," in w for w in ws):
                continue
            bare, found, _ = strip_titles(ws, adjectives)
            roles += found
            if "OF" in bare or "THE" in bare:
                continue
            if k == 0:
                canonical = bare
                if len(bare) == 1 and len(ws) > 1:
                    head = ws[:len(ws) - 1]
                    if " ".join(head) in ROYAL or (len(head) == 1 and head[0] in ROYAL):
                        canonical = ws  # keep e.g. "Prince Alois", "Prince Johnson"
                        roles = [r for r in roles if r not in found]
            variants.append(smart_title(" ".join(bare), east))
            if len(bare) == 1 and len(ws) > 1 and " ".join(ws[:-1]) in ROYAL:
                variants.append(smart_title(" ".join(ws), east))  # "King Abdullah"
            if ws[0] in HONORIFICS or " ".join(ws[:2]) in HONORIFICS:
                # keep the honorific form ("Ayatollah Khamenei") as an alias too
                variants.append(smart_title(" ".join(ws), east))
        if not canonical:
            continue
        if len(canonical) == 1 and main_country != "IDN" and canonical[0] not in MONONYMS:
            continue
        name = smart_title(" ".join(canonical), east)
        distinct_roles = sorted(set(roles))
        head_role = distinct_roles[0] if len(distinct_roles) == 1 else ""

        key = (name, main_country)
        person = people.setdefault(key, {"aliases": [], "rows": set()})
        person["aliases"] += [v for v in variants if v.casefold() != name.casefold()]
        for country, sector, suffix, c in parsed:
            role = ""
            for s in suffix:
                if s in PORTFOLIO:
                    role = PORTFOLIO[s]
                    break
            if not role and sector == "GOV" and not suffix:
                role = head_role
            person["rows"].add((country, sector, role, c.start, c.end))

    rows = []
    for (name, _), p in people.items():
        aliases = join(sorted(set(p["aliases"]), key=lambda s: (s.casefold(), s)))
        for country, sector, role, start, end in p["rows"]:
            rows.append([name, aliases, country, sector, role, start, end])
    return rows


def main(argv=None) -> None:
    gaz = shared_arg(argv)
    rows = build(gaz)
    path = write_csv("leaders.csv", HEADER, rows)
    print(f"leaders.csv: {len(rows)} rows -> {path}")


if __name__ == "__main__":
    main()
