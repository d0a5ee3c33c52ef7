"""Median response times of the web app on a large database.

    python benchmarks/web_api.py --seed-db SEED.duckdb [--events 100000] [--repeat 25] [--json]

A real store (for example Reuters-21578 ingested with ``tieline ingest``) is scaled up to at
least ``--events`` events: its documents, events and parties are copied with new ids, each copy
shifted by a month, so that the database has the size and spread of a long collection of real
records. It is then clustered (``tieline.dedup``), served by uvicorn on a local port, and each
query is requested over HTTP once (the first request of a page draws its charts, which are then
kept until a correction is made through the app) and then ``--repeat`` times; the first
time and the median of the repeats are printed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import httpx2 as httpx

from tieline.dedup import deduplicate
from tieline.schema import EVENT_COLUMNS, EVENTS_INDEX, UPGRADE_TO_4
from tieline.store import Store

QUERIES = {
    "overview page (/)": "/",
    "stats (/api/stats)": "/api/stats",
    "country page (/country/{c})": "/country/{c}",
    "country partners (/api/countries/{c}/partners)": "/api/countries/{c}/partners",
    "search, type + words (/api/events)": "/api/events?type=ACCUSE&q=trade&page_size=50",
    "search, actor + dates (/api/events)": "/api/events?actor={c}&since=1990-01-01&until=1995-12-31&page_size=50",
    "search page (/search)": "/search?quad=4&page_number=3",
    "map data (/api/places)": "/api/places",
    "a country's map data (/api/places?country={c})": "/api/places?country={c}",
    "search by place (/api/events?where={c})": "/api/events?where={c}&page_size=50",
    "corrections page (/corrections)": "/corrections",
}


def shift(column: str, months: str) -> str:
    """SQL moving a YYYY, YYYY-MM or YYYY-MM-DD date string on by some months."""
    return (f"CASE WHEN length({column}) = 10 THEN strftime(CAST({column} AS DATE) + to_months({months}), '%Y-%m-%d') "
            f"WHEN length({column}) = 7 THEN strftime(CAST({column} || '-01' AS DATE) + to_months({months}), '%Y-%m') "
            f"ELSE {column} END")


def scale_up(seed: Path, target: Path, events: int) -> dict[str, int]:
    shutil.copy(seed, target)
    Store(target).close()  # in the current schema first
    con = duckdb.connect(str(target))
    base = con.execute("SELECT count(*) FROM events").fetchone()[0]
    copies = -(-events // base)
    for k in range(1, copies):
        months = str(k)
        con.execute("BEGIN TRANSACTION")
        con.execute(f"""INSERT INTO documents SELECT id || '#{k}', text_sha1, date + to_months({months}), title, url,
                        source, text, n_events, coded_at, coder_version FROM documents WHERE NOT contains(id, '#')""")
        con.execute(f"""INSERT INTO events ({", ".join(EVENT_COLUMNS)})
                        SELECT substr(md5(event_id || '#{k}'), 1, 16), doc_id || '#{k}', event, mode,
                        actor_country, actor_type, actor_name, actor_abbrev, recipient_country, recipient_type,
                        recipient_name, recipient_abbrev, {shift('date', months)}, date_precision, location_name,
                        location_country, lat, lon, negated, future, hypothetical, historical, cameo, quad, score,
                        confidence, contexts, sectors, sentence, trigger, rule,
                        json_merge_patch(record, json_object('event_id', substr(md5(event_id || '#{k}'), 1, 16),
                                         'doc_id', doc_id || '#{k}', 'date', {shift('date', months)}))
                        FROM events WHERE NOT contains(doc_id, '#')""")
        con.execute(f"""INSERT INTO event_parties SELECT substr(md5(event_id || '#{k}'), 1, 16), doc_id || '#{k}', role,
                        position, country, type, name, abbrev, text FROM event_parties WHERE NOT contains(doc_id, '#')""")
        con.execute("COMMIT")
    con.execute("DELETE FROM cluster_members")
    con.execute("DELETE FROM clusters")
    # the copies bypassed the store: their party keys, search text and pairs, as an upgrade makes them
    for statement in (*UPGRADE_TO_4, EVENTS_INDEX):
        con.execute(statement)
    con.close()
    with Store(target) as store:
        deduplicate(store, full=True)
        return {**store.counts(), "clusters": store.con.execute("SELECT count(*) FROM clusters").fetchone()[0]}


def serve(db: Path) -> tuple[str, object]:
    import uvicorn

    from tieline.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-db", type=Path, required=True)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "large.duckdb"
        sizes = scale_up(args.seed_db, db, args.events)
        with Store(db, read_only=True) as store:
            country = store.con.execute("SELECT country FROM event_parties WHERE country IS NOT NULL "
                                        "GROUP BY country ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        base, server = serve(db)
        medians, firsts = {}, {}
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/api/stats").raise_for_status()  # the first request of all pays for imports
            for name, path in QUERIES.items():
                url = path.format(c=country)
                start = time.perf_counter()
                client.get(url).raise_for_status()  # the first request draws the page's charts
                firsts[name] = round((time.perf_counter() - start) * 1000, 1)
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    client.get(url).raise_for_status()
                    times.append(time.perf_counter() - start)
                medians[name] = round(statistics.median(times) * 1000, 1)
        server.should_exit = True  # type: ignore[attr-defined]
    if args.json:
        print(json.dumps({"sizes": sizes, "country": country, "first_ms": firsts, "median_ms": medians}))
        return
    print(f"database: {sizes['documents']:,} documents, {sizes['events']:,} events, {sizes['clusters']:,} clusters; "
          f"country pages for {country}")
    print(f"  {'query':50s} {'first':>9s} {'median of ' + str(args.repeat):>16s}")
    for name, ms in medians.items():
        print(f"  {name:50s} {firsts[name]:6.1f} ms {ms:13.1f} ms")


if __name__ == "__main__":
    main()
