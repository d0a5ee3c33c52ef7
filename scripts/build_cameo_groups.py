"""Build tieline/data/organization_cameo.csv: the CAMEO actor code of each organisation of
organizations.csv that the Phoenix international actors dictionary codes (issue 13: GDELT's
Actor1Code of the UN is IGOUNO, its KnownGroupCode UNO).

Source: Phoenix.International.actors.txt (petrarch2 dictionaries, MIT). An organisation matches
a dictionary entry when its abbreviation, name or one of its aliases is one of the entry's
phrases (case and punctuation aside); the entry's first code without a date range is taken.
Only codes of intergovernmental and non-governmental organisations (IGO..., NGO...) are kept.

Usage: python -m scripts.build_cameo_groups [SHARED_DIR]
"""

from __future__ import annotations

import csv
import re

from scripts._common import DATA, gazetteers, shared_arg, split, write_csv

HEADER = ["abbrev", "cameo"]
CODE = re.compile(r"\[([A-Z]{3,})(\s[^\]]*)?\]")


def phrase(text: str) -> str:
    """A name as the dictionary spells its phrases: upper case, words joined by "_"."""
    words = re.sub(r"[^A-Z0-9]+", " ", text.upper().replace(".", "")).split()
    return "_".join(words)


def entries(path) -> list[tuple[list[str], str]]:
    """(phrases, first undated code) of each entry of a TABARI actors dictionary."""
    out: list[tuple[list[str], str]] = []
    names: list[str] = []
    codes: list[str] = []

    def close() -> None:
        if names and codes:
            out.append((list(names), codes[0]))

    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        found = [(m.group(1), m.group(2)) for m in CODE.finditer(line)]
        head = CODE.sub("", line).strip()
        if head and not raw[0].isspace():
            if not head.startswith("+"):
                close()
                names, codes = [], []
            names.append(phrase(head.lstrip("+")))
        codes.extend(code for code, dated in found if not (dated or "").strip())
    close()
    return out


def main(argv: list[str] | None = None) -> None:
    dictionary = gazetteers(shared_arg(argv)) / "petrarch2_dictionaries" / "Phoenix.International.actors.txt"
    by_phrase: dict[str, str] = {}
    for names, code in entries(dictionary):
        if code.startswith(("IGO", "NGO")):
            for name in names:
                by_phrase.setdefault(name, code)
    rows = []
    with (DATA / "organizations.csv").open(encoding="utf-8", newline="") as table:
        for org in csv.DictReader(table):
            for name in (org["abbrev"], org["name"], *split(org["aliases"])):
                code = by_phrase.get(phrase(name))
                if code:
                    rows.append([org["abbrev"], code])
                    break
    path = write_csv("organization_cameo.csv", HEADER, rows)
    print(f"organization_cameo.csv: {len(rows)} rows -> {path}")


if __name__ == "__main__":
    main()
