"""Candidates of the learned coder (issue 10): mentions paired in a sentence, marked for the
model, labelled as the scorer matches."""

from __future__ import annotations

import datetime as dt

import pytest

from tieline.learned import NONE_LABEL, candidate_pairs, find_sentence_mentions, label_pairs, render_sentence
from tieline.parse import parse_documents
from tieline.types import Document

TEXT = "Iran's foreign minister met his Armenian counterpart in Yerevan on Monday. Markets rose."


@pytest.mark.model
def test_learned_candidates_pair_the_mentions_and_take_the_gold_type(nlp, coder):
    parsed = next(parse_documents(nlp, [Document("d", TEXT, dt.date(2019, 12, 17))]))
    sentences = list(find_sentence_mentions(parsed, coder.actors, coder.events))
    assert len(sentences) == 2 and sentences[1].mentions == ()
    first = sentences[0]
    countries = [m.actor.country for m in first.mentions]
    assert "IRN" in countries and "ARM" in countries
    pairs = candidate_pairs(first)
    assert len(pairs) == len(first.mentions) ** 2  # every actor alone or with each other mention
    iran, armenia = countries.index("IRN"), countries.index("ARM")
    marked, marks = render_sentence(first)
    assert marked.startswith("« Iran's foreign minister » met") and marked.count("«") == len(set(marks))
    assert marked[marks[iran]:].startswith("« Iran's")  # where the model reads each mention
    gold = [{"event": "CONSULT", "actor": ["IRN"], "recipient": ["ARM"], "symmetric": True,
             "evidence": {"sentence": [0, 74]}}]
    labels = dict(zip(pairs, label_pairs(first, pairs, gold)))
    assert labels[(iran, armenia)] == ("CONSULT", 0)
    assert labels[(armenia, iran)] == ("CONSULT", 0)  # symmetric, as the scorer matches it
    assert labels[(iran, None)][0] == NONE_LABEL
