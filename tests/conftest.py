"""Shared fixtures: the real spaCy model (loaded once per session), the coder, hand-built parses
and a factory for real DuckDB databases in temporary folders."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from tieline.lexicon import default_lexicon

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    from tieline.parse import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def coder(nlp):
    from tieline.pipeline import Coder

    return Coder(nlp)


@pytest.fixture(scope="session")
def lexicon():
    return default_lexicon()


@pytest.fixture
def make_doc() -> Callable[..., Doc]:
    """Build a parse by hand: words, heads (absolute indices), deps, POS, lemmas, entities."""

    def build(words: list[str], heads: list[int], deps: list[str], pos: list[str],
              lemmas: list[str] | None = None, ents: list[str] | None = None,
              sent_starts: list[bool] | None = None) -> Doc:
        return Doc(Vocab(), words=words, heads=heads, deps=deps, pos=pos,
                   lemmas=lemmas or [w.lower() for w in words], ents=ents,
                   sent_starts=sent_starts)

    return build


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "eval" / "score.py").is_file():
        pytest.skip("../shared is not present")
    return SHARED
