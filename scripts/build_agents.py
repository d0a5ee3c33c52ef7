"""Build tieline/data/agents.csv (term,type): agent nouns -> PLOVER sector codes.

Sources: NGEC PLOVER_agents.txt (ahalterman/NGEC-2025, MIT) and Phoenix.agents.txt
(openeventdata/petrarch2, MIT), both in PETRARCH agents-dictionary syntax
(``PHRASE {PLURAL} [~CODE]``, ``!SET! = A, B`` substitution sets), plus the hand file
scripts/agents_extra.csv, which adds terms and overrides derived ones.

Normalisation: lower-case, underscores to spaces, substitution sets expanded with their
singular members, regular plurals dropped when the singular is present, TABARI stems
and non-alphabetic phrases skipped. CAMEO-only sector codes are mapped to PLOVER ones
(HLH->MED, religion codes->REL, ENV->SOC, HRI->NGO, PPL->CVL); JNK/NON (non-actors)
are dropped. Codes ending in OPP become OPP when the phrase names opposition or
dissent, otherwise the first code is used.

Usage: python -m scripts.build_agents [SHARED_DIR]
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from scripts._common import read_hand_csv, shared_arg, write_csv

HEADER = ["term", "type"]
PLOVER = {
    "COP", "GOV", "JUD", "LEG", "MIL", "PRM", "PTY", "REB", "SPY", "UAF", "UNK", "AGR",
    "BUS", "CRM", "CVL", "EDU", "ELI", "JRN", "LAB", "MED", "REF", "OPP", "PRE", "REL",
    "SOC", "IGO", "NGO",
}
CAMEO_TO_PLOVER = {
    "HLH": "MED", "MUS": "REL", "CHR": "REL", "JEW": "REL", "BUD": "REL", "HIN": "REL",
    "CTH": "REL", "PRO": "REL", "ENV": "SOC", "HRI": "NGO", "PPL": "CVL", "DEV": "GOV",
}
PLURAL_MEMBERS = {"MEN", "WOMEN", "PERSONS", "PEOPLE", "MINISTERS", "MINISTRIES"}
OPP_WORDS = re.compile(r"oppos|dissid|dissent|exile|shadow|outlawed|in exile")
# Truncated TABARI stems found in the sources (a word cut short to match endings).
STEM_RE = re.compile(r"(?:^| )(?:\w*ministr|\w*industr|secretar|\w*authorit|\w*militar)(?: |$)")
DANGLING_RE = re.compile(r" (of|for|to|the|and|in|with|on|at)$")
WORD_RE = re.compile(r"^[a-z][a-z'.-]*(?: [a-z][a-z'.-]*)*$")


def to_type(code: str, term: str) -> str | None:
    code = code.replace("~", "").strip().upper()
    chunks = [code[i:i + 3] for i in range(0, len(code), 3)]
    if not chunks or chunks[0] in {"JNK", "NON", "RAD", ""}:
        return None
    if "OPP" in chunks and OPP_WORDS.search(term):
        return "OPP"
    first = CAMEO_TO_PLOVER.get(chunks[0], chunks[0])
    return first if first in PLOVER else None


def read_agents(path: Path) -> list[tuple[str, str]]:
    subst: dict[str, list[str]] = {}
    out: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.split("#")[0].rstrip()
            if not line.strip():
                continue
            if "!" in line and "=" in line and "[" not in line:
                name = line[line.index("!") + 1:line.index("!", line.index("!") + 1)]
                subst[name] = [x.strip() for x in line.split("=", 1)[1].split(",") if x.strip()]
                continue
            if "[" not in line:
                continue
            phrase, _, rest = line.partition("[")
            code = rest.partition("]")[0]
            phrase = re.sub(r"\{[^}]*\}", "", phrase).strip()
            phrase = phrase.replace("AD!MINIST!RATION", "ADMINISTRATION")  # source typo
            phrases = [phrase]
            m = re.search(r"!(\w+)!", phrase)
            if m:
                members = [x for x in subst.get(m.group(1), []) if x not in PLURAL_MEMBERS]
                phrases = [phrase.replace(m.group(0), x) for x in members]
            for p in phrases:
                term = re.sub(r"[_\s]+", " ", p).strip(" _").lower()
                if re.search(r"\bminist\b", term):  # TABARI stem for minister/ministry
                    out += [(re.sub(r"\bminist\b", w, term), code) for w in ("minister", "ministry")]
                else:
                    out.append((term, code))
    return out


def build(gaz: Path) -> list[list[str]]:
    terms: dict[str, str] = {}
    sources = [
        gaz / "NGEC_assets" / "PLOVER_agents.txt",
        gaz / "petrarch2_dictionaries" / "Phoenix.agents.txt",
    ]
    for src in sources:
        for term, code in read_agents(src):
            if (not WORD_RE.match(term) or STEM_RE.search(term) or len(term) < 3
                    or DANGLING_RE.search(term)):
                continue
            t = to_type(code, term)
            if t and term not in terms:
                terms[term] = t

    # drop regular plurals whose singular is present with the same type
    def singulars(w: str) -> list[str]:
        c = []
        if w.endswith("ies"):
            c.append(w[:-3] + "y")
        if w.endswith("es"):
            c.append(w[:-2])
        if w.endswith("s") and not w.endswith("ss"):
            c.append(w[:-1])
        if w.endswith("men"):
            c.append(w[:-3] + "man")
        return c

    for term in list(terms):
        if any(s in terms and terms[s] == terms[term] for s in singulars(term)):
            del terms[term]

    for row in read_hand_csv("agents_extra.csv"):
        term = re.sub(r"\s+", " ", row["term"].strip().lower())
        if row["type"] not in PLOVER:
            sys.exit(f"agents_extra.csv: bad type {row['type']!r} for {term!r}")
        terms[term] = row["type"]

    return [[t, ty] for t, ty in terms.items()]


def main(argv=None) -> None:
    gaz = shared_arg(argv)
    rows = build(gaz)
    path = write_csv("agents.csv", HEADER, rows)
    print(f"agents.csv: {len(rows)} rows -> {path}")


if __name__ == "__main__":
    main()
