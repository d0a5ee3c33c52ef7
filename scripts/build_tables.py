"""Build every derived data table in tieline/data/ and check them.

Usage (from the repository root):
    .venv/bin/python -m scripts.build_tables [SHARED_DIR]

SHARED_DIR is the read-only shared folder holding data/gazetteers/ (default: ../shared
relative to the repository root). Output is deterministic: rows sorted, UTF-8, '\\n'
line endings. See tieline/data/SOURCES.md for what each table comes from.
"""
from __future__ import annotations

import sys

from scripts import build_agents, build_countries, build_leaders, build_organizations, build_places, check_tables
from scripts._common import shared_arg


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
