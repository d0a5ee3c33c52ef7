"""Write stored events out for other tools: JSON lines, CSV, Parquet partitioned by month, and
the column layouts of GDELT 2.0 and POLECAT, so tieline data can sit beside those datasets.

``gdelt`` writes one row per de-duplicated event (a cluster, with its report, source and record
counts in NumArticles, NumSources and NumMentions), tab-separated without a header as GDELT's
files are. ``polecat`` writes one row per record, tab-separated with POLECAT's header. Columns
tieline has no value for (tone, religion and ethnic codes, Wikipedia ids) are left empty.

CSV and tab-separated files go through :mod:`tieline.csvfile`, which neutralises text that a
spreadsheet would run as a formula. No value or path is formatted into SQL (issue 9).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import duckdb

from tieline.about import __version__
from tieline.csvfile import write_csv
from tieline.errors import TielineError
from tieline.lexicon import default_lexicon
from tieline.query.exports import flat_frame, gdelt_rows, polecat_rows, records_in_window
from tieline.schema import record_columns
from tieline.states import cow_number
from tieline.store import Store, event_day, sql_string, store_error
from tieline.types import Member, Party

FORMATS = ("jsonl", "csv", "parquet", "gdelt", "polecat")
COLUMNS = ("event_id", "doc_id", "date", "date_precision", "event", "mode", "quad", "score", "cameo",
           "actor_country", "actor_type", "actor_name", "actor_abbrev", "recipient_country", "recipient_type",
           "recipient_name", "recipient_abbrev", "location_name", "location_country", "lat", "lon", "negated",
           "future", "hypothetical", "historical", "confidence", "contexts", "sectors", "trigger", "sentence", "rule",
           "corrected", "actor_country_then", "recipient_country_then", "actor_cow", "recipient_cow")
LIST_COLUMNS = ("contexts", "sectors")  # written as one cell, items joined with "|"
# Parquet carries the full record beside the flat columns (issue 12), so that a shard of
# `code --dask --format parquet` (tieline.distributed.shards) can be stored again as it was coded
PARQUET_COLUMNS = COLUMNS + ("record",)


def export_events(store: Store, path: str | Path, *, fmt: str, since: str | None = None,
                  until: str | None = None, min_confidence: float | None = None) -> int:
    """Write the stored events (dates within [since, until], confidence at least
    ``min_confidence``) to ``path``; returns how many.

    jsonl writes the full records; csv and parquet one row per event with flat columns (parquet
    as a folder of files partitioned by month).

    Raises:
        TielineError: an unknown format, or ``path`` cannot be written.
        StoreError: the database cannot be read.
    """
    if fmt not in FORMATS:
        raise TielineError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if "\x00" in str(path):
        raise TielineError(f"{str(path)!r}: a path cannot hold a NUL byte")
    target = Path(path)
    try:
        if fmt in ("gdelt", "polecat"):
            writer = write_gdelt if fmt == "gdelt" else write_polecat
            return writer(store, target, since=since, until=until, min_confidence=min_confidence)
        if fmt == "parquet":
            return _write_parquet(store, target, since=since, until=until, min_confidence=min_confidence)
        return _write_flat(store, target, fmt=fmt, since=since, until=until, min_confidence=min_confidence)
    except OSError as exc:
        raise TielineError(f"{target}: cannot write: {exc.strerror or exc}") from exc


def export_panel(store: Store, path: str | Path, *, by: str = "month", dyad: bool = False, counts: str = "quad",
                 since: str | None = None, until: str | None = None,
                 min_confidence: float | None = None) -> tuple[int, int]:
    """Write the panel of :func:`tieline.query.panel.panel` as CSV (country codes as text);
    returns its rows and the events left out for a date coarser than ``by``.

    Raises:
        TielineError: a bad period or kind of count, a panel too large, or ``path`` cannot be written.
    """
    from tieline.query.frames import Slice
    from tieline.query.panel import panel

    frame, left_out = panel(store, by=by, dyad=dyad, counts=counts, where=Slice(since, until),
                            min_confidence=min_confidence)
    target = Path(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            rows = write_csv(frame.itertuples(index=False, name=None), out, columns=list(frame.columns))
    except OSError as exc:
        raise TielineError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    return rows, left_out


def _write_flat(store: Store, target: Path, *, fmt: str, since: str | None, until: str | None,
                min_confidence: float | None = None) -> int:
    """JSON lines of the full records, or CSV of the flat columns. The query runs before the
    file is opened, so that a database that cannot be read leaves no empty file behind."""
    records = records_in_window(store, since, until, min_confidence)
    with target.open("w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            return write_events_csv(records, out)
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


def event_row(record: dict[str, Any]) -> list[Any]:
    """A record as one flat row of :data:`COLUMNS`: the first member of a compound party, lists
    joined with "|"."""
    actor, recipient = (party.first if party is not None else Member()
                        for party in (Party.from_json(record.get("actor")), Party.from_json(record.get("recipient"))))
    location = record.get("location") or {}
    lexicon = default_lexicon()
    flat = {**record, "location_name": location.get("name"), "location_country": location.get("country"),
            "lat": location.get("lat"), "lon": location.get("lon"),
            **{f"actor_{k}": getattr(actor, k) for k in ("country", "type", "name", "abbrev")},
            **{f"recipient_{k}": getattr(recipient, k) for k in ("country", "type", "name", "abbrev")},
            "corrected": bool(record.get("corrected")),
            **{f"{role}_country_then": member.country_then for role, member in (("actor", actor), ("recipient", recipient))},
            **{f"{role}_cow": cow_number(member, lexicon) or None
               for role, member in (("actor", actor), ("recipient", recipient))}}
    return [("|".join(flat.get(c) or ()) if c in LIST_COLUMNS else flat.get(c)) for c in COLUMNS]


def write_events_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Records as CSV of :data:`COLUMNS`: the one layout of events in CSV, for ``export``, ``events
    --format csv`` and the web's ``/events.csv``; returns how many rows."""
    return write_csv((event_row(r) for r in records), out, columns=COLUMNS, lineterminator="\n")


