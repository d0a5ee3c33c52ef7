"""Build tieline/data/leaders_current.csv from a CIA World Factbook extract.

The CIA World Factbook is a work of the US government and in the public domain. Its
country profiles are mirrored as JSON in the GitHub repository factbook/factbook.json
(one file per country, e.g. europe/rs.json). The extract read here is a JSON-lines file
with one object per country:

    {"path": "europe/rs.json", "commit": "<sha>", "country": "Russia",
     "chief_of_state": "President Vladimir Vladimirovich PUTIN (since 7 May 2012); ...",
     "head_of_government": "Premier Mikhail Vladimirovich MISHUSTIN (since 16 January 2020); ..."}

i.e. the country's conventional short name and the two texts of Government >
Executive branch ("chief of state", "head of government"), copied as they stand.

One output row per person and office:  name,aliases,country,type,role,start,end
  * name     natural case ("Vladimir Vladimirovich Putin"; the Factbook writes the
             surname or the name used in address in capitals); particles such as
             "bin", "al-", "da", "de" are lower case inside a name;
  * aliases  the capitalised part alone when it is distinctive (more than 3 letters and
             not a common word or given name), short forms ("Vladimir Putin"),
             nicknames given in quotes, "also spelled" forms, "<title> <name>" for
             monarchs, a few hand-added native spellings with diacritics and usual
             short forms (NATIVE below) and the diacritic-free form of every name and
             alias;
  * country  ISO 3166 alpha-3 from tieline/data/countries.csv;
  * type     GOV;
  * role     "head of state; <title>" or "head of government; <title>";
  * start    the "since" date (ISO), empty when the Factbook gives only a month or year;
  * end      empty for the holders in the extract (the Factbook lists current holders only);
             with --history, the end of an earlier holder's term (below).

Skipped: vacancies, deputies and vice presidents, heirs, governors-general and other
representatives, and a head of state who holds the office from abroad when he already
has a row at home (King Charles III outside the United Kingdom, the French president as
co-prince of Andorra). Besides the first holder in each field, the head-of-government
field also yields a prime minister listed after the president (Burundi, Tanzania, ...).

History (--history FILE): older snapshots of the same files, in the same JSON-lines format
plus "date" (YYYY or YYYY-MM, e.g. "2017-01"; it orders the snapshots, all older than
EXTRACT). Every person and office seen in any snapshot gets a row. A holder seen in
consecutive snapshots of a country is one term (matched by name, distinctive capitalised
part or identical since-date; older spellings become aliases); the term's start is its
newest exact since-date, and its end is the since-date of the successor in the same office
in the first later snapshot where the holder changed (empty when that successor is undated
or the office is vacant, and for the holders in EXTRACT). A holder who reappears after an
absence, or whose since-date moves past the previous snapshot, gets a second row.
Without --history the output is the newest snapshot alone.

Usage: python -m scripts.build_current_leaders EXTRACT.jsonl [--history HISTORY.jsonl]
"""
from __future__ import annotations

import csv
import html
import json
import re
import sys
import unicodedata
from pathlib import Path

from scripts._common import DATA, fold, join, read_hand_csv, write_csv

HEADER = ["name", "aliases", "country", "type", "role", "start", "end"]
OUT = "leaders_current.csv"

# Factbook short names that are not (or not unambiguously) in countries.csv.
COUNTRY_OVERRIDES = {
    "Korea, South": "KOR", "Korea, North": "PRK", "Burma": "MMR", "Cabo Verde": "CPV",
    "Czechia": "CZE", "Turkey (Turkiye)": "TUR", "Congo, Democratic Republic of the": "COD",
    "Congo, Republic of the": "COG", "Holy See (Vatican City)": "VAT", "Kosovo": "XKX",
    "Taiwan": "TWN", "Eswatini": "SWZ", "Cote d'Ivoire": "CIV", "Gambia, The": "GMB",
    "Bahamas, The": "BHS", "Micronesia, Federated States of": "FSM", "Timor-Leste": "TLS",
    "Sao Tome and Principe": "STP", "West Bank": "PSE", "Gaza Strip": "PSE",
}

MONTHS = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], 1)}
DATE = r"(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})"

