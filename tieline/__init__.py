"""tieline: news text in, PLOVER political event records out, with evidence.

Public API (the names in ``__all__`` are the contract)::

    from tieline import Coder, load_nlp, read_documents
    coder = Coder(load_nlp())
    for record in coder.code(read_documents(["story.txt"])):
        print(record.to_dict())
"""

import typing as _typing

from tieline.about import __version__
from tieline.errors import ClusterError, InputError, LexiconError, ModelError, StoreError, TielineError

if _typing.TYPE_CHECKING:
    from tieline.evaluate import score
    from tieline.lexicon import Lexicon, default_lexicon
    from tieline.parse import load_nlp
    from tieline.pipeline import Coder
    from tieline.read import read_documents
    from tieline.records import record_schema
    from tieline.store import Store
    from tieline.types import Actor, CodedDocument, Document, EventRecord, Location, Mention, Problem

# The rest is imported on first use: a command that only reads the database (`tieline partners`)
# should not wait two seconds for spaCy to import (issue 13).
_LAZY = {
    "score": "tieline.evaluate", "Lexicon": "tieline.lexicon", "default_lexicon": "tieline.lexicon",
    "load_nlp": "tieline.parse", "Coder": "tieline.pipeline", "read_documents": "tieline.read",
    "record_schema": "tieline.records", "Store": "tieline.store",
    **dict.fromkeys(("Actor", "CodedDocument", "Document", "EventRecord", "Location", "Mention", "Problem"),
                    "tieline.types"),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tieline' has no attribute {name!r}")


__all__ = [
    "Actor",
    "ClusterError",
    "CodedDocument",
    "Coder",
    "Document",
    "EventRecord",
    "InputError",
    "Lexicon",
    "LexiconError",
    "Location",
    "Mention",
    "ModelError",
    "Problem",
    "Store",
    "StoreError",
    "TielineError",
    "__version__",
    "default_lexicon",
    "load_nlp",
    "read_documents",
    "record_schema",
    "score",
]
