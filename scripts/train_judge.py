"""Fit tieline's record judge (tieline/judge.py) on the annotated corpus: a step of `make model`, after the model is tuned.

    python -m scripts.train_judge [--out tieline/data/model] [--workers 2]

1. Codes the corpus's train and dev splits with the installed model (hybrid, every record kept).
2. Labels each record right or wrong as the scorer does (its type and parties match a gold event
   of its story, required or optional); negated records are left out (the scorer ignores them).
3. Fits a logistic regression over the records' features on train (L2-penalised, features seen
   fewer than MIN_COUNT times dropped).
4. Rescales its log-odds on dev (two numbers), so that its probability is the share of dev
   records like it that were right: on train the model's probabilities are better than on new
   stories, since the model learnt there.
5. Sets the floor: a record less likely right than half the F1 costs F1 when written (for
   calibrated probabilities the F1-optimal cut is F1/2), so the floor is half the dev F1 reached
   with it (two fixed-point steps from the F1 without a floor).

Writes judge.json beside the model, with the weights, the dev scores and the reliability table.
The test split is never read (``gold_of`` refuses it).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from scripts.train_model import ROOT, bootstrap_se, gold_of, record_correct, reliability
from tieline.evaluate import gold_documents, score
from tieline.judge import JUDGE_FILE, RecordJudge, StoryFacts, record_features

MIN_COUNT = 3  # a feature seen fewer times in train gets no weight
L2 = 5.0  # the penalty on the weights (chosen by two-fold cross-validation on train: 1, 5, 20)


Coded = list[tuple[Any, dict[str, float]]]  # (record, what the judge reads of it)


def code_split(split: str, model_dir: Path, workers: int) -> tuple[list[dict[str, Any]], Coded]:
    """The gold stories of a split, and every record coded from them with its features."""
    from tieline.workers import CoderSpec, WorkerCoder

    gold = gold_of(split)
    spec = CoderSpec(options=(("event_source", "hybrid"), ("model_path", model_dir), ("min_confidence", 0.0)))
    coded: Coded = []
    with WorkerCoder(spec, workers=workers) as coder:
        for item in coder.code_documents(gold_documents(gold)):
            records = getattr(item, "records", ())
            facts = StoryFacts.of(records)
            coded.extend((record, record_features(record, facts, len(item.document.text))) for record in records)
    return gold, coded


def labelled(gold: list[dict[str, Any]], coded: Coded) -> tuple[list[dict[str, float]], np.ndarray]:
    """The features and the verdicts (right or wrong) of the records the scorer reads (not negated)."""
    events_of = {str(g["id"]): g.get("events", []) for g in gold}
    kept = [(record, features) for record, features in coded if not record.negated]
    return ([features for _, features in kept],
            np.array([record_correct(record.to_dict(), events_of[record.doc_id]) for record, _ in kept], dtype=float))


def design(features: list[dict[str, float]], names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    matrix = np.zeros((len(features), len(names)))
    for row, f in enumerate(features):
        for name, value in f.items():
            if name in index:
                matrix[row, index[name]] = value
    return matrix


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 4000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Weights and intercept minimising the mean log-loss plus l2/n times the squared weights
    (full-batch gradient descent from zero: deterministic)."""
    w, b = np.zeros(x.shape[1]), 0.0
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / n + l2 * w / n)
        b -= rate * float((p - y).mean())
    return w, b


def fit_judge(features: list[dict[str, float]], labels: np.ndarray, l2: float = L2) -> RecordJudge:
    counts = Counter(name for f in features for name in f)
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT)
    w, b = fit_logistic(design(features, names), labels, l2)
    return RecordJudge({n: round(float(v), 4) for n, v in zip(names, w) if abs(v) >= 1e-4}, round(b, 4))


def rescale(judge: RecordJudge, features: list[dict[str, float]], labels: np.ndarray) -> RecordJudge:
    """Platt scaling of the judge's log-odds on held-out records."""
    z = np.array([[judge.logit(f)] for f in features])
    (scale,), shift = fit_logistic(z, labels, l2=0.0, steps=3000, rate=0.5)
    return replace(judge, scale=round(float(scale), 4), shift=round(shift, 4))


def judged(coded: Coded, judge: RecordJudge) -> list[dict[str, Any]]:
    """The records as written, with the judge's confidence."""
    return [{**record.to_dict(), "confidence": round(judge.probability(features), 3)} for record, features in coded]


