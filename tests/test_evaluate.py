import importlib.util
import json

from tieline.evaluate import event_matches, format_score, score

GOLD = [
    {"id": "d1", "text": "...", "events": [
        {"event": "CONSULT", "alt": ["AGREE"], "actor": ["IRN"], "recipient": ["MYS"], "symmetric": True,
         "date": "2019-12-19", "location": {"country": "MYS"}},
        {"event": "SUPPORT", "actor": ["ITU", "IGO"], "recipient": ["IRN"]},
        {"event": "SANCTION", "actor": ["USA"], "recipient": ["IRN"], "optional": True},
    ]},
    {"id": "d2", "text": "...", "events": [{"event": "PROTEST", "actor": ["IRQ"], "recipient": ["IRQ", None]}]},
]
PRED = [
    {"doc_id": "d1", "event": "AGREE", "actor": {"country": "MYS"}, "recipient": {"country": "IRN"},
     "date": "2019-12-19", "location": {"country": "MYS"}, "negated": False},
    {"doc_id": "d1", "event": "SUPPORT", "actor": {"country": None, "abbrev": "ITU", "type": "IGO"},
     "recipient": {"country": "IRN"}, "negated": False},
    {"doc_id": "d1", "event": "SANCTION", "actor": {"country": "USA"}, "recipient": {"country": "IRN"}},
    {"doc_id": "d1", "event": "ASSAULT", "actor": {"country": "USA"}, "recipient": None},
    {"doc_id": "d1", "event": "ASSAULT", "actor": {"country": "USA"}, "recipient": None, "negated": True},
    {"doc_id": "d2", "event": "PROTEST", "actor": {"country": "IRQ"}, "recipient": None},
]


def test_evaluate_counts():
    result = score(GOLD, PRED)
    assert (result.pred_tuples, result.pred_correct) == (5, 4)
    assert (result.gold_required, result.gold_found) == (3, 3)
    assert result.precision == 0.8 and result.recall == 1.0
    assert result.date_accuracy == 1.0 and result.location_accuracy == 1.0
    assert result.false_positives == [("d1", ("ASSAULT", "USA", None))]
    assert "f1 0.889" in format_score(result)


def test_evaluate_symmetric_and_null_recipient():
    g = {"event": "CONSULT", "actor": ["IRN"], "recipient": ["MYS"], "symmetric": True}
    assert event_matches(g, {"event": "CONSULT", "actor": {"country": "MYS"}, "recipient": {"country": "IRN"}})
    g["symmetric"] = False
    assert not event_matches(g, {"event": "CONSULT", "actor": {"country": "MYS"}, "recipient": {"country": "IRN"}})
    g2 = {"event": "AGREE", "actor": ["HUN", "ROU"], "recipient": ["HUN", "ROU", None]}
    assert event_matches(g2, {"event": "AGREE", "actor": {"country": "HUN"}, "recipient": None})


def test_evaluate_agrees_with_shared_scorer(shared, tmp_path):
    spec = importlib.util.spec_from_file_location("shared_score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    theirs = module.score(json.loads(json.dumps(GOLD)), json.loads(json.dumps(PRED)))
    ours = score(GOLD, PRED).to_dict()
    for key in ("pred_tuples", "pred_correct", "gold_required", "gold_found", "precision", "recall", "f1",
                "date_accuracy", "location_accuracy", "per_type"):
        assert ours[key] == theirs[key], key
    assert [list(m) for m in ours["misses"]] == [list(m) for m in theirs["misses"]]
