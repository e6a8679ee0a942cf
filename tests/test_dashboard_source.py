"""A claim's source: context around the span, escaped HTML, safe links, upload names."""
from __future__ import annotations

import pytest

from dashboard import source
from dashboard.uploads import UploadError, sanitise_name, store_upload

TEXT = "前文" * 150 + "阿里云收入185.82億元，同比下滑2%。" + "后文" * 150

SNIPPETS = [
    # (text, start, end, width, (before, number, after, clipped_start, clipped_end))
    ("阿里云收入185.82億元。", 5, 13, 200, ("阿里云收入", "185.82億元", "。", False, False)),
    (TEXT, 305, 313, 200, (TEXT[105:305], "185.82億元", TEXT[313:513], True, True)),
    ("增长6%", 2, 4, 1, ("长", "6%", "", True, False)),
    ("短", 5, 9, 200, ("短", "", "", False, False)),  # a span past the end (file changed) is clamped
]


@pytest.mark.parametrize("text,start,end,width,expected", SNIPPETS)
def test_snippet_takes_context_either_side_of_the_span(text, start, end, width, expected):
    s = source.snippet(text, start, end, width)
    assert (s.before, s.number, s.after, s.clipped_start, s.clipped_end) == expected


HOSTILE = [
    # (article text, what must not appear, what must appear)
    ("<script>alert(1)</script>增长6%", "<script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("<img src=x onerror=alert(2)>增长6%", "<img", "&lt;img src=x onerror=alert(2)&gt;"),
    ("\"><b onmouseover=x>增长6%", "<b ", "&quot;&gt;&lt;b onmouseover=x&gt;"),
    ("R&amp;D 增长6%", "R&amp;D 增长", "R&amp;amp;D"),
]


@pytest.mark.parametrize("text,forbidden,shown", HOSTILE)
def test_article_text_is_always_escaped(text, forbidden, shown):
    i = text.index("6%")
    rendered = [source.snippet_html(source.snippet(text, i, i + 2)), source.quote_html(text, "6%"),
                source.quote_html(text, "not there"), source.text_html(text)]
    for html in rendered:
        assert forbidden not in html and shown in html
    assert "<mark" in rendered[0] and "<mark" in rendered[1] and "<mark" not in rendered[2]


URLS = [
    ("https://mp.weixin.qq.com/s?__biz=MTMw&mid=2652971535#rd", "https://mp.weixin.qq.com/s?__biz=MTMw&mid=2652971535#rd"),
    (" http://zhidx.com/p/2 ", "http://zhidx.com/p/2"),
    ("javascript:alert(1)", None),
    ("JAVASCRIPT:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("//evil.example/x", None),
    ("articles/001.txt", None),
    ("http://[::1", None),
    # http(s) without a host: the host check alone refuses these
    ("http://", None),
    ("https://", None),
    ("http:///etc/passwd", None),
    ("https:/evil.example/x", None),
    ("http:evil.example", None),
    ("https://?q=1", None),
    ("https://#top", None),
    ("https://zhidx.com", "https://zhidx.com"),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize("url,expected", URLS)
def test_only_http_links_are_offered(url, expected):
    assert source.safe_url(url) == expected


def test_read_article_notices_a_file_changed_since_extraction(tmp_path):
    p = tmp_path / "a.md"
    p.write_bytes("營收增長".encode("gb18030"))
    from dashboard.uploads import doc_id_of
    same = source.read_article(p, "gb18030", doc_id_of(p.read_bytes()))
    assert same.text == "營收增長" and not same.changed
    assert source.read_article(p, "gb18030", "0000000000000000").changed


def test_find_article_falls_back_to_the_articles_dir(tmp_path):
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "x.md").write_text("t")
    assert source.find_article("/elsewhere/machine/x.md", tmp_path) == tmp_path / "uploads" / "x.md"
    assert source.find_article("/elsewhere/y.md", tmp_path) is None
    assert source.find_article(None, tmp_path) is None


NAMES = [
    # (uploaded name, stored name or the error message)
    ("阿里云财报.md", "阿里云财报.md"),
    ("report 2024 (final).TXT", "report_2024_final.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
    ("C:\\fakepath\\新闻.txt", "新闻.txt"),
    ("..txt", "upload.txt"),
    (".hidden.md", "hidden.md"),
    ("a..b.md", "a.b.md"),
    ("🚀 launch.md", "launch.md"),
    ("ｆｕｌｌ１２.txt", "full12.txt"),  # NFKC
    ("line\nbreak.md", "linebreak.md"),
    ("x" * 300 + ".md", "x" * 97 + ".md"),
    ("evil.html", "only .txt and .md"),
    ("archive.md.exe", "only .txt and .md"),
    ("noext", "only .txt and .md"),
    ("", "only .txt and .md"),
]


@pytest.mark.parametrize("name,expected", NAMES)
def test_upload_names_are_sanitised(name, expected):
    if expected.startswith("only"):
        with pytest.raises(UploadError, match=expected):
            sanitise_name(name)
    else:
        assert sanitise_name(name) == expected


def test_store_upload_never_overwrites_and_stays_in_the_uploads_dir(tmp_path):
    up = tmp_path / "uploads"
    first = store_upload("news.md", "阿里云营收增长6%".encode(), up, 1000)
    second = store_upload("../news.md", b"different", up, 1000)
    third = store_upload("news.md", b"third", up, 1000)
    assert [p.name for p in (first, second, third)] == ["news.md", "news-1.md", "news-2.md"]
    assert first.read_text() == "阿里云营收增长6%" and all(p.parent == up.resolve() for p in (first, second, third))
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["news-1.md", "news-2.md", "news.md"]


@pytest.mark.parametrize("data,limit,message", [(b"", 10, "empty"), (b"x" * 11, 10, "over the"), (b"x" * 10, 10, None)])
def test_store_upload_enforces_the_size_limit(tmp_path, data, limit, message):
    if message:
        with pytest.raises(UploadError, match=message):
            store_upload("a.txt", data, tmp_path, limit)
        assert not any(tmp_path.iterdir())
    else:
        assert store_upload("a.txt", data, tmp_path, limit).read_bytes() == data


MARKDOWN = [
    # (text from data, what Streamlit's markdown receives)
    ("report_[1](javascript:x).md", r"report\_\[1\]\(javascript\:x\)\.md"),
    ("**bold** $x$ :red[alert]", r"\*\*bold\*\* \$x\$ \:red\[alert\]"),
    ("<script>alert(1)</script>", r"\<script\>alert\(1\)\<\/script\>"),
    ("第一行\n# 标题", r"第一行 \# 标题"),
    ("阿里云财报.md", r"阿里云财报\.md"),
    (None, ""),
]


@pytest.mark.parametrize("text,escaped", MARKDOWN)
def test_text_in_markdown_messages_is_escaped(text, escaped):
    assert source.md_escape(text) == escaped


@pytest.mark.parametrize("url,expected", URLS)
def test_table_links_follow_the_same_rule(url, expected):
    import polars as pl

    got = pl.DataFrame({"url": [url]}, schema={"url": pl.String}).select(source.safe_url_expr("url"))["url"][0]
    assert got == expected
