"""Write stored events out for other tools: JSON lines, CSV, or Parquet partitioned by month."""

from __future__ import annotations

import json
from pathlib import Path

from tieline.errors import TielineError
from tieline.store import Store, date_window

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS = ("event_id", "doc_id", "date", "date_precision", "event", "mode", "quad", "score", "cameo",
           "actor_country", "actor_type", "actor_name", "actor_abbrev", "recipient_country", "recipient_type",
           "recipient_name", "recipient_abbrev", "location_name", "location_country", "lat", "lon", "negated",
           "future", "hypothetical", "historical", "confidence", "contexts", "sectors", "trigger", "sentence", "rule")


def export_events(store: Store, path: str | Path, *, fmt: str, since: str | None = None,
                  until: str | None = None) -> int:
    """Write the stored events (dates within [since, until]) to ``path``; returns how many.

    jsonl writes the full records; csv and parquet one row per event with flat columns (parquet
    as a folder of files partitioned by month)."""
    if fmt not in FORMATS:
        raise TielineError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    window, params = date_window("date", since, until)
    where = f"WHERE {window}"
    target = Path(path)
    if fmt == "jsonl":
        rows = store.con.execute(f"SELECT record FROM events {where} ORDER BY date, doc_id, event_id", params)
        n = 0
        with target.open("w", encoding="utf-8") as out:
            for (record,) in rows.fetchall():
                out.write(json.dumps(json.loads(record), ensure_ascii=False) + "\n")
                n += 1
        return n
    select = f"SELECT {', '.join(COLUMNS)}, coalesce(substr(date, 1, 7), 'undated') AS month FROM events {where}"
    count = store.con.execute(f"SELECT count(*) FROM events {where}", params).fetchone()
    frame = store.con.execute(select + " ORDER BY date, doc_id, event_id", params).df()
    if fmt == "csv":
        frame = frame.drop(columns=["month"])
        for column in ("contexts", "sectors"):
            frame[column] = frame[column].map(lambda v: "|".join(v) if v is not None else "")
        frame.to_csv(target, index=False)
    else:
        target.mkdir(parents=True, exist_ok=True)
        store.con.register("export_frame", frame)
        store.con.execute(f"COPY export_frame TO '{target.as_posix()}' "
                          "(FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE)")
        store.con.unregister("export_frame")
    return count[0] if count else 0