# Words that end a name when walking backwards from the capitalised part: office
# titles, ranks, honorifics and the nouns of long titles ("President of the Swiss
# Confederation Viola AMHERD").
STOP_WORDS = {
    "President", "Prime", "Minister", "Premier", "Chancellor", "King", "Queen", "Emperor",
    "Sultan", "Amir", "Emir", "Sheikh", "Crown", "Prince", "Princess", "Supreme", "Leader",
    "Governor", "General", "Gen.", "Col.", "Lt.", "Capt.", "Maj.", "Brig.", "Sr.", "Dr.",
    "Sir", "Dame", "Ratu", "Chairman", "Chairperson", "Chair", "Council", "Captains",
    "Regent", "Co-prince", "Archbishop", "Pope", "Grand", "Duke", "Caretaker", "Interim",
    "Acting", "Transitional", "Transition", "Taoiseach", "Overall", "Taliban", "Executive",
    "Confederation", "Presidency", "Ministers", "Affairs", "State", "Commission",
    "Assembly", "Forces", "Secretary", "Vice", "Deputy", "First", "Second", "Heir",
    "Apparent", "Co-Vice", "Chief", "Yuan", "Governorate", "City", "Homeland",
    # in older snapshots: "President of the Islamic Republic of Afghanistan Ashraf GHANI",
    # "Queen of Australia ELIZABETH II", "Prime Minister Tan Sri MUHYIDDIN Yassin"
    "Afghanistan", "Australia", "Sri",
}
RANKS = {"Gen.", "General", "Col.", "Lt.", "Capt.", "Maj.", "Brig.", "Sr.", "Dr.", "Sir",
         "Dame", "Ratu", "Sheikh", "Chief", "Grand Chief"}
PARTICLES = {"al", "el", "bin", "bint", "ibn", "ibni", "da", "das", "de", "del", "della",
             "di", "do", "dos", "du", "e", "i", "y", "la", "le", "van", "von", "der", "den",
             "ter"}
LOWER_PARTICLES = {"bin", "bint", "ibn", "ibni"}
PREFIX_PARTICLE = re.compile(r"^(al|el|ad|an|ar|as|ash|at|az|ul|bin|ibn|ibni|bint|abu)-", re.I)
ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"}
SUFFIXES = {"Jr.", "Sr.", "Jr", "Sr"}

# Capitalised parts that are too common to stand alone as an alias: English words and
# very common given names (Arabic royal names are written given name first).
COMMON = {
    "abdallah", "abdul", "abdullah", "ahmad", "ahmed", "albert", "alexander", "allen",
    "bilal", "burton", "castro", "charles", "chen", "costa", "davis", "dlamini", "drew",
    "francis", "hamad", "hassan", "henri", "henry", "hussein", "ibrahim", "khalid", "mason",
    "mitchell", "mohamed", "mohammad", "mohammed", "muhammad", "pavel", "philippe", "pierre",
    "rashid", "rodriguez", "salman", "simon", "william", "williams",
}
COMPOUND_GIVEN = {"abd", "abdel", "abdul", "abu"}  # "Abdul Hamid DUBAYBAH": no "Abdul Dubaybah"
MONARCH_TITLES = ("king", "queen", "emperor", "sultan", "amir", "emir", "prince", "grand duke", "pope")