def kept(records: list[dict[str, Any]], floor: float) -> list[dict[str, Any]]:
    return [r for r in records if r["confidence"] >= floor]


def card_section(description: dict[str, Any]) -> list[str]:
    """The model card's section on the judge (``scripts/train_model.py card``)."""
    dev, trained = description["dev"], description["trained_on"]
    return [
        "## Confidence: the record judge",
        "A record's `confidence` is the probability that it is right given by the record judge",
        "(`judge.json`, `tieline/judge.py`): a logistic regression over what a record carries (its trigger row",
        "or source and the model's probability, its type, whether a party was inferred or is a pronoun, where",
        "its sentence stands in the story, whether the story tells the act again, whether its parties are the",
        "countries the story's records name most), fitted on the train split's",
        f"{trained['train_records']} records ({trained['train_right']} right) and rescaled on dev's"
        f" {trained['dev_records']}. Records below its floor ({description['floor']}, half the dev F1: the cut",
        "that maximises F1 for calibrated probabilities) are left out unless `--min-confidence` asks otherwise.",
        f"Dev F1 {dev['without_judge']['f1']} without the judge, {dev['with_judge']['f1']} with it (bootstrap"
        f" standard error {dev['with_judge']['standard_error']}). Reliability on dev, where it was rescaled:",
        "",
        "| confidence | records | mean confidence | share right |",
        "|---|---|---|---|",
        *[f"| {r['confidence']} | {r['records']} | {r['mean_confidence']} | {r['share_right']} |"
          for r in dev["reliability"]],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "tieline" / "data" / "model"), help="the model directory")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--l2", type=float, default=L2)
    args = parser.parse_args()
    out = Path(args.out)
    t0 = time.time()
    train_gold, train_coded = code_split("train", out, args.workers)
    dev_gold, dev_coded = code_split("dev", out, args.workers)
    print(f"coded train ({len(train_coded)} records) and dev ({len(dev_coded)}) in {time.time() - t0:.0f}s", flush=True)
    train_x, train_y = labelled(train_gold, train_coded)
    dev_x, dev_y = labelled(dev_gold, dev_coded)
    judge = rescale(fit_judge(train_x, train_y, args.l2), dev_x, dev_y)

    dev_records = judged(dev_coded, judge)  # the floor does not change a record's confidence
    before = score(dev_gold, [record.to_dict() for record, _ in dev_coded])
    floor, grid = 0.0, []
    for _ in range(2):  # the floor at half the F1 it gives
        floor = round(score(dev_gold, kept(dev_records, floor)).f1 / 2, 3)
    for cut in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, floor):
        s = score(dev_gold, kept(dev_records, cut))
        grid.append({"floor": cut, "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)})
        print(json.dumps(grid[-1]), flush=True)
    judge = replace(judge, floor=floor)
    final = kept(dev_records, floor)
    after = score(dev_gold, final)
    description = {
        "version": "1",
        "about": "tieline's record judge (tieline/judge.py), fitted by scripts/train_judge.py",
        "trained_on": {"train_records": len(train_y), "train_right": int(train_y.sum()), "dev_records": len(dev_y),
                       "dev_right": int(dev_y.sum()), "l2": args.l2, "min_count": MIN_COUNT},
        "dev": {"without_judge": {"precision": round(before.precision, 4), "recall": round(before.recall, 4),
                                  "f1": round(before.f1, 4)},
                "with_judge": {"precision": round(after.precision, 4), "recall": round(after.recall, 4),
                               "f1": round(after.f1, 4), "standard_error": round(bootstrap_se(dev_gold, final), 4)},
                "floors": grid, "reliability": reliability(dev_records, dev_gold)},
        "bias": judge.bias, "scale": judge.scale, "shift": judge.shift, "floor": judge.floor,
        "weights": dict(sorted(judge.weights.items(), key=lambda kv: (-abs(kv[1]), kv[0]))),
    }
    (out / JUDGE_FILE).write_text(json.dumps(description, indent=1) + "\n", encoding="utf-8")
    print(f"dev F1 {before.f1:.4f} -> {after.f1:.4f} (floor {floor}); {len(judge.weights)} weights;"
          f" wrote {out / JUDGE_FILE} in {time.time() - t0:.0f}s")
    if not math.isfinite(judge.scale):
        raise SystemExit("the rescaling did not converge")


if __name__ == "__main__":
    main()
