"""Shared helpers for the table build scripts (stdlib only)."""
from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tieline" / "data"
SCRIPTS = REPO / "scripts"
DEFAULT_SHARED = REPO.parent / "shared"

SEP = "|"


def gazetteers(shared: str | Path | None) -> Path:
    """Return the gazetteer folder inside the shared folder given on the command line."""
    base = Path(shared) if shared else DEFAULT_SHARED
    for cand in (base / "data" / "gazetteers", base / "gazetteers", base):
        if (cand / "petrarch2_dictionaries").is_dir():
            return cand
    sys.exit(f"cannot find data/gazetteers/petrarch2_dictionaries under {base}")


def shared_arg(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    return gazetteers(argv[0] if argv else None)


def read_hand_csv(name: str) -> list[dict[str, str]]:
    """Read a hand-written CSV from scripts/ (lines starting with '#' are comments)."""
    path = SCRIPTS / name
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    return [
        {k: (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO("".join(lines)))
    ]


def write_csv(name: str, header: list[str], rows: list[list[object]], sort: bool = True) -> Path:
    """Write tieline/data/<name> deterministically: UTF-8, '\\n' line endings, sorted rows."""
    out = [["" if v is None else str(v) for v in r] for r in rows]
    if sort:
        out.sort(key=lambda r: [c.casefold() for c in r] + r)
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(out)
    return path


def join(values) -> str:
    """Join unique non-empty values with '|' keeping first-seen order."""
    seen: list[str] = []
    low: set[str] = set()
    for v in values:
        v = clean_space(v)
        if v and v not in low:
            low.add(v)
            seen.append(v)
    return SEP.join(seen)


def split(cell: str) -> list[str]:
    return [p.strip() for p in (cell or "").split(SEP) if p.strip()]


def clean_space(s: str) -> str:
    s = (s or "").replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


def fold(s: str) -> str:
    """Accent- and case-insensitive key."""
    s = unicodedata.normalize("NFKD", clean_space(s))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.casefold()


def fmt_coord(x: float) -> str:
    return f"{float(x):.4f}"