# Hand-added aliases, from general knowledge: native spellings (with diacritics) of names
# the Factbook writes in plain ASCII, and the usual short forms of a few names. Keyed by
# (ISO3, the Factbook's capitalised part in natural case).
NATIVE = {
    ("TUR", "Erdogan"): ["Erdoğan", "Recep Tayyip Erdoğan"],
    ("FIN", "Niinisto"): ["Niinistö", "Sauli Niinistö"],
    ("HUN", "Orban"): ["Orbán", "Viktor Orbán"],
    ("SRB", "Vucic"): ["Vučić", "Aleksandar Vučić"],
    ("SRB", "Brnabic"): ["Brnabić", "Ana Brnabić"],
    ("ESP", "Sanchez Perez-Castejon"): ["Sánchez", "Pedro Sánchez", "Pedro Sanchez"],
    ("HRV", "Milanovic"): ["Milanović", "Zoran Milanović"],
    ("HRV", "Plenkovic"): ["Plenković", "Andrej Plenković"],
    ("SVK", "Caputova"): ["Čaputová", "Zuzana Čaputová"],
    ("LTU", "Nauseda"): ["Nausėda", "Gitanas Nausėda"],
    ("LTU", "Simonyte"): ["Šimonytė", "Ingrida Šimonytė"],
    ("LVA", "Rinkevics"): ["Rinkēvičs", "Edgars Rinkēvičs"],
    ("LVA", "Silina"): ["Siliņa", "Evika Siliņa"],
    ("ISL", "Johannesson"): ["Jóhannesson", "Guðni Th. Jóhannesson"],
    ("ISL", "Jakobsdottir"): ["Jakobsdóttir", "Katrín Jakobsdóttir"],
    ("NOR", "Store"): ["Støre", "Jonas Gahr Støre"],
    ("BIH", "Komsic"): ["Komšić", "Željko Komšić"],
    ("BIH", "Cvijanovic"): ["Cvijanović", "Željka Cvijanović"],
    ("BIH", "Becirovic"): ["Bećirović", "Denis Bećirović"],
    ("BIH", "Kristo"): ["Krišto", "Borjana Krišto"],
    ("MNE", "Milatovic"): ["Milatović", "Jakov Milatović"],
    ("MNE", "Spajic"): ["Spajić", "Milojko Spajić"],
    ("TUN", "Saied"): ["Saïed", "Kaïs Saïed"],
    ("CAF", "Touadera"): ["Touadéra", "Faustin-Archange Touadéra"],
    ("TGO", "Gnassingbe"): ["Gnassingbé", "Faure Gnassingbé"],
    ("GNB", "Embalo"): ["Embaló", "Umaro Sissoco Embaló"],
    ("MLI", "Goita"): ["Goïta", "Assimi Goïta"],
    ("MLI", "Maiga"): ["Maïga", "Choguel Maïga"],
    ("CUB", "Diaz-Canel"): ["Díaz-Canel", "Miguel Díaz-Canel"],
    ("AGO", "Lourenco"): ["Lourenço", "João Lourenço"],
    ("UKR", "Zelenskyy"): ["Zelensky", "Zelenskiy", "Volodymyr Zelensky"],
    ("EGY", "Elsisi"): ["el-Sisi", "Sisi", "Abdel Fattah el-Sisi", "Abdel Fattah al-Sisi"],
    ("ISR", "Netanyahu"): ["Benjamin Netanyahu"],
    ("USA", "Biden"): ["Joe Biden"],
    ("SYR", "al-Asad"): ["Assad", "Bashar al-Assad"],
    ("IRN", "Hoseini-Khamenei"): ["Ali Khamenei"],
    ("ZAF", "Ramaphosa"): ["Cyril Ramaphosa"],
    ("COL", "Petro"): ["Gustavo Petro"],
    ("BOL", "Arce"): ["Luis Arce"],
    ("PER", "Boluarte"): ["Dina Boluarte"],
    ("NIC", "Ortega"): ["Daniel Ortega"],
    ("HND", "Castro"): ["Xiomara Castro"],
    ("DOM", "Abinader"): ["Luis Abinader"],
    ("PRT", "Costa"): ["António Costa"],
    ("MEX", "López Obrador"): ["AMLO"],
    ("SAU", "Muhammad bin Salman"): ["Mohammed bin Salman"],
    ("ARE", "Muhammad bin Zayid"): ["Mohamed bin Zayed"],
    ("YEM", "Mubarek"): ["Ahmed Awad bin Mubarak", "bin Mubarak"],
    ("AND", "Zamora"): ["Xavier Espot", "Espot"],
    ("TZA", "Hassan"): ["Samia Suluhu"],
    ("THA", "Wachiralongkon"): ["King Vajiralongkorn"],
    ("PRK", "Kim"): ["Kim Jong-un"],
    ("KOR", "Yoon"): ["Yoon Suk-yeol"],
    # former holders, from older snapshots (--history)
    ("IRN", "Rohani"): ["Rouhani", "Hassan Rouhani"],
    ("RUS", "Medvedev"): ["Dmitry Medvedev"],
    ("BRA", "Temer"): ["Michel Temer"],
    ("LBN", "Awn"): ["Aoun", "Michel Aoun"],
    ("SDN", "al-Bashir"): ["Omar al-Bashir"],
    ("TUN", "Caid Essebsi"): ["Essebsi", "Béji Caïd Essebsi"],
    ("LBY", "al-Saraj"): ["Fayez al-Sarraj", "Sarraj"],
}
# Generated aliases that are wrong because the Factbook capitalises only part of a surname.
DROP = {("AND", "Xavier Zamora"), ("AND", "Zamora")}


