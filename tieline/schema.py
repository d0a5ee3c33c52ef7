"""The event store's tables, and the SQL that fills the derived ones (what :mod:`tieline.store`
creates, writes and upgrades; what :mod:`tieline.parquet` rebuilds as views over Parquet files).

Schema 4 (issue 12) adds what lets reads stay fast on millions of records:

* ``events.actor_keys`` and ``events.recipient_keys``: every member's country and upper-case
  abbreviation, so that a search by party (any member of a compound party) reads one table;
* ``event_pairs``: one row per affirmed event and pair of its actor and recipient members (a
  recipient of None when the event has none), with the event's date, type, quad class, score,
  contexts and fields (each once). The analysts' frames (dyad, partners, profile, timeline, network) and
  the most active pairs read it instead of joining events with their parties twice. Its
  ``first_*`` flags mark one row of each event per key the frames count by (the pair of
  countries, the link between parties, a country as actor, ...), so that counting events is a
  plain count of flagged rows, with no ``count(DISTINCT event_id)`` over millions of rows;
* ``events.search_text``: the evidence sentence and the story's title in lower case, one string,
  so that a search for words reads one column rather than lowering millions of sentences and
  joining every event with its document;
* an index on ``events.event_id``, for one event, a cluster's reports and a page of results;
  the indexes that served no look-up are dropped.

The derived values are computed in SQL, from the events and parties just written (the write
path), from the whole tables (the upgrade) or from views (an older file opened read-only,
Parquet files), so there is one definition of each.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from tieline.types import EventRecord, Member

# 2: event_parties; 3: clusters (tieline.dedup); 4: party keys, event_pairs; 5: member days (issue 12);
# 6: corrections (issue 13)
SCHEMA_VERSION = 6
EVENTS_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
    event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, event VARCHAR NOT NULL, mode VARCHAR,
    actor_country VARCHAR, actor_type VARCHAR, actor_name VARCHAR, actor_abbrev VARCHAR,
    recipient_country VARCHAR, recipient_type VARCHAR, recipient_name VARCHAR, recipient_abbrev VARCHAR,
    date VARCHAR, date_precision VARCHAR, location_name VARCHAR, location_country VARCHAR,
    lat DOUBLE, lon DOUBLE, negated BOOLEAN, future BOOLEAN, hypothetical BOOLEAN, historical BOOLEAN,
    cameo VARCHAR, quad INTEGER, score DOUBLE, confidence DOUBLE, contexts VARCHAR[], sectors VARCHAR[],
    sentence VARCHAR, trigger VARCHAR, rule VARCHAR, record JSON NOT NULL,
    actor_keys VARCHAR[], recipient_keys VARCHAR[], search_text VARCHAR);"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS documents (
    id VARCHAR PRIMARY KEY, text_sha1 VARCHAR NOT NULL, date DATE, title VARCHAR, url VARCHAR,
    source VARCHAR, text VARCHAR NOT NULL, n_events INTEGER NOT NULL, coded_at TIMESTAMP NOT NULL,
    coder_version VARCHAR NOT NULL);
{events_table}
""".replace("{events_table}", EVENTS_TABLE.format(name="events"))
PARTIES_SCHEMA = """
CREATE TABLE IF NOT EXISTS event_parties (
    event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, role VARCHAR NOT NULL, position INTEGER NOT NULL,
    country VARCHAR, type VARCHAR, name VARCHAR, abbrev VARCHAR, text VARCHAR);
"""
# The party rows of an events relation {events} read from its records' JSON: one row per member.
PARTIES_SELECT = """
SELECT event_id, doc_id, role, position, p->>'country' AS country, p->>'type' AS type, p->>'name' AS name,
       p->>'abbrev' AS abbrev, p->>'text' AS text
FROM (
    SELECT event_id, doc_id, 'actor' AS role, generate_subscripts(parties, 1) AS position, unnest(parties) AS p
    FROM (SELECT event_id, doc_id, CASE WHEN json_type(record->'actor') = 'ARRAY'
                 THEN CAST(record->'actor' AS JSON[]) ELSE [record->'actor'] END AS parties FROM {events})
    UNION ALL
    SELECT event_id, doc_id, 'recipient', generate_subscripts(parties, 1), unnest(parties)
    FROM (SELECT event_id, doc_id, CASE WHEN json_type(record->'recipient') = 'ARRAY'
                 THEN CAST(record->'recipient' AS JSON[]) ELSE [record->'recipient'] END AS parties FROM {events}
          WHERE json_type(record->'recipient') <> 'NULL')
)"""
PARTIES_FROM_RECORDS = "INSERT INTO event_parties " + PARTIES_SELECT.format(events="events")
CLUSTER_SCHEMA = """
CREATE TABLE IF NOT EXISTS clusters (
    cluster_id VARCHAR NOT NULL, block VARCHAR NOT NULL, event VARCHAR NOT NULL, mode VARCHAR,
    actor_country VARCHAR, actor_name VARCHAR, recipient_country VARCHAR, recipient_name VARCHAR,
    date DATE, first_seen DATE, last_seen DATE, num_reports INTEGER NOT NULL, num_records INTEGER NOT NULL,
    num_sources INTEGER NOT NULL, location_name VARCHAR, location_country VARCHAR, quad INTEGER, score DOUBLE,
    negated BOOLEAN, sentence VARCHAR);
CREATE TABLE IF NOT EXISTS cluster_members (
    cluster_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, block VARCHAR NOT NULL,
    day DATE);
-- cluster ids are unique by construction (the seed's event id), not by a key: DuckDB refuses to
-- delete and re-insert a key in one transaction, which is what rebuilding a block does
-- blocks whose clusters lost members to a replaced document, rebuilt by the next dedup run
CREATE TABLE IF NOT EXISTS dedup_dirty (block VARCHAR NOT NULL);
"""
# DuckDB looks a few keys up in an index; a join or a delete of many rows reads the table anyway,
# while each index costs every write (and deleting from one is slow). The indexes kept serve the
# look-ups of one event and of its cluster (issue 12); schema 4 drops those that served none.
CLUSTER_INDEX = "CREATE INDEX IF NOT EXISTS cluster_members_event ON cluster_members (event_id)"
EVENTS_INDEX = "CREATE INDEX IF NOT EXISTS events_id ON events (event_id)"
UNUSED_INDEXES = ("events_doc", "event_parties_country", "cluster_members_doc", "clusters_block", "clusters_id")
PAIRS_SCHEMA = """
CREATE TABLE IF NOT EXISTS event_pairs (
    event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, date VARCHAR, event VARCHAR NOT NULL, quad INTEGER,
    score DOUBLE, contexts VARCHAR[], sectors VARCHAR[], actor_country VARCHAR, recipient_country VARCHAR,
    source VARCHAR, target VARCHAR, first_link BOOLEAN, first_pair BOOLEAN, first_dyad BOOLEAN,
    first_actor BOOLEAN, first_recipient BOOLEAN, recipient_only BOOLEAN, first_actor_partner BOOLEAN,
    first_recipient_partner BOOLEAN);
"""
# Analysts' corrections (tieline.corrections), kept apart from the coded records so that they
# outlive re-coding: the record as it was when corrected (``original``), the values resolved
# (``changes``), and the record each last applied to (NULL: it matched none when its document was
# last written).
CORRECTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    correction_id INTEGER NOT NULL, event_id VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, wrong BOOLEAN NOT NULL,
    changes JSON NOT NULL, why VARCHAR NOT NULL, who VARCHAR, made_at TIMESTAMP NOT NULL, original JSON NOT NULL,
    applied_to VARCHAR);
