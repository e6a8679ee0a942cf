"""Reading article files: encodings, front matter, metadata precedence and clear errors."""
from __future__ import annotations

import pytest

from extractors import pipeline
from extractors.text import documents

BODY = "阿里雲2023財年第四季度(自然年2023年第一季度)收入185.82億元,同比下滑2%。"
FRONT = "---\ntitle: 标题\nsource: 智东西\nurl: https://example.com/a\ndate: 2023-08-03\n---\n"

# (file name, bytes, expected encoding or None, expected error fragment or None)
FILES = [
    ("utf8.txt", BODY.encode("utf-8"), "utf-8", None),
    ("bom.txt", b"\xef\xbb\xbf" + BODY.encode("utf-8"), "utf-8-sig", None),
    ("gb.txt", BODY.replace("雲", "云").encode("gb18030"), "gb18030", None),
    ("big5.txt", BODY.encode("big5"), "big5", None),
    ("utf16.txt", BODY.encode("utf-16"), "utf-16", None),
    ("front.md", (FRONT + BODY).encode("utf-8"), "utf-8", None),
    ("empty.txt", b"", None, "empty file"),
    ("blank.txt", b"  \n\n ", None, "empty file"),
    ("png.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), None, "binary"),
    ("unclosed.md", ("---\ntitle: x\n" + BODY).encode("utf-8"), None, "never closed"),
    ("badyaml.md", ("---\ntitle: [unclosed\n---\n" + BODY).encode("utf-8"), None, "not valid YAML"),
    ("listfront.md", ("---\n- a\n- b\n---\n" + BODY).encode("utf-8"), None, "not a mapping"),
    ("image.png", b"\x89PNG\r\n\x1a\n", None, "not an article file"),
]


@pytest.mark.parametrize("name,data,encoding,error", FILES, ids=[f[0] for f in FILES])
def test_read_document(tmp_path, name, data, encoding, error):
    p = tmp_path / name
    p.write_bytes(data)
    doc = documents.read_document(p)
    if error:
        assert doc.error and error in doc.error
    else:
        assert doc.error is None and doc.encoding == encoding
        assert "185.82" in doc.raw[doc.body_start :]


@pytest.mark.parametrize("name,data,encoding,error", [f for f in FILES if f[3] is None], ids=[f[0] for f in FILES if f[3] is None])
def test_every_encoding_gives_the_same_claims(tmp_path, name, data, encoding, error):
    p = tmp_path / name
    p.write_bytes(data)
    doc_row, rows = pipeline.process_path(p, {str(p): {"date": "2023-08-03"}})
    got = sorted((r["metric"], r["value"], r["period"]) for r in rows)
    assert got == [("revenue", 18582000000.0, "2023Q1"), ("revenue_growth", -2.0, "2023Q1")]
    raw = documents.read_document(p).raw
    for r in rows:  # spans index the decoded original text, whatever the encoding on disk
        span = raw[r["span_start"] : r["span_end"]]
        assert span in r["quote"] and span.rstrip("%元億亿").replace(".", "").isdigit()


# front matter, sources.yaml entry, expected (publisher, published, precision, origin), warning fragment
META = [
    (FRONT, {"source": "别的", "date": "2020-01"}, ("智东西", "2023-08-03", "day", "front_matter"), None),
    ("", {"source": "星船知造", "date": "2023-04"}, ("星船知造", "2023-04-01", "month", "sources_yaml"), None),
    ("", {"publisher": "异想Pro", "date": 2024}, ("异想Pro", "2024-01-01", "year", "sources_yaml"), None),
    ("---\ndate: next tuesday\n---\n", {}, (None, None, None, None), "not a date"),
    ("---\ndate: 2999-01-01\n---\n", {}, (None, None, None, None), "in the future"),
    ("---\ntitle: [a, b]\nsource: 智东西\n---\n", {}, ("智东西", None, None, None), "should be text"),
    ("---\ndate: next tuesday\n---\n", {"date": "2023-04"}, (None, "2023-04-01", "month", "sources_yaml"), "not a date"),
]


@pytest.mark.parametrize("front,side,expected,warning", META)
def test_metadata_precedence(tmp_path, front, side, expected, warning):
    p = tmp_path / "a.txt"
    p.write_text(front + BODY, encoding="utf-8")
    doc = documents.read_document(p, {str(p): side})
    published = doc.meta.get("published")
    got = (doc.meta.get("publisher"), published and published.isoformat(), doc.precision, doc.origin.get("published"))
    assert got == expected
    if warning:
        assert any(warning in w for w in doc.warnings), doc.warnings


# body text, fetch date in front matter, expected (published, precision, origin)
INFERRED = [
    ("2024年9月19日,云栖大会在杭州开幕。去年2023年4月阿里云降价。", None, ("2024-09-19", "day", "inferred")),
    ("2023年4月,阿里云率先发起价格战。", None, ("2023-04-01", "month", "inferred")),
    ("异想Pro\n1天前\n9月19日,云栖大会开幕。", "2024-09-20", ("2024-09-19", "day", "inferred")),
    ("阿里云营收增长6%。", None, (None, None, "unknown")),
]


@pytest.mark.parametrize("body,fetched,expected", INFERRED)
def test_publication_date_inferred_from_text(tmp_path, body, fetched, expected):
    p = tmp_path / "a.txt"
    p.write_text((f"---\nfetch_date: {fetched}\n---\n" if fetched else "") + body, encoding="utf-8")
    row, _ = pipeline.process_path(p)
    got = (row["published"] and row["published"].isoformat(), row["published_precision"], row["published_origin"])
    assert got == expected


def test_sources_yaml_errors_name_the_file(tmp_path):
    (tmp_path / "sources.yaml").write_text("a.txt: [unclosed\n", encoding="utf-8")
    p = tmp_path / "a.txt"
    p.write_text(BODY, encoding="utf-8")
    doc = documents.read_document(p, documents.load_sources_for([p]))
    assert doc.error is None
    assert any("sources.yaml" in w and "unreadable" in w for w in doc.warnings)


def test_discover_is_sorted_and_skips_other_files(tmp_path):
    for n in ["b.txt", "a.md", "c.csv", "sources.yaml", "sub/d.txt"]:
        (tmp_path / n).parent.mkdir(exist_ok=True)
        (tmp_path / n).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in documents.discover([tmp_path])] == ["a.md", "b.txt", "sub/d.txt"]
