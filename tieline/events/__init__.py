"""Find events: triggers from ``triggers.csv``, actor and recipient from the dependency tree.

The stage in four parts:

* :mod:`~tieline.events.triggers`: trigger matching (verbs with their particles and objects,
  intent adjectives, event nouns carried by light verbs or standing with their own parties);
* :mod:`~tieline.events.parties`: finding and pairing the parties in the tree;
* :mod:`~tieline.events.recoding`: PLOVER's re-coding rules (intent, refusal, who takes part),
  writing what ``recodings.csv`` says;
* :mod:`~tieline.events.finder`: :class:`EventFinder`, the rule source that puts them together.
"""

from tieline.events.finder import EventFinder
from tieline.events.syntax import person_entities, verb_lemmas
from tieline.events.triggers import Found, TriggerMatcher

__all__ = ["EventFinder", "Found", "TriggerMatcher", "person_entities", "verb_lemmas"]
