import datetime as dt
import gzip
import io
import json

import pytest

from tieline.read import count_documents, parse_date, read_documents
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
    # agencies' mixed-case datelines name a date; a sentence opening with a list of places does not
    assert dateline_place("Tokyo, April 17 (Jiji Press)--Japan's prime minister met Yoon.") == "Tokyo"
    assert dateline_place("Kathmandu, 23 September: The Chinese delegation called.") == "Kathmandu"
    assert dateline_place("RAMALLAH, Saturday, November 26, 2022 (WAFA) \u2013 The ministry said.") == "Ramallah"
    assert dateline_place("Iran, China and Saudi Arabia signed a joint statement: a first.") is None
    # an agency's name in brackets after the date ends the dateline without a dash
    assert dateline_place("Colombo, Jan 13 (PTI) Newly-appointed Indian High Commissioner met him.") == "Colombo"
    assert dateline_place("HAVANA, Cuba, Jul 21 (ACN) Cuban President Miguel Diaz-Canel met him.") == "Havana"
    assert dateline_place("Paris, Jan 13 the minister (who arrived) met him.") is None
    # a capitals dateline with a date and a year: the city is no subject of the story's first verb
    assert dateline_place("GAZA CITY, Gaza Strip Sept. 7, 2004 - Israeli helicopters attacked.") == "Gaza City"


def test_read_file_without_suffix_is_sniffed(tmp_path):
    jsonl = tmp_path / "tmp.Xy12"
    jsonl.write_bytes(b'{"id": "j1", "text": "Iran met Malaysia."}\n{"id": "j2", "text": "Second."}\n')
    plain = tmp_path / "story"
    plain.write_bytes(b"Iran met Malaysia.")
    assert [d.id for d in _items([jsonl])] == ["j1", "j2"]
    assert [d.id for d in _items([plain])] == ["story"]


# issue 9: one record or one damaged file must not end the run, and no input may fill the memory.

def test_read_jsonl_lone_surrogates_are_replaced_and_reported(tmp_path):
    """A lone surrogate escape is kept by json.loads and makes spaCy (and any UTF-8 writer) raise
    later; the reader replaces it by U+FFFD in every field and reports it, so no later stage sees one."""
    p = tmp_path / "surrogates.jsonl"
    p.write_bytes(b'{"id": "s\\ud800", "text": "Iran met Armenia \\udc00 today \\ud83d\\ude00.", "title": "T\\ud800",'
                  b' "url": "http://x.example/\\ud800", "source": "S\\udfff", "date": "2020-01-02"}\n'
                  b'{"id": "clean", "text": "Iran met Armenia."}\n')
    problem, doc, clean = _items([p])
    assert isinstance(doc, Document) and isinstance(problem, Problem) and clean.id == "clean"
    assert doc.text == "Iran met Armenia \ufffd today \U0001F600."  # a valid pair stays one character
    assert (doc.id, doc.title, doc.url, doc.source) == ("s\ufffd", "T\ufffd", "http://x.example/\ufffd", "S\ufffd")
    for value in (doc.id, doc.text, doc.title, doc.url, doc.source, str(problem)):
        value.encode("utf-8")  # raises on a lone surrogate
    assert problem.line == 1 and problem.doc_id == "s\ufffd" and "lone surrogate" in problem.reason
    assert "id, text, title, url, source" in problem.reason


def _gzip_damaged(lines: list[bytes], damage: str) -> bytes:
    """A gzip stream of lines, damaged after them: a block of an invalid type (zlib.error), cut
    short (EOFError) or with a wrong checksum (BadGzipFile)."""
    import zlib

    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    data = compressor.compress(b"".join(lines))
    if damage == "invalid block":  # the flush ends on a byte boundary; 0x07 starts a block of type 3
        return data + compressor.flush(zlib.Z_FULL_FLUSH) + b"\x07" + bytes(range(256)) * 8
    if damage == "truncated":
        return data + compressor.flush(zlib.Z_FULL_FLUSH)
    whole = bytearray(data + compressor.flush())
    whole[-8] ^= 0xFF  # the CRC32 in the trailer
    return bytes(whole)


