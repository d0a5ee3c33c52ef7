"""HTML pages and RSS/Atom feeds, from files, folders and a real local web server."""

import datetime as dt
import http.server
import threading

import pytest

from tieline.markup import html_to_text
from tieline.read import count_documents, read_documents
from tieline.types import Document, Problem

PAGE = """<!DOCTYPE html>
<html><head><title>Iran and Malaysia agree | Tehran Times</title>
<meta property="og:site_name" content="Tehran Times">
<meta property="article:published_time" content="2016-05-03T10:00:00Z">
<link rel="canonical" href="https://www.tehrantimes.example/news/1"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Iran and Malaysia agree</h1>
<p>KUALA LUMPUR - Iran's minister met Malaysia's trade minister on Tuesday and the two sides agreed
to set up a joint commission for banking, tourism and education.</p>
<p>The minister also criticised US sanctions against Iran, saying they harm trade between the two
countries and the wider region.</p></article>
<div class="comments"><p>Reader comment: subscribe to our newsletter for more.</p></div>
<footer>Copyright 2016 Tehran Times. All rights reserved.</footer></body></html>
"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>World Desk</title><link>https://desk.example</link>
<item><title>Iran and Malaysia set up joint commission</title><link>{base}/story-1.html</link>
<guid>desk-1</guid><pubDate>Tue, 03 May 2016 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Iran's minister met Malaysia's trade minister in Kuala Lumpur.&lt;/p&gt;&lt;p&gt;Iran criticised US sanctions.&lt;/p&gt;</description></item>
<item><title>Russia warns Ukraine</title><link>{base}/missing.html</link>
<pubDate>Wed, 04 May 2016 08:00:00 GMT</pubDate>
<description>Russia threatened to cut gas supplies to Ukraine.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title><id>urn:desk</id>
<updated>2020-06-02T00:00:00Z</updated>
<entry><title>Talks in Geneva</title><id>urn:desk:7</id><link href="https://desk.example/7"/>
<updated>2020-06-02T09:00:00Z</updated>
<content type="html">&lt;p&gt;The foreign ministers of France and Germany met in Geneva on Monday.&lt;/p&gt;</content></entry>
</feed>
"""


def _items(sources, **kw):
    return list(read_documents([str(s) for s in sources], **kw))


def test_html_page_gives_main_text_and_metadata(tmp_path):
    page = tmp_path / "story.html"
    page.write_text(PAGE, encoding="utf-8")
    [doc] = _items([page], date=dt.date(2000, 1, 1))
    assert isinstance(doc, Document)
    assert doc.id == doc.url == "https://www.tehrantimes.example/news/1"
    assert doc.title == "Iran and Malaysia agree"
    assert doc.source == "Tehran Times"
    assert doc.date == dt.date(2016, 5, 3)  # the page's own date wins over --date
    assert "joint commission" in doc.text and "criticised US sanctions" in doc.text
    for boilerplate in ("Home", "Copyright", "newsletter"):
        assert boilerplate not in doc.text
    # each block is its own paragraph, so the headline is not read into the first sentence
    assert doc.text.startswith("Iran and Malaysia agree\n\nKUALA LUMPUR")


def test_html_without_metadata_uses_stem_and_given_date(tmp_path):
    page = tmp_path / "plain-page.htm"
    page.write_text("<html><body><p>" + "Iran and Armenia signed a memorandum on technology parks. " * 4
                    + "</p></body></html>", encoding="utf-8")
    [doc] = _items([page], date=dt.date(2019, 3, 4))
    assert (doc.id, doc.date, doc.url) == ("plain-page", dt.date(2019, 3, 4), None)


def test_html_without_text_is_a_problem(tmp_path):
    page = tmp_path / "empty.html"
    page.write_text("<html><head><title>Empty</title></head><body><script>var a = 1;</script></body></html>", encoding="utf-8")
    [problem] = _items([page])
    assert isinstance(problem, Problem) and "no article text" in problem.reason
    assert problem.path == str(page)


def test_rss_feed_one_document_per_entry(tmp_path):
    feed = tmp_path / "desk.rss"
    feed.write_text(RSS.format(base="https://desk.example"), encoding="utf-8")
    docs = _items([feed])
    assert [d.id for d in docs] == ["desk-1", "https://desk.example/missing.html"]
    first = docs[0]
    assert first.title == "Iran and Malaysia set up joint commission"
    assert first.source == "World Desk" and first.date == dt.date(2016, 5, 3)
    assert first.url == "https://desk.example/story-1.html"
    assert first.text == ("Iran and Malaysia set up joint commission\n\n"
                          "Iran's minister met Malaysia's trade minister in Kuala Lumpur.\n"
                          "Iran criticised US sanctions.")


