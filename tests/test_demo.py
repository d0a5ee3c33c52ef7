"""Golden test over the bundled demo sample and its hand-coded gold events."""

import json
from importlib import resources

import pytest

from tieline.evaluate import load_gold, score
from tieline.read import read_jsonl

from .conftest import DATA

pytestmark = pytest.mark.model

# Measured on the demo sample when this test was written; a change that lowers it is a regression.
MIN_F1 = 0.60


def test_demo_sample_matches_its_gold(coder):
    with resources.files("tieline").joinpath("data", "samples", "demo.jsonl").open("rb") as sample:
        docs = list(read_jsonl(sample, "demo.jsonl"))
    gold = load_gold(DATA / "demo_gold.jsonl")
    assert [d.id for d in docs] == [g["id"] for g in gold]
    predictions = [r.to_dict() for r in coder.code(docs)]
    result = score(gold, predictions)
    assert result.f1 >= MIN_F1, json.dumps(result.to_dict()["misses"])
    assert not [r for r in predictions if r["doc_id"] == "demo-14"], "the football story codes no event"
