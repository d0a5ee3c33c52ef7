"""The English pipeline's attribute rules, applied by table look-up instead of spaCy's Matcher
(issue 12).

spaCy's ``attribute_ruler`` sets each token's coarse part of speech, morphology and some lemmas
from 180 rules (``TAG == "NN"`` gives ``NOUN``; ``LOWER in (that, if, ...)`` with ``TAG == "IN"``
gives ``SCONJ``...), matched by a general token Matcher: a tenth of the parse's time. Every rule
tests one or two tokens' tags, lower-case forms, dependency labels or whitespace, so the rules
that can match a token are found by looking its tag and form up, and only those are tested.
The result is the stock component's, token for token: the same rules, applied in the same order
(a later rule overrides what an earlier one set), through spaCy's own ``set_token_attrs``; the
test suite compares every token's attributes on real news with the stock component's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

NAME = "tieline_attribute_rules"
KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")  # the token attributes the rules test


def _value(token: Token, key: str) -> Any:
    if key == "LOWER":
        return token.lower_
    if key == "TAG":
        return token.tag_
    if key == "DEP":
        return token.dep_
    return token.is_space


def _test(spec: Any) -> Callable[[Any], bool]:
    """A test of one attribute's value: equal to a value, or IN / NOT_IN / REGEX."""
    if not isinstance(spec, Mapping):
        return _Equal(spec)
    return _All(tuple(_operator(op, arg) for op, arg in spec.items()))


@dataclass(frozen=True)
class _Equal:
    value: Any

    def __call__(self, value: Any) -> bool:
        return bool(value == self.value)


@dataclass(frozen=True)
class _Among:
    values: frozenset[Any]
    inside: bool  # IN, else NOT_IN

    def __call__(self, value: Any) -> bool:
        return (value in self.values) == self.inside


@dataclass(frozen=True)
class _Search:
    pattern: re.Pattern[str]

    def __call__(self, value: Any) -> bool:
        return bool(self.pattern.search(value))


@dataclass(frozen=True)
class _All:
    tests: tuple[Callable[[Any], bool], ...]

    def __call__(self, value: Any) -> bool:
        return all(test(value) for test in self.tests)


def _operator(op: str, arg: Any) -> Callable[[Any], bool]:
    if op in ("IN", "NOT_IN"):
        return _Among(frozenset(arg), op == "IN")
    if op == "REGEX":
        return _Search(re.compile(arg))
    raise ValueError(f"attribute rule operator {op!r} is not supported")


@dataclass(frozen=True)
class _Rule:
    number: int  # the rule's place: later rules override earlier ones
    tokens: tuple[tuple[tuple[str, Callable[[Any], bool]], ...], ...]  # per token: (attribute, test)
    index: int  # which token of a match gets the attributes

    def holds(self, values: Mapping[str, Any]) -> bool:
        """Whether a one-token rule holds for a token of these attribute values."""
        return all(test(values[key]) for key, test in self.tokens[0])

    def matches(self, doc: Doc, start: int) -> bool:
        """Whether the rule's tokens hold from ``start`` on."""
        if start + len(self.tokens) > len(doc):
            return False
        return all(test(_value(doc[start + n], key)) for n, token in enumerate(self.tokens) for key, test in token)


