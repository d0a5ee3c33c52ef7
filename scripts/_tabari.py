"""Reader for TABARI / PETRARCH actor dictionaries (openeventdata/petrarch2 format).

Format summary (see the file headers and petrarch2 docs/source/dictionaries.rst):
  * lines starting with '#' are comments; ' #' starts a trailing comment;
  * a line not starting with '+' or whitespace is a primary phrase, optionally with an
    inline code: ``IRAN_  [IRN]``; consecutive primary lines without codes share the
    codes that follow them;
  * ``+PHRASE`` lines are synonyms of the current primary phrase;
  * tab-indented ``[CODE restriction]`` lines give codes with optional date
    restrictions: ``>DATE`` (from), ``<DATE`` (until), ``DATE-DATE``, or none (default);
  * dates are YYYYMMDD or YYMMDD, where YY 00-30 means 20YY and 31-99 means 19YY
    (the KEDS/TABARI convention implemented by PETRARCH's dstr_to_ordate);
  * underscores join the words of a phrase; a trailing underscore is a TABARI stem mark.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Code:
    code: str
    start: str = ""  # ISO date or ""
    end: str = ""
    restricted: bool = False  # True when the line carried a date restriction


@dataclass
class Group:
    names: list[str] = field(default_factory=list)  # raw phrases, primary first
    codes: list[Code] = field(default_factory=list)
    countryinfo: bool = False  # primary line tagged "# CountryInfo.txt"
    line: int = 0


def parse_date(s: str) -> str | None:
    """TABARI date string -> ISO 'YYYY-MM-DD', or None when invalid."""
    s = s.strip()
    if not s.isdigit():
        return None
    try:
        if len(s) <= 7:
            if len(s) != 6:
                return None
            yy = int(s[:2])
            year = 2000 + yy if yy <= 30 else 1900 + yy
            d = _dt.date(year, int(s[2:4]), int(s[4:6]))
        else:
            d = _dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None
    return d.isoformat()


_CODE_RE = re.compile(r"\[\s*([^\]\s]*)\s*([^\]]*)\]")


def parse_code(text: str) -> Code | None:
    """Parse '[IRNGOV >20130803]' style text; returns None for malformed dates."""
    m = _CODE_RE.search(text)
    if not m:
        return None
    code, rest = m.group(1).strip(), m.group(2).strip()
    if not rest:
        return Code(code)
    if rest[0] in "<>":
        digits = re.sub(r"\D", "", rest[1:].split()[0] if rest[1:].split() else "")
        d = parse_date(digits)
        if d is None:
            return None
        return Code(code, start=d, restricted=True) if rest[0] == ">" else Code(code, end=d, restricted=True)
    if "-" in rest:
        a, _, b = rest.partition("-")
        da, db = parse_date(a), parse_date(b.split()[0] if b.split() else "")
        if da is None or db is None or db < da:
            return None
        return Code(code, start=da, end=db, restricted=True)
    # a bare date: read as the start of an open-ended period
    d = parse_date(rest.split()[0])
    if d is None:
        return None
    return Code(code, start=d, restricted=True)


def parse_actor_file(path: Path) -> list[Group]:
    groups: list[Group] = []
    cur: Group | None = None
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#") or line.startswith("<!"):
                continue
            comment = ""
            if "#" in line:
                i = line.index("#")
                comment, line = line[i:], line[:i]
            if not line.strip():
                continue
            if line[0] in " \t":
                if "[" in line and cur is not None:
                    c = parse_code(line)
                    if c is not None:
                        cur.codes.append(c)
                continue
            if line.startswith("+"):
                if cur is not None:
                    phrase = line[1:].split("[")[0].strip()
                    if phrase:
                        cur.names.append(phrase)
                continue
            inline = parse_code(line) if "[" in line else None
            phrase = line.split("[")[0].strip()
            if cur is None or cur.codes:
                cur = Group(line=lineno, countryinfo="CountryInfo" in comment)
                groups.append(cur)
            if phrase:
                cur.names.append(phrase)
            if inline is not None:
                cur.codes.append(inline)
    return groups


# ----------------------------------------------------------------------------------
# Natural-case conversion of upper-case dictionary phrases

_LOWER_PARTICLES = {
    "al", "el", "ad", "ud", "ul", "ur", "bin", "bint", "ibn", "van", "von", "der", "den",
    "de", "da", "di", "do", "dos", "das", "du", "del", "della", "la", "ter", "y",
    "of", "the", "and", "for", "in", "on", "at", "to", "wa", "wal", "an", "as", "ash",
}
_ROMAN = {"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"}


def _cap_word(w: str, first: bool = False) -> str:
    if not w:
        return w
    up = w.upper()
    if up in _ROMAN and not first:
        return up
    if re.fullmatch(r"(?:[A-Z]\.)+", up):  # initials: N. / U.S.
        return up
    if up == "JR.":
        return "Jr."
    if any(ch.isdigit() for ch in w):
        return up
    low = w.lower()
    if "'" in low:
        head, _, tail = low.partition("'")
        if not head:  # 'Mamohato
            return "'" + _cap_word(tail)
        if len(head) == 1:  # O'Brien, D'Alema
            return head.upper() + "'" + _cap_word(tail)
        return _cap_word(head) + "'" + tail
    if low.startswith("mc") and len(low) > 3:
        return "Mc" + low[2].upper() + low[3:]
    return low[0].upper() + low[1:]


def smart_title(phrase: str, east_asian: bool = False) -> str:
    """'ABDEL_FATTAH_EL-SISI' -> 'Abdel Fattah el-Sisi'; 'BORIS_N._YELTSIN' -> 'Boris N. Yeltsin'.

    With east_asian=True the syllable after a hyphen stays lower-case (Ban Ki-moon).
    Parenthesised tokens (acronyms) stay upper-case.
    """
    text = re.sub(r"[_\s]+", " ", phrase).strip(" _")
    words = text.split(" ")
    out = []
    for i, w in enumerate(words):
        if w.startswith("(") and w.endswith(")"):
            out.append(w.upper())
            continue
        parts = w.split("-")
        res = []
        for j, p in enumerate(parts):
            pl = p.lower()
            first = i == 0 and j == 0
            if j > 0 and east_asian and pl.isalpha():
                res.append(pl)
            elif not first and not east_asian and (pl in _LOWER_PARTICLES or (len(pl) == 1 and j > 0 and pl in "eiuo")):
                res.append(pl)
            else:
                res.append(_cap_word(p, first))
        out.append("-".join(res))
    return " ".join(out)