"""
CORRECTION_COLUMNS = ("correction_id", "event_id", "doc_id", "wrong", "changes", "why", "who", "made_at", "original",
                      "applied_to")
DOCUMENT_COLUMNS = ("id", "text_sha1", "date", "title", "url", "source", "text", "n_events", "coded_at",
                    "coder_version")
PARTY_COLUMNS = ("event_id", "doc_id", "role", "position", "country", "type", "name", "abbrev", "text")
EVENT_COLUMNS = ("event_id", "doc_id", "event", "mode", "actor_country", "actor_type", "actor_name", "actor_abbrev",
                 "recipient_country", "recipient_type", "recipient_name", "recipient_abbrev", "date",
                 "date_precision", "location_name", "location_country", "lat", "lon", "negated", "future",
                 "hypothetical", "historical", "cameo", "quad", "score", "confidence", "contexts", "sectors",
                 "sentence", "trigger", "rule", "record")
KEY_COLUMNS = ("actor_keys", "recipient_keys")
# Flat columns read from each event's record rather than stored: (type, SQL over the events row
# whose alias prefix is {e}). Whether an analyst corrected the record (tieline.corrections); the
# code of the state of the past each first party was part of (tieline.states); the Correlates of
# War number of that state, else of the party's country; a town's region and GeoNames id.
def _first(role: str, key: str) -> str:
    return (f"CASE WHEN json_type({{e}}record->'{role}') = 'ARRAY' THEN {{e}}record->'{role}'->0->>'{key}' "
            f"ELSE {{e}}record->'{role}'->>'{key}' END")


def _cow(role: str) -> str:
    """SQL of the COW number of a role's first member, from tieline's own tables (codes and
    numbers checked to be letters and digits before they are written into the SQL)."""
    from tieline.lexicon import default_lexicon

    lexicon = default_lexicon()
    numbers = {c.iso3: c.cow for c in lexicon.countries if c.cow}
    then = {s.code: s.cow for s in lexicon.historical_states if s.cow}
    for code, number in (*numbers.items(), *then.items()):
        if not (code.isalpha() and code.isupper() and number.isdigit()):
            raise ValueError(f"not a code and a COW number: {code!r}, {number!r}")

    def cases(table: dict[str, str]) -> str:
        return " ".join(f"WHEN '{code}' THEN '{number}'" for code, number in sorted(table.items()))

    return (f"coalesce(CASE {_first(role, 'country_then')} {cases(then)} END, "
            f"CASE {_first(role, 'country')} {cases(numbers)} END)")


@lru_cache(maxsize=1)
def record_columns() -> dict[str, tuple[str, str]]:
    return {"corrected": ("BOOLEAN", "coalesce(TRY_CAST({e}record->>'corrected' AS BOOLEAN), false)"),
            "actor_country_then": ("VARCHAR", _first("actor", "country_then")),
            "recipient_country_then": ("VARCHAR", _first("recipient", "country_then")),
            "actor_cow": ("VARCHAR", _cow("actor")),
            "recipient_cow": ("VARCHAR", _cow("recipient")),
            "location_admin1": ("VARCHAR", "{e}record->'location'->>'admin1'"),
            "location_admin1_code": ("VARCHAR", "{e}record->'location'->>'admin1_code'"),
            "location_geonameid": ("BIGINT", "TRY_CAST({e}record->'location'->>'geonameid' AS BIGINT)")}


def column_sql(name: str, prefix: str = "") -> str:
    """The SQL of an events column named in tieline's code: stored, or read from the record."""
    derived = record_columns().get(name)
    return derived[1].format(e=prefix) if derived else prefix + name