def _keys(spec: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The (attribute, value) pairs a rule's first token can be looked up by: its exact or IN
    values of the first of LOWER, TAG and IS_SPACE it tests; none when it tests none so."""
    for key in ("LOWER", "TAG", "IS_SPACE"):
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            return [(key, value)]
        if set(value) == {"IN"}:
            return [(key, v) for v in value["IN"]]
    return []


class AttributeRules:
    """The rules of a stock ``attribute_ruler``, looked up by each token's form, tag, whitespace
    and dependency: a one-token rule's outcome depends on nothing else, so the attributes the
    one-token rules give a token are worked out once per such key and remembered."""

    def __init__(self, ruler: Any) -> None:
        self.attrs = list(ruler.attrs)  # normalised by spaCy, by rule number
        self.single: dict[tuple[str, Any], list[_Rule]] = {}  # one-token rules by a form, tag or whitespace they need
        self.single_anywhere: list[_Rule] = []  # ... and those that need none of these
        self.pairs: dict[str, list[_Rule]] = {}  # two-token rules by their first token's form
        self.pairs_anywhere: list[_Rule] = []
        for number, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if any(set(spec) - set(KEYS) for spec in pattern) or len(pattern) > 2:
                    raise ValueError(f"attribute rule {pattern} is not one this look-up knows")
                tokens = tuple(tuple((key, _test(spec[key])) for key in KEYS if key in spec) for spec in pattern)
                index = entry.get("index", 0)
                rule = _Rule(number, tokens, index if index >= 0 else len(pattern) + index)
                if len(pattern) == 1:
                    keys = _keys(pattern[0])
                    for key in keys:
                        self.single.setdefault(key, []).append(rule)
                    if not keys:
                        self.single_anywhere.append(rule)
                    continue
                forms = [value for key, value in _keys(pattern[0]) if key == "LOWER"]
                for form in forms:
                    self.pairs.setdefault(form, []).append(rule)
                if not forms:
                    self.pairs_anywhere.append(rule)
        # (form, tag, whitespace, dependency) -> the one-token rules that hold, and their attributes merged
        self.known: dict[tuple[str, str, bool, str], tuple[tuple[int, ...], dict[int, Any]]] = {}

    def _one_token(self, key: tuple[str, str, bool, str]) -> tuple[tuple[int, ...], dict[int, Any]]:
        lower, tag, space, dep = key
        values = {"LOWER": lower, "TAG": tag, "IS_SPACE": space, "DEP": dep}
        single = self.single
        candidates = (*single.get(("LOWER", lower), ()), *single.get(("TAG", tag), ()),
                      *single.get(("IS_SPACE", space), ()), *self.single_anywhere)
        numbers = tuple(sorted({rule.number for rule in candidates if rule.holds(values)}))
        merged: dict[int, Any] = {}
        for number in numbers:  # in rule order: a later rule has the last word
            merged.update(self.attrs[number])
        return numbers, merged

    def _two_token(self, doc: Doc) -> dict[int, list[int]]:
        """{token index: the two-token rules that set its attributes}."""
        out: dict[int, list[int]] = {}
        for start, token in enumerate(doc[:-1] if len(doc) > 1 else ()):
            for rule in (*self.pairs.get(token.lower_, ()), *self.pairs_anywhere):
                if rule.matches(doc, start):
                    out.setdefault(start + rule.index, []).append(rule.number)
        return out

    def __call__(self, doc: Doc) -> Doc:
        known = self.known
        if len(known) > MAX_KNOWN:
            known.clear()
        pairs = self._two_token(doc) if self.pairs or self.pairs_anywhere else {}
        for i, token in enumerate(doc):
            key = (token.lower_, token.tag_, token.is_space, token.dep_)
            found = known.get(key)
            if found is None:
                found = known[key] = self._one_token(key)
            numbers, merged = found
            extra = pairs.get(i)
            if extra:
                merged = {}
                for number in sorted((*numbers, *extra)):
                    merged.update(self.attrs[number])
            if merged:
                set_token_attrs(token, merged)
        return doc


MAX_KNOWN = 500_000  # token keys remembered before starting afresh


@Language.factory(NAME)
def make_attribute_rules(nlp: Language, name: str) -> AttributeRules:
    """The look-up version of the pipeline's stock ``attribute_ruler``, which must still be in
    the pipeline as it is made (:func:`use_attribute_rules` removes it after)."""
    return AttributeRules(nlp.get_pipe("attribute_ruler"))


def use_attribute_rules(nlp: Language) -> None:
    """Apply the pipeline's attribute rules by look-up, in the stock component's place
    (idempotent; nothing without them)."""
    if "attribute_ruler" not in nlp.pipe_names or NAME in nlp.pipe_names:
        return
    nlp.add_pipe(NAME, before="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
