"""The learned event model at run time: ONNX Runtime and a tokenizer, never torch.

The model (trained by ``scripts/train_model.py``, described in ``data/model/MODEL_CARD.md``)
reads a sentence once with every actor mention marked ``« … »`` (see
:func:`tieline.learned.render_sentence`) and gives each candidate (actor, recipient or none)
pair a probability for each of the 16 PLOVER types and for "none". Training and run time share
:func:`encode`, so the model reads at run time exactly what it read in training.

The model directory holds ``model.onnx`` (int8), ``tokenizer.json`` and ``model.json`` (labels,
decoding thresholds and the calibration table fitted on the corpus's dev split).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tieline.errors import ModelError

MODEL_FILES = ("model.onnx", "tokenizer.json", "model.json")
BATCH_SENTENCES = 16  # sentences per ONNX run, sorted by length so that little is padding


def default_model_dir() -> Path:
    return Path(str(resources.files("tieline") / "data" / "model"))


def model_available(path: Path | None = None) -> bool:
    path = path or default_model_dir()
    return all((path / name).is_file() for name in MODEL_FILES)


@dataclass(frozen=True)
class Calibration:
    """Observed precision per bin of raw model probability, per source of a record.

    ``bins[source]`` is a list of (upper bound of raw probability, calibrated probability); a
    raw value takes the first bin whose bound it does not exceed. Fitted on the dev split by
    ``scripts/train_model.py calibrate``."""

    bins: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def __call__(self, source: str, raw: float | None) -> float | None:
        table = self.bins.get(source)
        if not table:
            return None
        value = 0.0 if raw is None else raw
        for bound, probability in table:
            if value <= bound:
                return probability
        return table[-1][1]


@dataclass(frozen=True)
class ModelInfo:
    """What ``model.json`` says: labels in output order, decoding settings, calibration."""

    version: str
    labels: tuple[str, ...]
    max_tokens: int
    threshold: float  # a pair's likeliest type is written when its probability reaches this
    veto: float  # a rule record is dropped when the model gives its pair P(none) at least this
    top_only: bool  # one pair per type and sentence: the likeliest
    calibration: Calibration
    # which sentences the model reads: "all" with actor mentions, or "cued" ones only (two
    # parties, or a rule event to judge): the model's cost is per sentence read
    sentences: str = "all"
    # a pair of two parties of one country ("the minister accompanied the president") is a
    # domestic event less often than the model thinks: it must be this sure
    domestic_threshold: float = 1.01
    # the model adds no pair of a type the rules already wrote in the sentence (one pair per
    # type and sentence, and the rules' pair comes with its trigger row)
    defer_to_rules: bool = False
    # a pair in a sentence where the rules wrote nothing may be written at this lower bar: there
    # the model is the only reader, and the record judge weighs what it writes (None: threshold)
    uncoded_threshold: float | None = None

    @classmethod
    def read(cls, path: Path) -> ModelInfo:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(version=str(data["version"]), labels=tuple(data["labels"]), max_tokens=int(data["max_tokens"]),
                       threshold=float(data["threshold"]), veto=float(data["veto"]),
                       top_only=bool(data.get("top_only", False)), sentences=str(data.get("sentences", "all")),
                       domestic_threshold=float(data.get("domestic_threshold", data["threshold"])),
                       defer_to_rules=bool(data.get("defer_to_rules", False)),
                       uncoded_threshold=(float(data["uncoded_threshold"]) if data.get("uncoded_threshold") is not None
                                          else None),
                       calibration=Calibration({k: [(float(b), float(p)) for b, p in v]
                                                for k, v in data.get("calibration", {}).items()}))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: not a tieline model description ({exc})") from exc


def load_tokenizer(path: Path, max_tokens: int) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


@dataclass(frozen=True)
class Encoded:
    """A rendered sentence as token ids, and its pairs as (actor token, recipient token or -1,
    index of the pair in the caller's list). Pairs whose marks fell past the truncation are left
    out: the model cannot read them."""

    ids: list[int]
    pairs: list[tuple[int, int, int]]


def encode(tokenizer: Any, rendered: str, marks: Sequence[int],
           pairs: Sequence[tuple[int, int | None]]) -> Encoded:
    """Token ids of a rendered sentence, and where the model reads each pair's two mentions: the
    token starting at each mention's open mark."""
    enc = tokenizer.encode(rendered)
    starts = {s: i for i, (s, e) in enumerate(enc.offsets) if e > s}
    where = [starts.get(m, -1) for m in marks]
    out = []
    for n, (a, r) in enumerate(pairs):
        ta = where[a]
        tr = where[r] if r is not None else -1
        if ta < 0 or (r is not None and tr < 0):
            continue
        out.append((ta, tr, n))
    return Encoded(list(enc.ids), out)


class PairModel:
    """The ONNX pair classifier, loaded once.

    Args:
        path: the model directory; default the one shipped in the package.
        threads: ONNX Runtime threads per run (1 keeps it beside a parsing process per core).
    """

    def __init__(self, path: Path | None = None, *, threads: int = 1) -> None:
        path = path or default_model_dir()
        missing = [name for name in MODEL_FILES if not (path / name).is_file()]
        if missing:
            raise ModelError(f"{path}: the learned model is missing {', '.join(missing)}; "
                             "rebuild it with `make model` or set event_source to 'rules'")
        import onnxruntime as ort

        self.path = path
        self.info = ModelInfo.read(path / "model.json")
        self.labels = self.info.labels
        self.tokenizer = load_tokenizer(path / "tokenizer.json", self.info.max_tokens)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # idle ONNX threads would spin between the short runs of a coding process, taking the core the parser needs
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(path / "model.onnx"), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for a damaged file
            raise ModelError(f"{path / 'model.onnx'}: cannot be loaded ({exc})") from exc

    def score(self, sentences: Sequence[tuple[str, Sequence[int], Sequence[tuple[int, int | None]]]]) -> list[np.ndarray]:
        """Per (rendered sentence, mark offsets, pairs): an array [pairs, labels] of probabilities,
        a row of NaN for a pair the model could not read."""
        encoded = [encode(self.tokenizer, text, marks, pairs) for text, marks, pairs in sentences]
        out = [np.full((len(pairs), len(self.labels)), np.nan, dtype=np.float32) for _, _, pairs in sentences]
        order = sorted((i for i, e in enumerate(encoded) if e.pairs), key=lambda i: len(encoded[i].ids))
        for k in range(0, len(order), BATCH_SENTENCES):
            batch = order[k:k + BATCH_SENTENCES]
            width = max(len(encoded[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            pair_sent, pair_a, pair_r, targets = [], [], [], []
            for row, i in enumerate(batch):
                e = encoded[i]
                ids[row, :len(e.ids)] = e.ids
                mask[row, :len(e.ids)] = 1
                for ta, tr, n in e.pairs:
                    pair_sent.append(row)
                    pair_a.append(ta)
                    pair_r.append(tr)
                    targets.append((i, n))
            probs = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                            "pair_sent": np.array(pair_sent, dtype=np.int64),
                                            "pair_a": np.array(pair_a, dtype=np.int64),
                                            "pair_r": np.array(pair_r, dtype=np.int64)})[0]
            for (i, n), p in zip(targets, probs):
                out[i][n] = p
        return out