def test_atom_feed_and_sniffing_without_suffix(tmp_path):
    feed = tmp_path / "atom-download"
    feed.write_text(ATOM, encoding="utf-8")
    [doc] = _items([feed])
    assert (doc.id, doc.source, doc.date) == ("urn:desk:7", "Atom Desk", dt.date(2020, 6, 2))
    assert doc.text.endswith("France and Germany met in Geneva on Monday.")


def test_folder_reads_pages_and_feeds(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "story.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "feed.xml").write_text(ATOM, encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    docs = _items([tmp_path])
    assert sorted(d.id for d in docs) == ["https://www.tehrantimes.example/news/1", "urn:desk:7"]
    assert count_documents([tmp_path]) is None  # a feed's size is not known before parsing it


def test_xml_that_is_not_a_feed_is_a_problem(tmp_path):
    bad = tmp_path / "config.xml"
    bad.write_text("<?xml version='1.0'?><settings><a>1</a></settings>", encoding="utf-8")
    [problem] = _items([bad])
    assert isinstance(problem, Problem) and "not an RSS or Atom feed" in problem.reason


def test_html_fragment_to_text_keeps_blocks_apart():
    assert html_to_text("<p>One &amp; two.</p><p>Three<br>four</p>") == "One & two.\nThree\nfour"
    assert html_to_text("no markup ") == "no markup"


@pytest.fixture
def web(tmp_path):
    """A real HTTP server on localhost serving tmp_path."""
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **kw)  # noqa: E731
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield tmp_path, base
    server.shutdown()
    server.server_close()


def test_feed_from_url_following_links(web):
    root, base = web
    (root / "story-1.html").write_text(PAGE, encoding="utf-8")
    (root / "feed.rss").write_text(RSS.format(base=base), encoding="utf-8")

    summaries = _items([f"{base}/feed.rss"])
    assert [type(i) for i in summaries] == [Document, Document]
    assert "joint commission for banking" not in summaries[0].text

    # the test server is on loopback, so its pages count as private links (issue 9): opted in here
    followed = _items([f"{base}/feed.rss"], follow_links=True, allow_private_links=True)
    docs = [i for i in followed if isinstance(i, Document)]
    problems = [i for i in followed if isinstance(i, Problem)]
    assert [d.id for d in docs] == ["desk-1", f"{base}/missing.html"]
    assert "joint commission for banking" in docs[0].text  # the linked page's full text
    assert docs[0].title == "Iran and Malaysia set up joint commission" and docs[0].source == "World Desk"
    # the missing page is reported, and the entry is still coded from its summary
    assert len(problems) == 1 and "HTTP 404" in problems[0].reason and "entry 2" in problems[0].reason
    assert docs[1].text.endswith("Russia threatened to cut gas supplies to Ukraine.")


def test_page_from_url_and_unreachable_url(web):
    root, base = web
    (root / "story-1.html").write_text(PAGE, encoding="utf-8")
    [doc] = _items([f"{base}/story-1.html"])
    assert doc.url == "https://www.tehrantimes.example/news/1"
    [problem] = _items([f"{base}/nothing-here"])
    assert isinstance(problem, Problem) and problem.path == f"{base}/nothing-here" and "404" in problem.reason


SECRET = ("<html><body><article><p>" + "The secret internal memo says Iran and Armenia signed a deal. " * 4
          + "</p></article></body></html>")
ITEM = ("<item><title>Entry {n}</title><link>{link}</link><guid>e{n}</guid>"
        "<description>Summary {n}: Russia warned Ukraine.</description></item>")


def _hostile_feed(links):
    items = "\n".join(ITEM.format(n=n, link=link.replace("&", "&amp;")) for n, link in enumerate(links, 1))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile Desk</title>{items}</channel></rss>'


