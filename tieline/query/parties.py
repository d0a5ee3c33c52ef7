"""Which party a query names: an ISO3 code, an organisation's abbreviation, or a name.

Analysts type ``IRN``, ``irn``, ``Iran`` or ``the Islamic Republic of Iran`` and mean one key; a
key nobody knows must be an error with a hint, not an empty table (issue 13). A key is known when
the country or organisation tables hold it or the store has events of it (a user's own actors).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from tieline.errors import QueryError
from tieline.lexicon import Lexicon, default_lexicon
from tieline.store import Store

SUGGESTIONS = 3


def party_code(store: Store, text: str, lexicon: Lexicon | None = None) -> str:
    """The key of the party ``text`` names (a country's ISO3 code, an organisation's abbreviation).

    Raises:
        QueryError: no table and no stored event knows it; the message suggests the nearest keys.
    """
    wanted = text.strip()
    lexicon = lexicon or default_lexicon()
    codes, names = _tables(lexicon)
    if wanted.upper() in codes:
        return wanted.upper()
    if _stored(store, wanted):
        return wanted
    by_name = names.get(_fold(wanted))
    if by_name is not None:
        return by_name
    raise QueryError(_unknown(wanted, codes, names))


def country_code(text: str, lexicon: Lexicon | None = None) -> str:
    """The ISO3 code of the country ``text`` names (its code in any case, or a name).

    Raises:
        QueryError: no country of the table; the message suggests the nearest.
    """
    lexicon = lexicon or default_lexicon()
    countries = lexicon.countries_by_iso3
    wanted = text.strip()
    if wanted.upper() in countries:
        return wanted.upper()
    by_name = _tables(lexicon)[1].get(_fold(wanted))
    if by_name in countries:
        return by_name
    raise _no_country(wanted, lexicon, "country")


def place_code(text: str, lexicon: Lexicon | None = None) -> str:
    """Where an event happened, as a filter takes it: a country's ISO3 code (from its code or
    name), or a first-level region's GeoNames key ``ISO2.code`` (from the key, or the region's
    name, with its country when the name is not unique: "Texas", "Punjab, Pakistan").

    Raises:
        QueryError: no such country or region; the message suggests the nearest countries.
    """
    lexicon = lexicon or default_lexicon()
    wanted = text.strip()
    regions = _regions(lexicon)
    if REGION_KEY.match(wanted.upper()) and wanted.upper() in regions["keys"]:
        return wanted.upper()
    try:
        return country_code(wanted, lexicon)
    except QueryError:
        name, _, country = wanted.partition(",")
        found = set(regions["names"].get(_fold(name), ()))  # a copy: the table is cached
        if country.strip():
            try:
                iso3 = country_code(country, lexicon)
            except QueryError:
                iso3 = ""
            found = {key for key in found if regions["keys"][key] == iso3}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            choices = ", ".join(f"{name.strip()}, {regions['keys'][key]} ({key})" for key in sorted(found))
            raise QueryError(f"more than one region is called {name.strip()!r}: say which ({choices})") from None
        raise _no_country(wanted, lexicon, "country or region") from None


REGION_KEY = re.compile(r"^[A-Z]{2}\.[0-9A-Z]{1,6}$")


@lru_cache(maxsize=4)
def _regions(lexicon: Lexicon) -> dict[str, Any]:
    """{"keys": {region key: its country's ISO3}, "names": {folded region name: its keys}}."""
    keys: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for place in lexicon.places:
        location = lexicon.location_of(place)
        if location.admin1_code:
            keys[location.admin1_code] = place.country
            if location.admin1:
                names.setdefault(_fold(location.admin1), set()).add(location.admin1_code)
    return {"keys": keys, "names": names}


def _fold(text: str) -> str:
    folded = " ".join(text.lower().replace(".", "").split())
    return folded[4:] if folded.startswith("the ") else folded


@lru_cache(maxsize=4)
def _tables(lexicon: Lexicon) -> tuple[dict[str, str], dict[str, str]]:
    """{key: its name} of every country and organisation; {folded name, alias or ISO2 code: key}."""
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for org in lexicon.organizations:
        codes.setdefault(org.abbrev.upper(), org.name)
        for name in (org.name, *org.aliases):
            names.setdefault(_fold(name), org.abbrev.upper())
    for country in lexicon.countries:  # a country's name wins over an organisation's alias
        codes[country.iso3] = country.name
        for name in (country.name, *country.aliases):
            names[_fold(name)] = country.iso3
        if country.iso2:
            names.setdefault(country.iso2.lower(), country.iso3)
    return codes, names


def _stored(store: Store, key: str) -> bool:
    row = store.read("SELECT 1 FROM event_pairs WHERE source = ? OR target = ? LIMIT 1", [key, key]).fetchone()
    return row is not None


def _no_country(wanted: str, lexicon: Lexicon, what: str) -> QueryError:
    """The error for a ``what`` nobody knows, suggesting the nearest countries."""
    countries = lexicon.countries_by_iso3
    codes, names = _tables(lexicon)
    return QueryError(_unknown(wanted, {k: v for k, v in codes.items() if k in countries},
                               {k: v for k, v in names.items() if v in countries}, what))


def _unknown(wanted: str, codes: dict[str, str], names: dict[str, str],
             what: str = "country or organisation") -> str:
    """The message for a ``what`` nobody knows, with the nearest codes and names."""
    near = difflib.get_close_matches(wanted.upper(), list(codes), n=SUGGESTIONS, cutoff=0.6)
    near += [names[n] for n in difflib.get_close_matches(_fold(wanted), list(names), n=SUGGESTIONS, cutoff=0.75)]
    hints = [f"{key} ({codes[key]})" for key in dict.fromkeys(near)][:SUGGESTIONS]
    hint = f"; did you mean {' or '.join(hints)}?" if hints else " (give an ISO3 code such as IRN, or a name)"
    return f"no {what} {wanted!r} in the tables or the database{hint}"