def _write_parquet(store: Store, target: Path, *, since: str | None, until: str | None,
                   min_confidence: float | None = None) -> int:
    """A folder of Parquet files partitioned by month (``month=2020-03``, ``month=undated``): the
    flat columns and the record as JSON (:data:`PARQUET_COLUMNS`)."""
    frame = flat_frame(store, PARQUET_COLUMNS, since, until, min_confidence)
    # issue 9: the path was formatted into the SQL, so a name holding a quote ran what followed
    # it. COPY takes no bound parameter for its file before DuckDB 1.5 (and 1.5's is broken), so
    # the path is a literal whose quotes sql_string doubles; absolute, so that DuckDB writes into
    # the folder made here, reading neither "~" nor a URL scheme into the name.
    folder = target.resolve().as_posix()
    if "\\" in folder:  # DuckDB reads a backslash as a folder separator, and would write elsewhere
        raise TielineError(f"{target}: a Parquet export folder cannot have a backslash in its path")
    target.mkdir(parents=True, exist_ok=True)
    destination = sql_string(folder)
    columns = parquet_columns(store)
    store.con.register("export_frame", frame)
    try:
        store.con.execute(f"COPY (SELECT {columns}, month FROM export_frame) TO {destination} "
                          "(FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE)")
    except duckdb.Error as exc:
        raise store_error(str(target), "cannot write Parquet", exc) from exc
    finally:
        store.con.unregister("export_frame")
    return len(frame)


def parquet_columns(store: Store) -> str:
    """The SELECT list of :data:`PARQUET_COLUMNS`, each cast to its type in the store's events
    table, the record as text: a column holding only nulls would otherwise be written with the
    type NULL (issue 12: shards of a few stories must have the export's types)."""
    types = dict(store.read("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'events'").fetchall())
    types.update({name: kind for name, (kind, _) in record_columns().items()})
    return ", ".join(f"CAST({c} AS {'VARCHAR' if types[c] == 'JSON' else types[c]}) AS {c}" for c in PARQUET_COLUMNS)


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
    "Language", "Version")
QUAD_NAMES = {1: "VERBAL COOPERATION", 2: "MATERIAL COOPERATION", 3: "VERBAL CONFLICT", 4: "MATERIAL CONFLICT"}
LEAD_CHARS = 600  # without a paragraph break, the lead is taken as this many characters


