"""The annotated corpus: labels joined with texts, splits, and the validator (issue 10)."""

from __future__ import annotations

import gzip
import json

import pytest

from tieline import corpus

TEXT = ("Iran's foreign minister met his Armenian counterpart in Yerevan on Monday. "
        "The two sides signed a memorandum on energy.\n\nIran criticised US sanctions.")


def event(**changes: object) -> dict:
    base = {"event": "CONSULT", "mode": None, "alt": [], "actor": ["IRN"], "recipient": ["ARM"], "symmetric": True,
            "optional": False, "date": "2019-12-16", "location": {"name": "Yerevan", "country": "ARM"},
            "sentence": [0, 74], "trigger": [[24, 27]], "actor_mentions": [[0, 23]], "recipient_mentions": [[32, 52]]}
    base.update(changes)
    return base


@pytest.fixture
def news(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    with gzip.open(folder / "tiny.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "t-1", "date": "2019-12-17", "title": "Iran and Armenia", "text": TEXT}) + "\n")
        f.write(json.dumps({"id": "t-2", "date": None, "title": "Markets", "text": "Shares rose."}) + "\n")
    return folder


def story(events: list[dict], *, doc_id: str = "t-1", sha: str | None = None, line: int = 1) -> corpus.LabelledStory:
    text = TEXT if doc_id == "t-1" else "Shares rose."
    return corpus.LabelledStory("tiny.jsonl.gz", doc_id, sha or corpus.text_sha1(text), "test", tuple(events),
                                "labels.jsonl", line)


def problems(news, stories: list[corpus.LabelledStory], **options: object) -> list[str]:
    texts = corpus.load_texts(news, [(s.file, s.id) for s in stories])
    return [p.reason for p in corpus.validate(stories, texts, **options)]


def test_corpus_offsets_in_the_fixture_point_at_the_words():
    assert TEXT[0:74].endswith("on Monday.")
    assert TEXT[24:27] == "met" and TEXT[0:23] == "Iran's foreign minister"
    assert TEXT[32:52] == "Armenian counterpart"


def test_corpus_valid_labels_have_no_problems(news):
    assert problems(news, [story([event()]), story([], doc_id="t-2", line=2)]) == []


@pytest.mark.parametrize("change, reason", [
    ({"event": "MEET"}, "not one of the 16 PLOVER types"),
    ({"alt": ["CONSULT"]}, "alt"),
    ({"mode": "riot"}, "is not a mode of CONSULT"),
    ({"mode": "visit"}, None),
    ({"actor": ["XYZ"]}, "unknown actor key 'XYZ'"),
    ({"actor": []}, "actor must be a non-empty list"),
    ({"recipient": [None]}, None),
    ({"recipient": "ARM"}, "recipient must be a list"),
    ({"symmetric": False}, "meetings and visits are symmetric"),
    ({"date": "16/12/2019"}, "is not YYYY"),
    ({"location": {"name": "Yerevan", "country": "Armenia"}}, "needs a name or a known ISO3"),
    ({"location": {"name": "Red Sea", "country": None}}, None),
    ({"symmetric": False, "mode": "third-party"}, None),
    ({"sentence": [0, 9999]}, "outside the text"),
    ({"trigger": []}, "trigger must mark at least one span"),
    ({"trigger": [[80, 85]]}, "not inside the sentence"),
    ({"actor_mentions": [[0, 7]]}, "white space"),
    ({"actor_mentions": [[1, 6]]}, "cuts a word"),
    ({"extra": 1}, "unknown fields"),
])
def test_corpus_validator_names_each_broken_rule(news, change, reason):
    found = problems(news, [story([event(**change)])])
    if reason is None:
        assert found == []
    else:
        assert any(reason in p for p in found), found


def test_corpus_validator_story_level_rules(news):
    assert any("text_sha1 does not match" in p for p in problems(news, [story([], sha="0" * 40)]))
    assert any("one record per (type, actor, recipient)" in p for p in problems(news, [story([event(), event()])]))
    assert any("labelled twice" in p for p in problems(news, [story([event()]), story([event()], line=2)]))
    missing = corpus.LabelledStory("tiny.jsonl.gz", "t-9", "", "test", (), "labels.jsonl", 3)
    assert any("no story 't-9'" in p for p in problems(news, [missing]))
    reserved = (frozenset(), ("t-1",))
    assert any("reserved" in p for p in problems(news, [story([event()])], reserved=reserved))


def test_corpus_extra_keys_are_accepted(news):
    assert problems(news, [story([event(actor=["NEWGROUP"])])], extra_keys={"NEWGROUP"}) == []


def test_corpus_read_labels_reports_bad_lines(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"file": "tiny.jsonl.gz", "id": "t-1", "text_sha1": "x", "events": []}\n{broken\n[1, 2]\n',
                    encoding="utf-8")
    items = list(corpus.read_labels([tmp_path]))
    assert isinstance(items[0], corpus.LabelledStory) and items[0].id == "t-1"
    assert [(p.line, p.reason.split(":")[0]) for p in items[1:]] == [
        (2, "malformed JSON"), (3, "a label line needs 'file', 'id' and an 'events' list")]


def test_corpus_split_is_fixed_by_story_and_shared_by_versions():
    assert corpus.split_of("f.jsonl.gz", "REUT-1@05:02") == corpus.split_of("f.jsonl.gz", "REUT-1@07:10")
    splits = [corpus.split_of("f.jsonl.gz", f"doc-{n}") for n in range(2000)]
    shares = {s: splits.count(s) / len(splits) for s in corpus.SPLITS}
    assert 0.18 < shares["test"] < 0.26 and 0.07 < shares["dev"] < 0.13


def test_corpus_join_gives_gold_documents_for_the_scorer(news):
    labelled = [story([event()]), story([], doc_id="t-2", line=2)]
    docs = corpus.join(labelled, corpus.load_texts(news, [(s.file, s.id) for s in labelled]))
    assert [d["id"] for d in docs] == ["t-1", "t-2"]
    assert docs[0]["text"] == TEXT and docs[0]["date"] == "2019-12-17"
    gold = docs[0]["events"][0]
    assert gold["event"] == "CONSULT" and gold["recipient"] == ["ARM"] and gold["evidence"]["trigger"] == [[24, 27]]
    assert docs[1]["events"] == []


def test_corpus_reserved_ids(tmp_path):
    path = tmp_path / "reserved.txt"
    path.write_text("# comment\nREUT-1@05:00\nguardian-7\n", encoding="utf-8")
    reserved = corpus.reserved_ids(path)
    assert corpus.is_reserved("REUT-1@05:00", reserved) and not corpus.is_reserved("REUT-1@06:00", reserved)
    assert corpus.is_reserved("guardian-7", reserved) and corpus.is_reserved("guardian-7@09:00", reserved)
    assert not corpus.is_reserved("guardian-70", reserved)


def test_corpus_every_committed_label_is_valid(shared):
    """The labels in corpus/ against the shared texts: the asset stays valid as code and tables change."""
    from .conftest import REPO

    stories = [s for s in corpus.read_labels([REPO / "corpus" / "labels", REPO / "corpus" / "agreement"])]
    assert stories and all(isinstance(s, corpus.LabelledStory) for s in stories)
    first = [s for s in stories if "agreement" not in s.path]
    second = [s for s in stories if "agreement" in s.path]
    texts = corpus.load_texts(shared / "data" / "news_corpus", [(s.file, s.id) for s in stories])
    extra = corpus.read_extra_keys(REPO / "corpus" / "keys.csv")
    reserved = corpus.reserved_ids(shared / "eval" / "reserved.txt")
    for labelled in (first, second):
        assert corpus.validate(labelled, texts, extra_keys=extra, reserved=reserved) == []


def test_corpus_a_text_held_out_under_another_id_is_not_trained_on():
    from scripts.train_model import trainable

    def story(doc_id: str, sha1: str) -> corpus.LabelledStory:
        return corpus.LabelledStory("reuters21578.jsonl.gz", doc_id, sha1, "a1", (), "labels.jsonl", 1)

    by_split: dict[str, list[str]] = {}
    for n in range(200):
        by_split.setdefault(corpus.split_of("reuters21578.jsonl.gz", f"r-{n}"), []).append(f"r-{n}")
    train, held = by_split["train"][:2], by_split["test"][0]
    labelled = [story(train[0], "same"), story(train[1], "own"), story(held, "same")]
    assert [s.id for s in trainable(labelled)] == [train[1]]
