"""tieline: news text in, PLOVER political event records out, with evidence.

Public API (the names in ``__all__`` are the contract)::

    from tieline import Coder, load_nlp, read_documents
    coder = Coder(load_nlp())
    for record in coder.code(read_documents(["story.txt"])):
        print(record.to_dict())
"""

from tieline.about import __version__
from tieline.errors import ClusterError, InputError, LexiconError, ModelError, StoreError, TielineError
from tieline.evaluate import score
from tieline.lexicon import Lexicon, default_lexicon
from tieline.parse import load_nlp
from tieline.pipeline import Coder
from tieline.read import read_documents
from tieline.records import record_schema
from tieline.store import Store
from tieline.types import Actor, CodedDocument, Document, EventRecord, Location, Mention, Problem

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
