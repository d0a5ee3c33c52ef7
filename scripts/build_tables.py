"""Build every derived data table in tieline/data/ and check them.

Usage (from the repository root):
    .venv/bin/python -m scripts.build_tables [SHARED_DIR] [--factbook EXTRACT.jsonl [--history HISTORY.jsonl]]

SHARED_DIR is the read-only shared folder holding data/gazetteers/ (default: ../shared
relative to the repository root). Output is deterministic: rows sorted, UTF-8, '\\n'
line endings. See tieline/data/SOURCES.md for what each table comes from.

The current leaders (leaders_current.csv) come from CIA World Factbook extracts that are not
kept in the repository (their text is the Factbook's; only the facts derived from it are
ours): with --factbook (and --history for the older snapshots) they are rebuilt too, with
the hand rows of scripts/leaders_hand.csv; without, the table is kept and checked.
"""
from __future__ import annotations

import sys

from scripts import (
    build_agents,
    build_cameo_groups,
    build_countries,
    build_current_leaders,
    build_leaders,
    build_organizations,
    build_places,
    check_tables,
)
from scripts._common import shared_arg


def _factbook_args(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """The arguments for build_current_leaders (None without --factbook), and the rest."""
    if "--factbook" not in argv:
        return argv, None
    i = argv.index("--factbook")
    if i + 1 >= len(argv):
        sys.exit("--factbook needs an extract file")
    factbook = [argv[i + 1]]
    rest = argv[:i] + argv[i + 2:]
    if "--history" in rest:
        j = rest.index("--history")
        if j + 1 >= len(rest):
            sys.exit("--history needs a file")
        factbook += ["--history", rest[j + 1]]
        rest = rest[:j] + rest[j + 2:]
    return rest, factbook


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    argv, factbook = _factbook_args(argv)
    shared_arg(argv)  # fail early on a bad path
    build_countries.main(argv)  # first: the others read countries.csv
    build_places.main(argv)
    build_organizations.main(argv)
    build_cameo_groups.main(argv)  # reads organizations.csv
    build_agents.main(argv)
    build_leaders.main(argv)
    if factbook is not None:
        build_current_leaders.main(factbook)
    else:
        print("leaders_current.csv: kept (rebuild it with --factbook EXTRACT.jsonl [--history HISTORY.jsonl]; "
              "see tieline/data/SOURCES.md)")
    return check_tables.main()


if __name__ == "__main__":
    sys.exit(main())
