"""The attribute rules applied by look-up give every token the attributes spaCy's own
attribute_ruler gives it (issue 12: the same parse, a tenth sooner)."""

import json
from importlib import resources

import pytest

from tieline.attribute_rules import NAME, AttributeRules, use_attribute_rules
from tieline.parse import add_sentence_rules, load_nlp

pytestmark = pytest.mark.model


def _features(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.ent_type_) for t in doc]


def test_every_token_gets_the_stock_components_attributes(nlp):
    stock = load_nlp(stock=True)
    add_sentence_rules(stock)  # the same pipeline but for the attribute rules
    assert "attribute_ruler" in stock.pipe_names and NAME in nlp.pipe_names
    assert isinstance(nlp.get_pipe(NAME), AttributeRules)
    lines = resources.files("tieline").joinpath("data/samples/demo.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    texts += ["I'd say he won't go, but whether they'll come isn't clear.", "  \n Gov't troops c'mon w/out   them.",
              "The U.S. and the E.U. said: 'We'll see' -- or won't we?"]
    mismatched = [text[:40] for text, a, b in zip(texts, stock.pipe(texts), nlp.pipe(texts))
                  if _features(a) != _features(b)]
    assert mismatched == []
    assert sum(len(doc) for doc in nlp.pipe(texts)) > 1000


def test_using_them_is_idempotent_and_keeps_the_order(nlp):
    before = list(nlp.pipe_names)
    use_attribute_rules(nlp)
    assert nlp.pipe_names == before
    assert before.index(NAME) == before.index("parser") + 1 and before.index("lemmatizer") == before.index(NAME) + 1