# ---- text helpers ------------------------------------------------------------------------

def clean(text: str) -> str:
    text = html.unescape(text or "")
    text = re.sub(r"<br\s*/?>", ";", text, flags=re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def segments(text: str) -> list[str]:
    """Split on ';' outside parentheses."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == ";" and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [s for s in out if s and not re.match(r"(note\b|Notification Statement)", s, re.I)]


def strip_accents(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def bare(tok: str) -> str:
    return tok.strip(",;:()")


def caps_parts(tok: str) -> list[str]:
    """The all-capital parts of a token ("al-BURHAN" -> ["BURHAN"])."""
    if tok.startswith("(") or tok.startswith('"'):
        return []
    t = bare(tok).rstrip(".")
    return [p for p in re.split(r"[-']", t) if len(p) >= 2 and p.isalpha() and p.isupper()]


def is_caps(tok: str) -> bool:
    return bool(caps_parts(tok))


def is_particle(tok: str) -> bool:
    """A lower-case (or title-case) name particle: "bin", "da", "Al", "al-Aziz"."""
    t = bare(tok)
    if t.lower() in PARTICLES and not t.isupper():
        return True
    return bool(PREFIX_PARTICLE.match(t)) and not t[0].isupper()


def cap_word(w: str) -> str:
    """Natural case of one all-capital word ("TUIMALEALI'IFANO" -> "Tuimaleali'ifano")."""
    pieces = w.split("'")
    out = [pieces[0][:1].upper() + pieces[0][1:].lower()]
    for prev, p in zip(pieces, pieces[1:]):
        out.append(p[:1].upper() + p[1:].lower() if len(prev) == 1 else p.lower())
    return "'".join(out)


def natural(tok: str, first_in_run: bool, first_in_name: bool) -> str:
    t = bare(tok)
    if t in ROMAN and not first_in_name:
        return t
    if not is_caps(t):
        return t
    if t.isupper() and t.lower() in PARTICLES:
        return t.capitalize() if first_in_run else t.lower()
    return "-".join(cap_word(p) if (p.isupper() and len(p) >= 2) or (p.isupper() and len(t) == 1) else p
                    for p in t.split("-"))


# ---- people ------------------------------------------------------------------------------

class Person:
    def __init__(self, given, run, trailing, suffix, nicknames, title, rest, spelled):
        self.given, self.run, self.trailing, self.suffix = given, run, trailing, suffix
        self.nicknames, self.title, self.rest, self.spelled = nicknames, title, rest, spelled

    @property
    def name(self) -> str:
        return " ".join(self.given + self.run + self.trailing + self.suffix)

    @property
    def caps(self) -> list[str]:
        """The capitalised part(s) in natural case, as aliases."""
        out = [" ".join(self.run)]
        for tok in self.run:  # "al-Burhan" -> "Burhan"; "Hoseini-Khamenei" -> "Khamenei"
            parts = tok.split("-")
            if len(self.run) == 1 and len(parts) > 1:
                up = [p for p in parts if p[:1].isupper() and p.lower() not in PARTICLES]
                if 0 < len(up) < len(parts):
                    out.append("-".join(up))
        return out


def parse_people(seg: str) -> list[Person]:
    """All people named in one segment (co-holders joined by 'and' share title and date)."""
    toks = re.findall(r'"[^"]*"|\S+', seg)
    people: list[Person] = []
    i = title_end = 0
    while i < len(toks):
        k = next((j for j in range(i, len(toks)) if is_caps(toks[j])), None)
        if k is None:
            break
        nick: list[str] = []
        # walk back over given names (and nicknames in quotes)
        b = k
        while b > i:
            t = toks[b - 1]
            if t.startswith('"'):
                nick.append(t.strip('"'))
            elif t.endswith((",", ")")) or t.startswith("("):
                break
            elif not (is_particle(t) or ((t[:1].isupper() or t.startswith("'")) and t not in STOP_WORDS)):
                break
            b -= 1
        while b < k and (is_particle(toks[b]) or toks[b].startswith('"')):
            b += 1
        given = []
        for t in toks[b:k]:
            if t.startswith('"'):
                continue
            t = bare(t)
            given.append(t.lower() if given and t.lower() in LOWER_PARTICLES else t)
        # walk forward over the capitals, then trailing names, particles and suffixes
        e, run_end, comma = k, None, False
        while e < len(toks):
            t = toks[e]
            if e > k:
                if t.startswith('"'):
                    nick.append(t.strip('"'))
                    e += 1
                    continue
                if t.startswith("(") or not (is_caps(t) or is_particle(t) or t[:1].isupper()
                                             or t.startswith("'")):
                    break
                if run_end is None and not is_caps(t) and not (
                        is_particle(t) and e + 1 < len(toks) and is_caps(toks[e + 1])):
                    run_end = e
            e += 1
            if t.endswith(","):
                comma = True
                break
        if run_end is None:
            run_end = e
        run = [natural(t, n == 0, not given and n == 0) for n, t in enumerate(toks[k:run_end])
               if not toks[k + n].startswith('"')]
        while run and run[-1].lower() in PARTICLES:
            run.pop()
        trailing, suffix = [], []
        for t in toks[run_end:e]:
            if t.startswith('"'):
                continue
            t = bare(t)
            if t in SUFFIXES:
                suffix.append(t)
            else:
                trailing.append(t.lower() if t.lower() in LOWER_PARTICLES else t)
        if comma and e < len(toks) and toks[e] in SUFFIXES:
            suffix.append(bare(toks[e]))
            e += 1
        while trailing and trailing[-1].lower() in PARTICLES:
            trailing.pop()
        title = " ".join(toks[title_end:b]) if not people else people[0].title
        rest = " ".join(toks[e:])
        m = re.match(r"also spelled ([A-Z][\w'-]+)", rest)
        spelled = [m.group(1)] if m else []
        people.append(Person(given, run, trailing, suffix, nick, title, rest, spelled))
        # co-holder: "Captains Regent Filippo TAMAGNINI and Gaetano TROINA (for the period ...)"
        nxt = toks[e + 1:e + 5]
        if e < len(toks) and toks[e] == "and" and any(is_caps(t) for t in nxt):
            i = title_end = e + 1
            continue
        break
    for p in people:
        p.rest = people[-1].rest
    return people


# ---- titles, dates -----------------------------------------------------------------------

LABELS = [  # (pattern on the lower-cased title, label, kind) - earlier patterns win overlaps
    (r"supreme leader", "supreme leader", "state"),
    (r"overall taliban leader", "overall taliban leader", "both"),
    (r"co-prince", "co-prince", "state"),
    (r"captains? regent", "captain regent", "state"),
    (r"grand duke", "grand duke", "state"),
    (r"\bemperor\b", "emperor", "state"),
    (r"\bpope\b", "pope", "state"),
    (r"\bsultan\b", "sultan", "state"),
    (r"\b(amir|emir)\b", "amir", "state"),
    (r"\bking\b", "king", "state"),
    (r"\bqueen\b", "queen", "state"),
    (r"\bcrown prince\b", "crown prince", "none"),
    (r"\bprince\b", "prince", "state"),
    (r"taoiseach", "taoiseach", "gov"),
    (r"\bchancellor\b", "chancellor", "gov"),
    (r"president of the government", "president of the government", "gov"),
    (r"\bpremier\b", "premier", "gov"),
    (r"\bprime\b( minister)?", "prime minister", "gov"),
    (r"minister of state", "minister of state", "gov"),
    (r"secretary of state for foreign and political affairs",
     "secretary of state for foreign and political affairs", "gov"),
    (r"chairman of the presidency", "chairman of the presidency", "state"),
    (r"chairman of the council of ministers", "chairman of the council of ministers", "gov"),
    (r"chair\w*,? presidential council", "chairman of the presidential council", "both"),
    (r"sovereign council chair", "chairman of the sovereign council", "both"),
    (r"state administration council chair", "chairman of the state administration council", "state"),
    (r"state affairs commission president", "president of the state affairs commission", "state"),
    (r"supreme people's assembly president", "president of the supreme people's assembly", "gov"),
    (r"president of the national council for safeguarding of the homeland",
     "president of the national council for safeguarding the homeland", "state"),
    (r"president of the pontifical commission",
     "president of the pontifical commission for vatican city state", "gov"),
    (r"president of the swiss confederation", "president of the swiss confederation", "both"),
    (r"\bpresident\b", "president", "both"),
    (r"foreign minister", "foreign minister", "none"),
]
QUALIFIERS = [(r"\bacting\b", "acting"), (r"\binterim\b", "interim"),
              (r"\bcaretaker\b", "caretaker"), (r"\btransition(al)?\b", "transitional")]


def office(title: str, field: str) -> str:
    t = re.sub(r"\([^)]*\)", " ", title).lower()
    found: list[tuple[int, str, str]] = []
    spans: list[tuple[int, int]] = []
    for pat, label, kind in LABELS:
        for m in re.finditer(pat, t):
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            found.append((m.start(), label, kind))
    found.sort()
    want = "state" if field == "chief_of_state" else "gov"
    pick = next((lb for _, lb, kd in found if kd in (want, "both")), None)
    if pick is None:
        return ""
    for pat, q in QUALIFIERS:
        if re.search(pat, t):
            return f"{q} {pick}"
    return pick


def iso(m: re.Match) -> str:
    d, mon, y = m.groups()
    return f"{int(y):04d}-{MONTHS[mon]:02d}-{int(d):02d}"


def since(rest: str, field: str, whole: str) -> str:
    """The start date in the parentheses after the name; '' for a month or a year only."""
    key = "chief of state" if field == "chief_of_state" else "head of government"
    # "(Conservative) (since 25 October 2022)", "(President of the Executive Yuan) (since ...)"
    for par in re.findall(r"\(([^)]*)\)?", rest)[:2]:
        for pat in (key + r" since " + DATE, r"\bsince " + DATE, DATE):
            m = re.search(pat, par)
            if m:
                return iso(m)
    if "(" in rest:
        return ""
    m = re.search(r"\(both since " + DATE + r"\)", whole)  # "Daniel RISCH; Deputy ... (both since ...)"
    return iso(m) if m else ""


# ---- build -------------------------------------------------------------------------------

def country_index(path: Path) -> dict[str, str]:
    idx: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:  # aliases first so that names win
        for a in (r["aliases"] or "").split("|"):
            if a.strip():
                idx.setdefault(fold(a), r["iso3"])
    for r in rows:
        idx[fold(r["name"])] = r["iso3"]
    return idx


def to_iso3(name: str, idx: dict[str, str]) -> str:
    if name in COUNTRY_OVERRIDES:
        return COUNTRY_OVERRIDES[name]
    cands = [name, re.sub(r"\s*\(.*?\)", "", name)]
    cands += re.findall(r"\(([^)]*)\)", name)
    if ", " in name:
        a, b = name.split(", ", 1)
        cands += [f"{b} {a}", a]
    for c in cands:
        if fold(c) in idx:
            return idx[fold(c)]
    sys.exit(f"no ISO3 code for Factbook country {name!r}: add it to COUNTRY_OVERRIDES")


def holders(field: str, text: str) -> list[tuple[Person, str]]:
    """(person, office label) for one executive-branch field."""
    whole = clean(text)
    segs = segments(whole)
    out: list[tuple[Person, str]] = []
    for n, seg in enumerate(segs):
        s = re.sub(r"^and ", "", seg)
        appointed = re.match(r"on " + DATE + r", (.*?) was appointed (prime minister)", s)
        if n == 0:
            if re.search(r"\bvacant\b", s, re.I):
                continue
        elif appointed and field == "head_of_government":
            # "on 5 February 2024, Foreign Minister Ahmad Awad Bin MUBAREK was appointed prime minister"
            for p in parse_people(appointed.group(4) + " (since " + " ".join(appointed.groups()[:3]) + ")"):
                out.append((p, "prime minister"))
            continue
        elif seg.startswith("and ") and re.match(r"(Co-prince|Co-Prince)", s):
            pass
        elif field == "chief_of_state" and "presidency member" in s:
            pass
        elif field == "head_of_government" and re.match(r"(Acting |Interim |Caretaker )?Prime Minister\b", s):
            pass
        else:
            continue
        for p in parse_people(s):
            label = office(p.title, field)
            if not label and "presidency member" in p.rest:
                label = "member of the presidency"
            out.append((p, label))
    return out


def distinctive(alias: str) -> bool:
    return len(re.sub(r"[^\w]", "", alias)) > 3 and fold(alias) not in COMMON


# Countries whose names put the family name first ("XI Jinping"): the family name alone is what
# news uses ("Xi said"), even when short, unless it is shared by too many people to identify one.
FAMILY_FIRST = {"CHN", "TWN", "KOR", "PRK", "HKG", "MAC"}
SHARED_FAMILY_NAMES = {"li", "kim", "lee", "park", "wang", "zhang", "liu", "chen", "choi", "jung", "yang", "zhao"}


def aliases_for(p: Person, iso3: str) -> list[str]:
    al = [c for c in p.caps if distinctive(c)]
    run = " ".join(p.run)
    if iso3 in FAMILY_FIRST and p.run and fold(run) not in SHARED_FAMILY_NAMES and len(run) >= 2:
        al.append(run.title() if run.isupper() else run)
    run = " ".join(p.run)
    good_run = distinctive(run)
    if len(p.given) >= 2 and not p.trailing and p.given[0].lower() not in COMPOUND_GIVEN:
        first = p.given[0]  # "Vladimir Vladimirovich PUTIN" -> "Vladimir Putin"
        if not good_run and fold(first) in COMMON and not p.given[1].endswith(".") \
                and p.given[1].lower() not in PARTICLES:
            first = p.given[1]  # "Mohammed Irfaan ALI" -> "Irfaan Ali"
        al.append(f"{first} {run}")
    if p.given and p.trailing:  # "Santiago PENA Palacios" -> "Santiago Pena"
        al.append(" ".join(p.given + p.run))
        if p.trailing[0].lower() in PARTICLES:  # "Lula da Silva"
            al.append(" ".join(p.run + p.trailing))
    if p.suffix and p.given:  # "Joseph R. Biden Jr." -> "Joseph R. Biden"
        al.append(" ".join(p.given + p.run))
    if len(p.run) == 1 and "-" in run and p.given:  # "Ali Hoseini-KHAMENEI" -> "Ali Khamenei"
        for c in p.caps[1:]:
            al.append(f"{p.given[0]} {c}")
    al += p.nicknames + p.spelled
    low = re.sub(r"\([^)]*\)", " ", p.title.lower())
    for t in MONARCH_TITLES:
        if re.search(rf"(?<![\w-]){t}\b", low) and "crown prince" not in low:
            al.append(f"{t.title()} {run}")
    al += NATIVE.get((iso3, run), [])
    al += [strip_accents(a) for a in [p.name] + al]
    return [a for a in al if a and a != p.name and (iso3, a) not in DROP]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Term:
    """One person's uninterrupted tenure of one office, as seen in consecutive snapshots."""

    def __init__(self, iso3: str, head: str):
        self.iso3, self.head = iso3, head
        self.people: list[Person] = []  # every spelling seen, oldest first
        self.label = self.start = self.end = ""
        self.closed = False  # replaced in a later snapshot (end stays empty when undated)
        self.keys: set[str] = set()

    def add(self, p: Person, label: str, start: str) -> None:
        self.people.append(p)
        self.label = label
        self.start = start or self.start  # the newest exact since-date
        self.keys |= person_keys(p)

    def row(self) -> list[str]:
        p = self.people[-1]  # the newest spelling names the row
        head = self.head
        role = f"{head}; {self.label}" if self.label else head
        al: list[str] = []
        for q in reversed(self.people):
            al += ([q.name] if q.name != p.name else []) + aliases_for(q, self.iso3)
        al = [a for a in al + [strip_accents(a) for a in al] if a != p.name]
        return [p.name, join(sorted(set(al), key=lambda s: (s.casefold(), s))),
                self.iso3, "GOV", role, self.start, self.end]


def person_keys(p: Person) -> set[str]:
    """Identity keys: the full name and the distinctive capitalised parts ("Ghani", "Sisi")."""
    keys = {"name:" + fold(p.name)}
    for c in p.caps + [w for w in p.run if w.lower() not in PARTICLES]:
        for part in [c] + c.split("-"):
            if distinctive(part) and part.lower() not in PARTICLES:
                keys.add("caps:" + fold(part))
    return keys


def same_person(t: Term, p: Person, start: str) -> bool:
    return bool(t.keys & person_keys(p)) or bool(start and start == t.start)


def snapshot_entries(rec: dict, idx: dict[str, str]) -> list[tuple]:
    """(iso3, field, person, label, start, represented) for one country file."""
    iso3 = to_iso3(rec["country"], idx)
    out = []
    for field in ("chief_of_state", "head_of_government"):
        text = rec.get(field) or ""
        represented = "represented by" in text
        people = holders(field, text)
        for p, label in people:
            out.append((iso3, field, p, label, since(p.rest, field, clean(text)), represented))
        if not people and re.search(r"\bvacant\b", clean(text), re.I):
            out.append((iso3, field, None, "", "", False))  # "president (vacant)": the office changed hands
    return out


def build(extract: Path, history: Path | None = None, undated: list | None = None) -> list[list[str]]:
    """Rows for every person and office seen in the extract (the newest snapshot) and, with
    history, in older snapshots of the same files (records carrying a "date", YYYY or YYYY-MM)."""
    idx = country_index(DATA / "countries.csv")
    older = read_jsonl(history) if history else []
    for rec in older:
        if not rec.get("date"):
            sys.exit(f"history record without a date: {rec.get('path')} {rec.get('commit')}")
    # oldest first; the extract is the newest snapshot
    snaps = [(rec["date"], snapshot_entries(rec, idx))
             for rec in sorted(older, key=lambda r: (r["date"], r.get("commit", ""), r.get("path", "")))]
    snaps += [("", snapshot_entries(rec, idx)) for rec in read_jsonl(extract)]
    # a head of state who reigns from abroad (represented locally) and also has a row at home
    home = {p.name for _, found in snaps for iso3, field, p, label, start, rep in found if p and not rep}
    terms: list[Term] = []
    state: dict[tuple[str, str], tuple[str, list[Term]]] = {}  # office -> (snapshot date, open terms)
    for date, found in snaps:
        offices: dict[tuple[str, str], list[tuple[Person, str, str]]] = {}
        for iso3, field, p, label, start, rep in found:
            head = "head of state" if field == "chief_of_state" else "head of government"
            if p is None:  # vacant: no holder, but the snapshot closes the open terms
                offices.setdefault((iso3, head), [])
                continue
            if rep and field == "chief_of_state" and p.name in home:
                continue
            if not p.run:
                continue
            seen = offices.setdefault((iso3, head), [])
            if all(q.name != p.name for q, _, _ in seen):
                seen.append((p, label, start))
        for office_key, held in offices.items():
            prev_date, prev_open = state.get(office_key, ("", []))
            now_open: list[Term] = []
            newcomers: list[Term] = []
            for p, label, start in held:
                t = next((t for t in prev_open if t not in now_open and same_person(t, p, start)
                          and not (start and t.start and start != t.start and start > prev_date)), None)
                if t is None:  # a new holder, or a known one starting a new term
                    t = Term(*office_key)
                    terms.append(t)
                    newcomers.append(t)
                t.add(p, label, start)
                now_open.append(t)
            for t in prev_open:
                if t in now_open:
                    continue
                # the holder changed: the term ends on the successor's since-date
                succ = [n for n in newcomers if n.label == t.label and n.start] or \
                       [n for n in newcomers if n.start]
                dates = sorted(n.start for n in succ
                               if not (n.keys & t.keys) and n.start > (t.start or ""))
                t.end = dates[0] if dates else ""
                t.closed = True
            state[office_key] = (date, now_open)
    rows: dict[tuple[str, str, str, str], list[str]] = {}
    for t in terms:
        r = t.row()
        rows.setdefault((r[0], t.iso3, t.head, r[5]), r)
        if t.closed and not t.end and undated is not None:
            undated.append(r)
    return list(rows.values())


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    history = None
    if "--history" in argv:
        i = argv.index("--history")
        if i + 1 >= len(argv):
            sys.exit("--history needs a file")
        history = Path(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    if len(argv) != 1:
        sys.exit("usage: build_current_leaders.py EXTRACT.jsonl [--history HISTORY.jsonl]")
    undated: list[list[str]] = []
    rows = build(Path(argv[0]), history, undated)
    rows += [[row[h] for h in HEADER] for row in read_hand_csv("leaders_hand.csv")]  # kept on every rebuild
    path = write_csv(OUT, HEADER, rows)
    for r in sorted(undated):
        print(f"note: {r[0]} ({r[2]}, {r[4]}, since {r[5] or '?'}) was replaced, but no "
              "successor's since-date is given: end left empty", file=sys.stderr)
    former = sum(1 for r in rows if r[6])
    print(f"{OUT}: {len(rows)} rows ({former} with an end date), "
          f"{len({r[2] for r in rows})} countries -> {path}")


if __name__ == "__main__":
    main()