# The searchable text of an event, from SQL for its sentence and its story's title: each lowered by
# DuckDB, as the search lowers them, and joined by a NUL, which a search for words never holds (one
# with a NUL is searched the slow way), so that no match straddles the two.
SEARCH_TEXT = "lower(coalesce({sentence}, '')) || chr(0) || lower(coalesce({title}, ''))"


def search_text(sentence: str, title: str) -> str:
    """:data:`SEARCH_TEXT` for the SQL of a sentence and a title (written in tieline's code)."""
    return SEARCH_TEXT.format(sentence=sentence, title=title)


# Each event's party keys from a parties relation {parties}: a party matches a search for a code
# when a member's country is the code or its abbreviation is the code in any case.
KEYS_SELECT = """
SELECT event_id,
       coalesce(list_sort(list_distinct(list(key) FILTER (WHERE role = 'actor'))), []) AS actor_keys,
       coalesce(list_sort(list_distinct(list(key) FILTER (WHERE role = 'recipient'))), []) AS recipient_keys
FROM (SELECT event_id, role, unnest([country, upper(abbrev)]) AS key FROM {parties})
WHERE key IS NOT NULL GROUP BY event_id"""

# The rows of event_pairs from an events relation {events} and its parties {parties}. Members are
# taken in their order (actor position, then recipient position); each first_* flag marks the
# first row of an event with one value of the key it names, and only where that key can be
# counted (its countries known):
#   first_link       source -> target (network)          first_pair     actor country -> recipient country (dyad)
#   first_dyad       the unordered pair of countries      first_actor    the actor country (profile, timeline)
#   first_recipient  the recipient country (profile)      recipient_only ... and not also an actor country (timeline)
#   first_actor_partner / first_recipient_partner: (country, partner) as partners counts it, once
#   per event whichever side the country is on (partners, profile)
PAIRS_SELECT = """
WITH sides AS (
    SELECT e.event_id, e.doc_id, e.date, e.event, e.quad, e.score, list_distinct(e.contexts) AS contexts,
           list_distinct(e.sectors) AS sectors, pa.country AS actor_country, pr.country AS recipient_country,
           coalesce(pa.country, pa.abbrev) AS source, coalesce(pr.country, pr.abbrev) AS target,
           pa.position AS actor_position, coalesce(pr.position, 0) AS recipient_position
    FROM {events} e JOIN {parties} pa ON pa.event_id = e.event_id AND pa.role = 'actor'
    LEFT JOIN {parties} pr ON pr.event_id = e.event_id AND pr.role = 'recipient'
    WHERE NOT e.negated),
ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY event_id, source, target ORDER BY actor_position, recipient_position) AS n_link,
        row_number() OVER (PARTITION BY event_id, actor_country, recipient_country
                           ORDER BY actor_position, recipient_position) AS n_pair,
        row_number() OVER (PARTITION BY event_id, least(actor_country, recipient_country),
                                        greatest(actor_country, recipient_country)
                           ORDER BY actor_position, recipient_position) AS n_dyad,
        row_number() OVER (PARTITION BY event_id, actor_country ORDER BY actor_position, recipient_position) AS n_actor,
        row_number() OVER (PARTITION BY event_id, recipient_country
                           ORDER BY actor_position, recipient_position) AS n_recipient,
        row_number() OVER (PARTITION BY event_id, actor_country, target
                           ORDER BY actor_position, recipient_position) AS n_actor_partner,
        row_number() OVER (PARTITION BY event_id, recipient_country, source
                           ORDER BY actor_position, recipient_position) AS n_recipient_partner,
        list(actor_country) OVER (PARTITION BY event_id) AS actor_countries,
        list([actor_country, target]) OVER (PARTITION BY event_id) AS actor_links
    FROM sides)
SELECT event_id, doc_id, date, event, quad, score, contexts, sectors, actor_country, recipient_country,
       source, target,
       n_link = 1 AND source IS NOT NULL AND target IS NOT NULL AND source <> target AS first_link,
       n_pair = 1 AND actor_country IS NOT NULL AND recipient_country IS NOT NULL AS first_pair,
       n_dyad = 1 AND actor_country IS NOT NULL AND recipient_country IS NOT NULL
           AND actor_country <> recipient_country AS first_dyad,
       n_actor = 1 AND actor_country IS NOT NULL AS first_actor,
       n_recipient = 1 AND recipient_country IS NOT NULL AS first_recipient,
       n_recipient = 1 AND recipient_country IS NOT NULL
           AND NOT list_contains(actor_countries, recipient_country) AS recipient_only,
       n_actor_partner = 1 AND actor_country IS NOT NULL AND target IS NOT NULL
           AND target <> actor_country AS first_actor_partner,
       n_recipient_partner = 1 AND recipient_country IS NOT NULL AND source IS NOT NULL
           AND source <> recipient_country
           AND NOT list_contains(actor_links, [recipient_country, source]) AS first_recipient_partner
FROM ranked"""


