"""Build every derived data table in tieline/data/ and check them.

Usage (from the repository root):
    .venv/bin/python scripts/build_tables.py [SHARED_DIR]

SHARED_DIR is the read-only shared folder holding data/gazetteers/ (default: ../shared
relative to the repository root). Output is deterministic: rows sorted, UTF-8, '\\n'
line endings. See tieline/data/SOURCES.md for what each table comes from.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_agents  # noqa: E402
import build_countries  # noqa: E402
import build_leaders  # noqa: E402
import build_organizations  # noqa: E402
import build_places  # noqa: E402
import check_tables  # noqa: E402
from _common import shared_arg  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    shared_arg(argv)  # fail early on a bad path
    build_countries.main(argv)  # first: the others read countries.csv
    build_places.main(argv)
    build_organizations.main(argv)
    build_agents.main(argv)
    build_leaders.main(argv)
    return check_tables.main()


if __name__ == "__main__":
    sys.exit(main())
