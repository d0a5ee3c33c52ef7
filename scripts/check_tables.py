"""Sanity checks for the generated tables in tieline/data/. Exits non-zero on failure.

Usage: python -m scripts.check_tables
"""
from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from scripts._common import DATA, split

SECTORS = set("COP GOV JUD LEG MIL PRM PTY REB SPY UAF UNK AGR BUS CRM CVL EDU ELI JRN LAB "
              "MED REF OPP PRE REL SOC IGO NGO".split())
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
errors: list[str] = []


def load(name: str, header: list[str]) -> list[dict[str, str]]:
    path = DATA / name
    raw = path.read_bytes()
    if b"\r" in raw:
        errors.append(f"{name}: contains \\r line endings")
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != header:
            errors.append(f"{name}: header {reader.fieldnames} != {header}")
        rows = list(reader)
    print(f"{name:20s} {len(rows):6d} rows  {len(raw) / 1024:8.1f} KiB")
    return rows


def require(name: str, rows, cols) -> None:
    for i, r in enumerate(rows, 2):
        for c in cols:
            if not r[c].strip():
                errors.append(f"{name}:{i}: empty {c}")


def unique(name: str, rows, col) -> None:
    dup = [k for k, n in Counter(r[col] for r in rows).items() if n > 1]
    if dup:
        errors.append(f"{name}: duplicate {col}: {dup[:10]}")


def check_leaders_current(iso3: set[str]) -> None:
    """leaders_current.csv (kept when build_tables runs without a Factbook extract): its columns,
    countries, types and dates, and every hand row of scripts/leaders_hand.csv in it."""
    header = ["name", "aliases", "country", "type", "role", "start", "end"]

    def rows_of(path) -> list[dict[str, str]]:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(line for line in fh if not line.startswith("#"))
            if reader.fieldnames != header:
                errors.append(f"{path.name}: header {reader.fieldnames} != {header}")
            return list(reader)

    current = rows_of(DATA / "leaders_current.csv")
    print(f"{'leaders_current.csv':20s} {len(current):6d} rows")
    require("leaders_current.csv", current, ["name", "country", "type", "role"])
    for i, r in enumerate(current, 2):
        if r["country"] not in iso3 or r["type"] not in SECTORS:
            errors.append(f"leaders_current.csv:{i}: bad country/type {r['country']} {r['type']}")
        if any(r[col] and not DATE.match(r[col]) for col in ("start", "end")) or (
                r["start"] and r["end"] and r["start"] > r["end"]):
            errors.append(f"leaders_current.csv:{i}: bad dates {r['start']!r} {r['end']!r}")
    hand = rows_of(Path(__file__).resolve().parent / "leaders_hand.csv")
    missing = [r["name"] for r in hand if r not in current]
    if missing:
        errors.append(f"leaders_current.csv: hand rows missing (rebuild with --factbook): {missing}")