def pairs_select(events: str, parties: str) -> str:
    """:data:`PAIRS_SELECT` over the relations named (names written in tieline's code, never input)."""
    return PAIRS_SELECT.format(events=events, parties=parties)


def keys_select(parties: str) -> str:
    """:data:`KEYS_SELECT` over the parties relation named (a name written in tieline's code)."""
    return KEYS_SELECT.format(parties=parties)


# The day of an event row e of document d, as tieline.store.event_day gives it: its own day, else
# the publication date when that falls inside the event's coarser date.
EVENT_DAY = ("CASE WHEN length(e.date) = 10 THEN TRY_CAST(e.date AS DATE) WHEN d.date IS NOT NULL AND "
             "(e.date IS NULL OR starts_with(strftime(d.date, '%Y-%m-%d'), e.date)) THEN d.date END")

# schema 3 -> 4, on a database whose events and parties are stored: the events table is written
# again with its party keys (DuckDB updates list columns of millions of rows slowly), then the
# pairs of every event
UPGRADE_TO_4 = (
    EVENTS_TABLE.format(name="events_keyed"),
    f"""INSERT INTO events_keyed SELECT {", ".join(f"e.{c}" for c in EVENT_COLUMNS)},
            coalesce(k.actor_keys, []), coalesce(k.recipient_keys, []), {search_text("e.sentence", "d.title")}
        FROM events e LEFT JOIN ({keys_select("event_parties")}) k USING (event_id)
        LEFT JOIN documents d ON d.id = e.doc_id""",
    "DROP TABLE events",
    "ALTER TABLE events_keyed RENAME TO events",
    *(f"DROP INDEX IF EXISTS {name}" for name in UNUSED_INDEXES),
    "DELETE FROM event_pairs",
    f"INSERT INTO event_pairs {pairs_select('events', 'event_parties')}",
)