@pytest.mark.parametrize("damage, error", [
    ("invalid block", "invalid block type"),
    ("truncated", "end-of-stream marker"),
    ("bad crc", "CRC check failed"),
])
def test_read_damaged_gzip_keeps_what_came_before_and_goes_on(tmp_path, damage, error):
    import random

    rng = random.Random(9)
    lines = [json.dumps({"id": f"d{i}", "text": f"Story {rng.getrandbits(1200):x}."}).encode() + b"\n"
             for i in range(600)]  # random digits: the compressed stream spans many read chunks
    (tmp_path / "a.jsonl.gz").write_bytes(_gzip_damaged(lines, damage))
    (tmp_path / "b.jsonl").write_bytes(b'{"id": "next", "text": "The next file is read."}\n')

    assert isinstance(count_documents([tmp_path]), int)  # ingest counts first: it must not raise
    items = _items([tmp_path])
    docs = [i for i in items if isinstance(i, Document)]
    [problem] = [i for i in items if isinstance(i, Problem)]
    read = [d.id for d in docs if d.id != "next"]
    assert len(read) >= 100 and read == [f"d{i}" for i in range(len(read))]
    assert docs[-1].id == "next"
    assert problem.path == str(tmp_path / "a.jsonl.gz") and problem.line == len(read) + 1
    assert error in problem.reason and "damaged" in problem.reason


def test_read_jsonl_overlong_line_is_skipped_without_being_held(tmp_path):
    """issue 9: a 2 MB gzip can hold gigabytes of one line; the line is skipped in chunks, never
    read whole."""
    from tieline.read import read_jsonl

    cap = 10_000
    prefix, suffix = b'{"id": "at-cap", "text": "', b'"}'
    at_cap = prefix + b"y" * (cap - len(prefix) - len(suffix)) + suffix  # exactly at the cap: read
    data = (b'{"id": "a", "text": "First."}\n' + b'{"id": "huge", "text": "' + b"x" * 200_000 + b'"}\n'
            + at_cap + b"\n" + b'{"id": "b", "text": "Last."}\n' + b'{"id": "tail", "text": "' + b"z" * cap)
    p = tmp_path / "long.jsonl.gz"
    p.write_bytes(gzip.compress(data))
    items = _items([p], max_document_bytes=cap)
    assert [i.id for i in items if isinstance(i, Document)] == ["a", "at-cap", "b"]
    problems = [(i.line, i.reason) for i in items if isinstance(i, Problem)]
    assert problems == [(2, "longer than 10,000 bytes; skipped"), (5, "longer than 10,000 bytes; skipped")]
    assert count_documents([p]) == 5

    longest = 0

    class Spy(io.BytesIO):
        def readline(self, size=-1):
            nonlocal longest
            line = super().readline(size)
            longest = max(longest, len(line))
            return line

    assert len(list(read_jsonl(Spy(data), "spy.jsonl", max_line_bytes=cap))) == 5
    assert longest <= cap + 1


def test_read_files_and_stdin_over_the_size_cap_are_skipped(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"Iran met Armenia. " * 1000)
    page = tmp_path / "big.html"
    page.write_bytes(b"<html><body><p>" + b"Iran met Armenia. " * 1000 + b"</p></body></html>")
    small = tmp_path / "small.txt"
    small.write_bytes(b"Iran met Armenia.")
    items = _items([big, page, small], max_document_bytes=10_000)
    assert [(type(i), i.reason if isinstance(i, Problem) else i.id) for i in items] == [
        (Problem, "longer than 10,000 bytes; skipped"), (Problem, "longer than 10,000 bytes; skipped"),
        (Document, "small")]
    stdin = io.BytesIO(b'{"id": "s1", "text": "One."}\n{"id": "s2", "text": "' + b"x" * 20_000 + b'"}\n'
                       b'{"id": "s3", "text": "Three."}\n')
    items = list(read_documents(["-"], stdin=stdin, max_document_bytes=10_000))
    assert [i.id if isinstance(i, Document) else i.line for i in items] == ["s1", 2, "s3"]
    [problem] = list(read_documents(["-"], stdin=io.BytesIO(b"Plain text. " * 2000), max_document_bytes=10_000))
    assert problem.reason == "longer than 10,000 bytes; skipped"