def main() -> int:
    countries = load("countries.csv", ["iso3", "iso2", "name", "aliases", "adjectives", "capital", "lat", "lon", "fips",
                                       "cow", "other_capitals"])
    places = load("places.csv", ["name", "country", "lat", "lon", "population", "feature", "geonameid", "admin1",
                                 "admin1_name"])
    metonyms = load("metonyms.csv", ["phrase", "country", "type", "name"])
    orgs = load("organizations.csv", ["abbrev", "name", "aliases", "type", "country"])
    agents = load("agents.csv", ["term", "type"])
    leaders = load("leaders.csv", ["name", "aliases", "country", "type", "role", "start", "end"])

    # countries
    require("countries.csv", countries, ["iso3", "iso2", "name"])
    unique("countries.csv", countries, "iso3")
    unique("countries.csv", countries, "iso2")
    iso3 = {r["iso3"] for r in countries}
    for code in ("XKX", "PSE", "TWN", "HKG"):
        if code not in iso3:
            errors.append(f"countries.csv: missing {code}")
    owner: dict[str, set[str]] = {}
    for r in countries:
        if r["capital"] and not (r["lat"] and r["lon"]):
            errors.append(f"countries.csv: {r['iso3']} capital without coordinates")
        for a in [r["name"], *split(r["aliases"]), *split(r["adjectives"])]:
            if len(a) <= 2 and a not in {"US", "UK"}:
                errors.append(f"countries.csv: {r['iso3']} short alias {a!r}")
            owner.setdefault(a, set()).add(r["iso3"])
    shared = {a: sorted(o) for a, o in owner.items() if len(o) > 1}
    if shared:
        print(f"  note: names/adjectives shared by several countries: {shared}")
    caps = {r["iso3"]: r["capital"] for r in countries}
    for code, cap in (("IRN", "Tehran"), ("MYS", "Kuala Lumpur"), ("UZB", "Tashkent"),
                      ("USA", "Washington"), ("GBR", "London"), ("RUS", "Moscow")):
        if caps.get(code) != cap:
            errors.append(f"countries.csv: capital of {code} is {caps.get(code)!r}, expected {cap!r}")
    by_alias = {a: r["iso3"] for r in countries for a in [r["name"], *split(r["aliases"])]}
    for alias, code in (("Burma", "MMR"), ("Zaire", "COD"), ("Kampuchea", "KHM"), ("USSR", "RUS"),
                        ("Soviet Union", "RUS"), ("Yugoslavia", "SRB"), ("Czechoslovakia", "CZE"),
                        ("Persia", "IRN"), ("Ceylon", "LKA"), ("Rhodesia", "ZWE"),
                        ("East Timor", "TLS"), ("Gaza Strip", "PSE"), ("DPRK", "PRK"), ("PRC", "CHN"),
                        ("ROK", "KOR"), ("UAE", "ARE"), ("Cote d'Ivoire", "CIV"), ("U.S.", "USA"),
                        ("Britain", "GBR"), ("Holland", "NLD"), ("Swaziland", "SWZ")):
        if by_alias.get(alias) != code:
            errors.append(f"countries.csv: alias {alias!r} -> {by_alias.get(alias)}, expected {code}")

    # places
    require("places.csv", places, ["name", "country", "lat", "lon", "feature"])
    for i, r in enumerate(places, 2):
        if r["country"] not in iso3:
            errors.append(f"places.csv:{i}: unknown country {r['country']}")
        if r["feature"] not in {"capital", "city", "region"}:
            errors.append(f"places.csv:{i}: bad feature {r['feature']}")
        if r["feature"] != "region" and not r["population"].isdigit():
            errors.append(f"places.csv:{i}: bad population {r['population']!r}")
        if len(r["name"]) <= 2:
            errors.append(f"places.csv:{i}: short name {r['name']!r}")
        if (r["feature"] == "region") == bool(r["geonameid"]) or (r["geonameid"] and not r["geonameid"].isdigit()):
            errors.append(f"places.csv:{i}: a town has a GeoNames id, a region none: {r['geonameid']!r}")
        if r["admin1_name"] and not r["admin1"]:
            errors.append(f"places.csv:{i}: a region name without its code")
    pnames = {r["name"] for r in places}
    for n in ("Kuala Lumpur", "Tashkent", "Budapest", "Tehran", "Baku", "Hebron", "Basra",
              "West Bank", "Gaza Strip", "Crimea", "Darfur", "Kashmir"):
        if n not in pnames:
            errors.append(f"places.csv: {n} missing")
    print("  Gorazde in places.csv:", "Gorazde" in pnames)
    c = Counter((r["name"], r["country"], r["feature"]) for r in places)
    d = [k for k, v in c.items() if v > 1]
    if d:
        errors.append(f"places.csv: duplicate (name,country,feature) {d[:5]}")

    # metonyms
    require("metonyms.csv", metonyms, ["phrase", "country", "type", "name"])
    unique("metonyms.csv", metonyms, "phrase")
    for r in metonyms:
        if r["country"] not in iso3 or r["type"] not in SECTORS:
            errors.append(f"metonyms.csv: bad row {r}")

    # organizations
    require("organizations.csv", orgs, ["abbrev", "name", "type"])
    unique("organizations.csv", orgs, "abbrev")
    seen: dict[str, str] = {}
    for r in orgs:
        if r["type"] not in SECTORS | {"IGO", "NGO"}:
            errors.append(f"organizations.csv: bad type {r}")
        if r["country"] and r["country"] not in iso3:
            errors.append(f"organizations.csv: bad country {r}")
        if "IS" in split(r["aliases"]):
            errors.append("organizations.csv: 'IS' must not be an alias")
        for a in [r["abbrev"], r["name"], *split(r["aliases"])]:
            if a in seen and seen[a] != r["abbrev"]:
                errors.append(f"organizations.csv: {a!r} used by {seen[a]} and {r['abbrev']}")
            seen[a] = r["abbrev"]
    rsf = next((r for r in orgs if r["name"] == "Rapid Support Forces"), None)
    if rsf is None or "RSF" in split(rsf["aliases"]):
        errors.append("organizations.csv: Rapid Support Forces missing or aliased RSF")

    # agents
    require("agents.csv", agents, ["term", "type"])
    unique("agents.csv", agents, "term")
    for r in agents:
        if r["type"] not in SECTORS:
            errors.append(f"agents.csv: bad type {r}")
        if r["term"] != r["term"].lower():
            errors.append(f"agents.csv: term not lower-case {r['term']!r}")

    # leaders
    require("leaders.csv", leaders, ["name", "country", "type"])
    for i, r in enumerate(leaders, 2):
        if r["country"] not in iso3 or r["type"] not in SECTORS:
            errors.append(f"leaders.csv:{i}: bad country/type {r['country']} {r['type']}")
        for col in ("start", "end"):
            if r[col] and not DATE.match(r[col]):
                errors.append(f"leaders.csv:{i}: bad {col} {r[col]!r}")
        if r["start"] and r["end"] and r["start"] > r["end"]:
            errors.append(f"leaders.csv:{i}: start after end")
    for who, code, when in (("Hassan Rouhani", "IRN", "2015-01-01"), ("Vladimir Putin", "RUS", "2005-01-01"),
                            ("Hosni Mubarak", "EGY", "1995-01-01"), ("Boris Yeltsin", "RUS", "1995-01-01")):
        rows = [r for r in leaders if r["name"] == who and r["country"] == code and r["type"] == "GOV"]
        ok = any((not r["start"] or r["start"] <= when) and (not r["end"] or when <= r["end"]) for r in rows)
        print(f"  {who}: {len(rows)} GOV rows, in office {when}: {ok}")
        if not ok:
            errors.append(f"leaders.csv: {who} not GOV on {when}")

    check_leaders_current(iso3)

    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    print(f"tieline/data total: {total / 1024 / 1024:.2f} MiB")
    if total > 4.2 * 1024 * 1024:
        errors.append("tieline/data larger than ~4 MB")

    for e in errors[:50]:
        print("ERROR", e)
    if errors:
        print(f"{len(errors)} error(s)")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