# schema 4 -> 5: the day each clustered report was clustered on (tieline.store.event_day), so
# that a run of tieline.dedup reads only the stored reports its new ones may join
UPGRADE_TO_5 = (
    "ALTER TABLE cluster_members ADD COLUMN IF NOT EXISTS day DATE",
    f"""UPDATE cluster_members SET day = k.day
        FROM (SELECT e.event_id, {EVENT_DAY} AS day FROM events e JOIN documents d ON d.id = e.doc_id) k
        WHERE cluster_members.event_id = k.event_id""",
)


def stand_ins(version: int, database: str) -> tuple[str, ...]:
    """Views standing in for what schema 4 added, on a file of schema 2 or 3 opened read-only
    (which cannot be upgraded): the same reads then work, only slower. ``database`` is the
    attached file's catalogue name; the views live in the connection's temporary schema."""
    if version >= 4 or version < 2:
        return ()
    main = '"' + database.replace('"', '""') + '".main'
    return (f"""CREATE OR REPLACE TEMP VIEW events AS
                SELECT e.*, coalesce(k.actor_keys, []) AS actor_keys, coalesce(k.recipient_keys, []) AS recipient_keys,
                       {search_text("e.sentence", "d.title")} AS search_text
                FROM {main}.events e LEFT JOIN ({keys_select(main + '.event_parties')}) k USING (event_id)
                LEFT JOIN {main}.documents d ON d.id = e.doc_id""",
            f"CREATE OR REPLACE TEMP VIEW event_pairs AS {pairs_select(main + '.events', main + '.event_parties')}")


PAIR_COLUMNS = ("event_id", "doc_id", "date", "event", "quad", "score", "contexts", "sectors", "actor_country",
                "recipient_country", "source", "target", "first_link", "first_pair", "first_dyad", "first_actor",
                "first_recipient", "recipient_only", "first_actor_partner", "first_recipient_partner")


def party_rows(record: EventRecord) -> list[tuple[Any, ...]]:
    """The event_parties rows of one record (:data:`PARTY_COLUMNS`)."""
    rows = []
    for role, party in (("actor", record.actor), ("recipient", record.recipient)):
        for position, p in enumerate(party.members if party is not None else (), 1):
            rows.append((record.event_id, record.doc_id, role, position, p.country, p.type, p.name, p.abbrev, p.text))
    return rows