def _lead_end(text: str) -> int:
    """Where a story's lead paragraph ends: GDELT flags events there as root events."""
    start = len(text) - len(text.lstrip())
    cut = text.find("\n\n", start + 1)
    return cut if cut > 0 else start + LEAD_CHARS


def write_gdelt(store: Store, path: Path, *, since: str | None = None, until: str | None = None,
                min_confidence: float | None = None) -> int:
    """GDELT 2.0 event-table rows, one per cluster (or per record where no clustering was run)."""
    lexicon = default_lexicon()
    countries = lexicon.countries_by_iso3

    def actor(value: Any) -> list[str]:
        party = Party.from_json(value)
        if party is None:
            return [""] * len(GDELT_ACTOR)
        first = party.first
        country, kind = first.country or "", first.type or ""
        code = (country + kind) if country else (first.abbrev or "").upper()
        return [code, (first.name or "").upper(), country, "", "", "", "", kind, "", ""]

    def geo(location: dict[str, Any] | None) -> list[str]:
        if not location or not location.get("name"):
            return [""] * len(GDELT_GEO)
        country = countries.get(location.get("country") or "")
        fips = country.fips if country else ""
        is_country = country is not None and location["name"] == country.name
        kind = "1" if is_country else ("3" if location.get("country") == "USA" else "4")
        full = location["name"] if is_country or country is None else f"{location['name']}, {country.name}"
        lat, lon = location.get("lat"), location.get("lon")
        return [kind, full, fips, fips if is_country else "", "", "" if lat is None else f"{lat:.4f}",
                "" if lon is None else f"{lon:.4f}", fips if is_country else ""]

    found = gdelt_rows(store, since, until, min_confidence)  # before the file is opened: a failed read leaves no file

    def rows() -> Iterator[list[Any]]:
        for record_json, published, url, text, coded_at, mentions, sources, articles in found:
            record = json.loads(record_json)
            day = event_day(record.get("date"), published)
            if day is None:
                continue  # GDELT rows need a day
            cameo = record.get("cameo") or ""
            goldstein = lexicon.cameo.get(cameo, lexicon.cameo.get(cameo[:3], ("", None)))[1]
            start = (record.get("spans") or {}).get("sentence", [0, 0])[0]
            year_fraction = day.year + (day.timetuple().tm_yday - 1) / (366 if day.year % 4 == 0 else 365)
            yield [
                int(record["event_id"][:15], 16), day.strftime("%Y%m%d"), day.strftime("%Y%m"), day.year,
                f"{year_fraction:.4f}", *actor(record.get("actor")), *actor(record.get("recipient")),
                1 if start < _lead_end(text) else 0, cameo, cameo[:3], cameo[:2], record.get("quad") or "",
                "" if goldstein is None else goldstein, mentions, sources, articles, "",
                *([""] * len(GDELT_GEO)), *([""] * len(GDELT_GEO)), *geo(record.get("location")),
                coded_at.strftime("%Y%m%d%H%M%S"), url or record["doc_id"],
            ]

    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(rows(), out, delimiter="\t", lineterminator="\n", quote=False)


def write_polecat(store: Store, path: Path, *, since: str | None = None, until: str | None = None,
                  min_confidence: float | None = None) -> int:
    """POLECAT-layout rows, one per record, with POLECAT's header. A party of a state of the
    past (the Soviet Union in 1987) has that state's COW number."""
    lexicon = default_lexicon()
    countries = lexicon.countries_by_iso3

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
            day = event_day(record.get("date"), published)
            location = record.get("location") or {}
            country = countries.get(location.get("country") or "")
            is_country = country is not None and location.get("name") == country.name
            yield [
                record["event_id"], day.isoformat() if day else record.get("date") or "", record["event"],
                record.get("mode") or "", record.get("score"), QUAD_NAMES.get(record.get("quad") or 0, ""),
                "; ".join(record.get("contexts") or []), *party(record.get("actor")), *party(record.get("recipient")),
                location.get("name") or "", "" if is_country else location.get("name") or "", "", "",
                country.name if country else "", location.get("lat") or "", location.get("lon") or "", "",
                location.get("name") or "", ("country" if is_country else "city") if location.get("name") else "",
                source or "", published.isoformat() if published else "", "", "", "", "en", f"tieline {__version__}",
            ]

    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(rows(), out, columns=POLECAT_COLUMNS, delimiter="\t", lineterminator="\n")