def test_feed_links_to_local_files_and_addresses_are_refused(web):
    """issue 9: a feed's links may not make tieline read local files or internal addresses; the
    entries are coded from their summaries and each refusal is a problem for its entry."""
    import base64

    root, base = web
    (root / "secret.html").write_text(SECRET, encoding="utf-8")
    port = base.rsplit(":", 1)[1]
    local_http = [f"{base}/secret.html", f"http://2130706433:{port}/secret.html",
                  f"http://0177.0.0.1:{port}/secret.html", f"http://127.1:{port}/secret.html",
                  f"http://localhost:{port}/secret.html"]
    other_schemes = [f"file://localhost{root}/secret.html", f"file:{root}/secret.html", f"file://{root}/secret.html",
                     f"ftp://127.0.0.1:{port}/secret.html",
                     "data:text/html;base64," + base64.b64encode(SECRET.encode()).decode()]
    links = local_http + other_schemes
    (root / "feed.rss").write_text(_hostile_feed(links), encoding="utf-8")
    (root / "saved.rss").write_text(_hostile_feed(links), encoding="utf-8")

    for source in (f"{base}/feed.rss", root / "saved.rss"):  # typed by the user: the feed itself is read
        items = _items([source], follow_links=True)
        docs = [i for i in items if isinstance(i, Document)]
        problems = [i for i in items if isinstance(i, Problem)]
        assert [d.id for d in docs] == [f"e{n}" for n in range(1, len(links) + 1)]
        assert all("secret internal memo" not in d.text and d.text.endswith("Russia warned Ukraine.") for d in docs)
        assert [p.doc_id for p in problems] == [d.id for d in docs]
        for n, problem in enumerate(problems, 1):
            assert problem.reason.startswith(f"entry {n}, link ") and "not fetched" in problem.reason
            assert problem.reason.endswith("coded from the feed's summary")
            assert str(problem).startswith(f"{source} [e{n}]: entry {n}")
        assert all("not a public address" in p.reason for p in problems[:len(local_http)])
        assert all("only http(s)" in p.reason for p in problems[len(local_http):])

    # an intranet user opts in: the http(s) links are fetched, other schemes still refused
    items = _items([f"{base}/feed.rss"], follow_links=True, allow_private_links=True)
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert ["secret internal memo" in d.text for d in docs] == [True] * len(local_http) + [False] * len(other_schemes)
    assert [p.doc_id for p in problems] == [f"e{n}" for n in range(len(local_http) + 1, len(links) + 1)]


def test_page_from_users_url_follows_redirects_on_its_host(web):
    """issue 9: a URL the user typed may be local, and so may its redirects that stay on its host."""
    root, base = web
    port = base.rsplit(":", 1)[1]
    (root / "folder").mkdir()  # SimpleHTTPRequestHandler redirects /folder to /folder/
    (root / "folder" / "index.html").write_text(PAGE, encoding="utf-8")
    for url in (f"{base}/folder", f"http://localhost:{port}/folder"):
        [doc] = _items([url])
        assert isinstance(doc, Document) and "joint commission" in doc.text


def test_feed_character_references_to_no_character_are_replaced(tmp_path):
    """issue 9: feedparser raised on &#xD800; (a lone surrogate) and &#x110000;, ending the run."""
    feed = tmp_path / "refs.rss"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk &#xD800;</title>'
                    "<item><title>Iran &#55296; met Armenia</title><guid>r1</guid>"
                    "<description>Iran met Armenia &#xDC00; &#x110000; &#99999999999999999999; on Monday "
                    "&#x1F600; &#233;.</description></item></channel></rss>", encoding="utf-8")
    items = _items([feed])
    [problem] = [i for i in items if isinstance(i, Problem)]
    [doc] = [i for i in items if isinstance(i, Document)]
    assert "5 character references" in problem.reason and problem.path == str(feed)
    assert doc.title == "Iran \ufffd met Armenia" and doc.source == "Desk \ufffd"
    assert doc.text.endswith("Iran met Armenia \ufffd \ufffd \ufffd on Monday \U0001F600 \u00e9.")
    page = tmp_path / "refs.html"
    page.write_text("<html><head><title>T &#xD800;</title></head><body><article><p>"
                    + "Iran and Armenia &#xD800; signed a deal in Yerevan on Monday. " * 4
                    + "</p></article></body></html>", encoding="utf-8")
    [doc] = _items([page])
    for value in (doc.text, doc.title, doc.id):
        value.encode("utf-8")  # lxml already turns such references into U+FFFD


@pytest.mark.model
def test_ingest_feed_codes_headline_and_body_apart(tmp_path, coder):
    feed = tmp_path / "desk.rss"
    feed.write_text(RSS.format(base="https://desk.example"), encoding="utf-8")
    records = [r for r in coder.code(d for d in read_documents([str(feed)]) if isinstance(d, Document))]
    events = {(r.doc_id, r.event) for r in records}
    assert ("desk-1", "CONSULT") in events and ("desk-1", "ACCUSE") in events
