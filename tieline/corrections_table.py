"""The store's side of analysts' corrections (:mod:`tieline.corrections`): keeping them, applying
one to its stored record, applying a document's to its records each time it is written, and
listing them. A part of :class:`tieline.store.Store`, kept apart to keep that class readable."""

from __future__ import annotations

import json
from typing import Any, Protocol

import duckdb

from tieline.corrections import StoredCorrection, corrected, match
from tieline.duck import rollback, store_error, utc_now
from tieline.errors import CorrectionError
from tieline.schema import CORRECTION_COLUMNS, event_row, pair_rows, party_rows
from tieline.types import EventRecord


class StoreLike(Protocol):
    """What these methods use of :class:`tieline.store.Store`."""

    path: str
    con: duckdb.DuckDBPyConnection

    def read(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection: ...
    def has_table(self, name: str) -> bool: ...
    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None: ...
    def _insert_events(self, events: list[tuple[Any, ...]], parties: list[tuple[Any, ...]],
                       pairs: list[tuple[Any, ...]]) -> None: ...
    def _read_corrections(self, where: str, params: list[Any]) -> list[StoredCorrection]: ...


class CorrectionsTable:
    """The corrections methods of :class:`tieline.store.Store`."""

    @staticmethod
    def _corrected(records: tuple[EventRecord, ...], fixes: list[StoredCorrection],
                   applied_to: list[tuple[str | None, int]]) -> tuple[EventRecord, ...]:
        """A document's coded records with its analysts' corrections applied (issue 13); notes in
        ``applied_to`` which record each correction applied to."""
        matched, unmatched = match(fixes, records)
        applied_to.extend((None, c.correction_id) for c in unmatched)
        out = []
        for n, record in enumerate(records):
            mine = matched.get(n)
            if not mine:
                out.append(record)
                continue
            applied_to.extend((record.event_id, c.correction_id) for c in mine)
            fixed = corrected(record.to_dict(), mine)
            if fixed is not None:  # else marked wrong: left out
                out.append(EventRecord.from_dict(fixed))
        return tuple(out)

    def corrections_of(self: StoreLike, doc_ids: list[str]) -> dict[str, list[StoredCorrection]]:
        """{document id: its corrections, oldest first} of the documents given that have any."""
        if not doc_ids:  # a store that is written has been set up, corrections table and all
            return {}
        out: dict[str, list[StoredCorrection]] = {}
        for c in self._read_corrections("WHERE doc_id IN (SELECT unnest(?))", [doc_ids]):
            out.setdefault(c.doc_id, []).append(c)
        return out

    def _read_corrections(self: StoreLike, where: str, params: list[Any]) -> list[StoredCorrection]:
        """Corrections matching ``where`` (SQL written in tieline's code), in the order they were made."""
        rows = self.read(f"""SELECT correction_id, event_id, doc_id, original->>'sentence', original->>'trigger',
                                 original->>'event', wrong, changes, why, who, made_at FROM corrections {where}
                                 ORDER BY made_at, correction_id""", params).fetchall()
        return [StoredCorrection(n, e, d, sentence or "", trigger or "", event or "", wrong, json.loads(changes), why,
                                 who, at) for n, e, d, sentence, trigger, event, wrong, changes, why, who, at in rows]

    def correct(self: StoreLike, event_id: str, changes: dict[str, Any], *, wrong: bool, why: str,
                who: str | None = None) -> tuple[int, dict[str, Any], dict[str, Any] | None]:
        """Keep an analyst's correction of the stored record ``event_id`` (values resolved by
        :func:`tieline.corrections.resolve`) and apply it: the record is rewritten, or left out
        when marked wrong, and its cluster is rebuilt by the next dedup run. Returns the
        correction's number, the record before and the record after (None when marked wrong).

        Raises:
            CorrectionError: no such event is stored.
            StoreError: the correction could not be written (nothing is changed).
        """
        row = self.read("SELECT e.record, e.doc_id, d.title FROM events e JOIN documents d ON d.id = e.doc_id "
                        "WHERE e.event_id = ?", [event_id]).fetchone()
        if row is None:
            earlier = self.read("SELECT correction_id FROM corrections WHERE applied_to = ? AND wrong",
                                [event_id]).fetchone()
            gone = f" (correction {earlier[0]} marked it wrong)" if earlier else ""
            raise CorrectionError(f"no event {event_id!r} in {self.path}{gone}")
        before, doc_id, title = json.loads(row[0]), row[1], row[2]
        last = self.read("SELECT coalesce(max(correction_id), 0) FROM corrections").fetchone()
        number = int(last[0] if last else 0) + 1
        stored = StoredCorrection(number, event_id, doc_id, before.get("sentence") or "", before.get("trigger") or "",
                                  before.get("event") or "", wrong, changes, why, who, utc_now())
        after = corrected(before, [stored])
        try:
            self.con.execute("BEGIN TRANSACTION")
            self._insert("corrections", CORRECTION_COLUMNS,
                         [(number, event_id, doc_id, wrong, json.dumps(changes, ensure_ascii=False), why, who,
                           stored.at, row[0], event_id)])
            self.con.execute("INSERT INTO dedup_dirty SELECT DISTINCT block FROM cluster_members WHERE event_id = ?",
                             [event_id])
            for table in ("cluster_members", "event_pairs", "event_parties", "events"):
                self.con.execute(f"DELETE FROM {table} WHERE event_id = ?", [event_id])
            if after is not None:
                record = EventRecord.from_dict(after)
                self._insert_events([(*event_row(record), title)], party_rows(record), pair_rows(record))
            else:
                self.con.execute("UPDATE documents SET n_events = n_events - 1 WHERE id = ?", [doc_id])
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            rollback(self.con, self.path)
            raise store_error(self.path, "the correction could not be written (nothing was changed)", exc) from exc
        return number, before, after

    def corrections(self: StoreLike) -> list[tuple[StoredCorrection, dict[str, Any], str | None]]:
        """Every correction, oldest first, with the record it was made on and the id of the
        record it last applied to (None: it matched none when its document was last written)."""
        if not self.has_table("corrections"):
            return []
        found = self._read_corrections("", [])
        extra = dict(((n, (json.loads(o), a)) for n, o, a in
                      self.read("SELECT correction_id, original, applied_to FROM corrections").fetchall()))
        return [(c, extra[c.correction_id][0], extra[c.correction_id][1]) for c in found]
