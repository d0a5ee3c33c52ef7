import datetime as dt
import gzip
import io
import json

import pytest

from tieline.read import parse_date, read_documents
from tieline.types import Document, Problem


def _items(paths, **kw):
    return list(read_documents([str(p) for p in paths], **kw))


def test_read_txt_uses_stem_and_date(tmp_path):
    p = tmp_path / "story-1.txt"
    p.write_text("Iran and Armenia signed a deal.", encoding="utf-8")
    [doc] = _items([p], date=dt.date(2020, 1, 2))
    assert doc == Document("story-1", "Iran and Armenia signed a deal.", dt.date(2020, 1, 2))


def test_read_jsonl_reports_bad_lines_and_keeps_good_ones(tmp_path):
    p = tmp_path / "docs.jsonl"
    p.write_bytes(b'{"id": "a", "text": "First story.", "date": "2020-02-03"}\n'
                  b'{"id": "b", "text": \n'
                  b'{"id": "c", "text": ""}\n'
                  b'{"id": "d", "text": "Bad date.", "date": "not a date"}\n'
                  b'{"id": "e", "text": "caf\xe9"}\n'
                  b'[1, 2]\n'
                  b'{"id": "f", "text": "Last story.", "title": "T", "url": "http://x"}\n')
    items = _items([p])
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert [d.id for d in docs] == ["a", "d", "f"]
    assert docs[0].date == dt.date(2020, 2, 3)
    assert docs[1].date is None and docs[2].title == "T"
    lines = {p.line: p.reason for p in problems}
    assert "malformed JSON" in lines[2]
    assert "no text" in lines[3]
    assert "date does not parse" in lines[4]
    assert "invalid UTF-8" in lines[5]
    assert "not a JSON object" in lines[6]
    assert all(p.path == str(tmp_path / "docs.jsonl") for p in problems)


def test_read_gzip_jsonl(tmp_path):
    p = tmp_path / "docs.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "g", "text": "Gzipped story.", "date": "1987-02-26T15:01:01"}) + "\n")
    [doc] = _items([p])
    assert doc.id == "g" and doc.date == dt.date(1987, 2, 26)


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"\x00\x01\x02binary", "binary file"),
])
def test_read_txt_problems(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    [problem] = _items([p])
    assert isinstance(problem, Problem) and reason in problem.reason


def test_read_txt_invalid_utf8_is_reported_and_still_read(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes(b"line one\nCaf\xe9 talks in Paris.\n")
    problem, doc = _items([p])
    assert isinstance(problem, Problem) and problem.line == 2
    assert isinstance(doc, Document) and "talks in Paris" in doc.text


def test_read_missing_file_and_stdin(tmp_path):
    [problem] = _items([tmp_path / "nope.txt"])
    assert problem.reason == "no such file"
    stdin = io.BytesIO(b'{"id": "s1", "text": "From stdin."}\n')
    [doc] = list(read_documents(["-"], stdin=stdin))
    assert doc.id == "s1"
    [plain] = list(read_documents(["-"], stdin=io.BytesIO(b"Plain text story."), date=dt.date(2021, 5, 1)))
    assert plain.id == "stdin" and plain.date == dt.date(2021, 5, 1)


def test_parse_date_forms():
    assert parse_date("2019-12-21") == dt.date(2019, 12, 21)
    assert parse_date("1987-02-26T15:01:01.79") == dt.date(1987, 2, 26)
    assert parse_date("21 December 2019") == dt.date(2019, 12, 21)
    assert parse_date(None) is None
    with pytest.raises(ValueError):
        parse_date("yesterday-ish")


def test_parse_splits_a_5mb_document_into_segments():
    from tieline.parse import split_segments

    text = ("Iran and Armenia signed an agreement on Monday. " * 40 + "\n\n") * 2700
    assert len(text) > 5_000_000
    segments = split_segments(text, 20_000)
    assert all(len(piece) <= 20_000 for _, piece in segments)
    assert "".join(piece for _, piece in segments) == text
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in segments)


def test_parse_wire_datelines_are_set_apart():
    from tieline.parse import dateline_place, split_segments

    text = "KHARTOUM, Sudan (Reuters) - Sudan expelled two diplomats."
    assert split_segments(text, 20_000) == [(0, "KHARTOUM, Sudan (Reuters) - "), (28, "Sudan expelled two diplomats.")]
    assert dateline_place(text) == "Khartoum"
    assert dateline_place("AFP - China warned Singapore.") is None
    assert split_segments("In line with Iran's policies, ...", 20_000) == [(0, "In line with Iran's policies, ...")]


def test_read_file_without_suffix_is_sniffed(tmp_path):
    jsonl = tmp_path / "tmp.Xy12"
    jsonl.write_bytes(b'{"id": "j1", "text": "Iran met Malaysia."}\n{"id": "j2", "text": "Second."}\n')
    plain = tmp_path / "story"
    plain.write_bytes(b"Iran met Malaysia.")
    assert [d.id for d in _items([jsonl])] == ["j1", "j2"]
    assert [d.id for d in _items([plain])] == ["story"]