def event_row(record: EventRecord) -> tuple[Any, ...]:
    """The events row of one record (:data:`EVENT_COLUMNS`)."""
    d = record.to_dict()
    actor = record.actor.first
    recipient = record.recipient.first if record.recipient is not None else Member()
    location = d["location"] or {}
    return (d["event_id"], d["doc_id"], d["event"], d["mode"], actor.country, actor.type, actor.name, actor.abbrev,
            recipient.country, recipient.type, recipient.name, recipient.abbrev, d["date"], d["date_precision"],
            location.get("name"), location.get("country"), location.get("lat"), location.get("lon"), d["negated"], d["future"],
            d["hypothetical"], d["historical"], d["cameo"], d["quad"], d["score"], d["confidence"],
            d["contexts"], d["sectors"], d["sentence"], d["trigger"], d["rule"], json.dumps(d, ensure_ascii=False))


def pair_rows(record: EventRecord) -> list[tuple[Any, ...]]:
    """The event_pairs rows of one record, as :data:`PAIRS_SELECT` computes them (the write path
    computes them here: running that SQL for every small batch cost more than the rest of the write)."""
    if record.negated:
        return []
    recipients: tuple[Member | None, ...] = record.recipient.members if record.recipient is not None else ()
    sides = [(a, r) for a in record.actor.members for r in (recipients or (None,))]
    actor_countries = {a.country for a in record.actor.members}
    actor_links = {(a.country, _key(r)) for a, r in sides}
    seen: dict[str, set[Any]] = {name: set() for name in ("link", "pair", "dyad", "actor", "recipient", "ap", "rp")}

    def first(name: str, key: Any) -> bool:
        new = key not in seen[name]
        seen[name].add(key)
        return new

    head = (record.event_id, record.doc_id, record.date, record.event, record.quad, record.score,
            list(dict.fromkeys(record.contexts)), list(dict.fromkeys(record.sectors)))
    rows = []
    for a, r in sides:
        ac, rc, source, target = a.country, r.country if r is not None else None, _key(a), _key(r)
        known = ac is not None and rc is not None
        rows.append((*head, ac, rc, source, target,
                     first("link", (source, target)) and None not in (source, target) and source != target,
                     first("pair", (ac, rc)) and known,
                     first("dyad", tuple(sorted((ac, rc))) if known else None) and known and ac != rc,
                     first("actor", ac) and ac is not None,
                     (first_recipient := first("recipient", rc)) and rc is not None,
                     first_recipient and rc is not None and rc not in actor_countries,
                     first("ap", (ac, target)) and ac is not None and target is not None and target != ac,
                     first("rp", (rc, source)) and rc is not None and source is not None and source != rc
                     and (rc, source) not in actor_links))
    return rows


def _key(member: Member | None) -> str | None:
    """A member's key in the network: its country, else its abbreviation."""
    if member is None:
        return None
    return member.country if member.country is not None else member.abbrev


# (what is wrong, SQL counting it) for Store.check
CHECKS = (
    ("event_parties rows without their event",
     "SELECT count(*) FROM event_parties p WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = p.event_id)"),
    ("event_parties rows stored twice",
     "SELECT count(*) FROM (SELECT event_id, role, position FROM event_parties GROUP BY ALL HAVING count(*) > 1)"),
    ("events without their document",
     "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = e.doc_id)"),
    ("events stored twice", "SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)"),
    ("documents whose n_events is not their number of events",
     "SELECT count(*) FROM documents d WHERE n_events <> (SELECT count(*) FROM events e WHERE e.doc_id = d.id)"),
    ("event_pairs rows without their event",
     "SELECT count(*) FROM event_pairs p WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = p.event_id)"),
    ("affirmed events without their pairs", "SELECT count(*) FROM events e WHERE NOT e.negated "
     "AND NOT EXISTS (SELECT 1 FROM event_pairs p WHERE p.event_id = e.event_id)"),
    ("cluster_members rows without their event",
     "SELECT count(*) FROM cluster_members m WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = m.event_id)"),
)
