"""Reading article files: encodings, front matter, metadata precedence and clear errors."""
from __future__ import annotations

import hostile
import pytest
from conftest import ARTICLES

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
    ("异想Pro\n3日前\n阿里云营收增长6%。", "2024-09-20", ("2024-09-17", "day", "inferred")),
    ("异想Pro\n昨天 10:02\n阿里云营收增长6%。", "2024-09-20", ("2024-09-19", "day", "inferred")),
    ("异想Pro\n前天\n阿里云营收增长6%。", "2024-09-20", ("2024-09-18", "day", "inferred")),
    ("异想Pro\n5小时前\n阿里云营收增长6%。", "2024-09-20", ("2024-09-20", "day", "inferred")),
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


def _claims(path) -> list[tuple]:
    _, rows = pipeline.process_path(path)
    return sorted(tuple(str(r[k]) for k in ("metric", "value", "period", "entity", "product", "span_start", "span_end",
                                            "quote")) for r in rows)


ARTICLE_FILES = documents.discover([ARTICLES])


@pytest.mark.parametrize("encoding", hostile.REENCODINGS)
@pytest.mark.parametrize("article", ARTICLE_FILES, ids=[p.name for p in ARTICLE_FILES])
def test_every_reencoded_copy_of_an_article_gives_the_same_claims(tmp_path, article, encoding):
    text = article.read_bytes().decode("utf-8")
    data = hostile.reencode(text, encoding)
    if data is None:
        pytest.skip(f"{encoding} cannot carry every character of {article.name}")
    original, copy = tmp_path / "original.txt", tmp_path / "copy.txt"
    original.write_bytes(text.encode("utf-8"))
    copy.write_bytes(data)
    assert _claims(copy) == _claims(original)
    assert documents.read_document(copy).warnings == documents.read_document(original).warnings


ENGLISH = "Alibaba Cloud reported its results for the quarter, according to the company's filing. " * 40


@pytest.mark.parametrize("data,encoding,warning", [
    # (bytes, encoding read, a fragment of the warning, or None for none)
    (BODY.encode("utf-16-le"), "utf-16-le", None),  # no BOM: told by its zero bytes
    (BODY.encode("utf-16-be"), "utf-16-be", None),
    (b"\xff\xfe\x00\x00" + BODY.encode("utf-32-le"), "utf-32", None),  # not read as UTF-16 (0 claims)
    (BODY.encode() + b"\xff" + BODY.encode(), "utf-8", "1 byte is not valid UTF-8 (the first at byte 97)"),
    (b"\xef\xbb\xbf" + BODY.encode() + b"\xc3\x28\xa0\xa1" + BODY.encode(), "utf-8-sig", "3 bytes are not valid UTF-8"),
    (b"\xff\xfe" + BODY.encode("utf-16-le") + b"\x00\xd8" + BODY.encode("utf-16-le"), "utf-16", "not valid UTF-16"),
    ((BODY + "??????的??????平台????").encode(), "utf-8", "lossy re-encoding"),
    ((BODY + " https://x.cn/a?b=1&c=2?d=3 ").encode(), "utf-8", None),  # '?' in a link is not damage
    # mostly English in GB18030: its few non-UTF-8 bytes are its Chinese, not damage to replace
    ((ENGLISH + BODY.replace("雲", "云") + ENGLISH).encode("gb18030"), "gb18030", None),
])
def test_decoding_keeps_the_text_and_says_what_it_repaired(tmp_path, data, encoding, warning):
    p = tmp_path / "a.txt"
    p.write_bytes(data)
    doc = documents.read_document(p)
    assert doc.error is None and doc.encoding == encoding
    assert doc.raw.count("185.82") >= 1
    assert (warning is None and not doc.warnings) or any(warning in w for w in doc.warnings), doc.warnings


@pytest.mark.parametrize("data,error", [
    (bytes(range(256)) * 4, "binary"),  # NUL bytes everywhere, no UTF-16 pattern
    (b"\x00\x01" * 500, "binary"),  # a UTF-16 pattern, but no text
    (b"\x80\x81\xfe" * 400, "not"),  # mostly invalid in every encoding tried
])
def test_bytes_that_are_not_text_are_named_binary_or_not_text(tmp_path, data, error):
    p = tmp_path / "a.txt"
    p.write_bytes(data)
    assert error in documents.read_document(p).error


def test_links_and_deep_folders_follow_the_documented_rules(tmp_path):
    root, outside = tmp_path / "in", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "a.txt").write_text(BODY, encoding="utf-8")
    (outside / "b.txt").write_text(BODY, encoding="utf-8")
    (root / "inside-link.txt").symlink_to(root / "a.txt")  # to a file inside the folder: read
    (root / "outside-link.txt").symlink_to(outside / "b.txt")  # to a file outside it: reported, not read
    (root / "sub" / "folder-link").symlink_to(outside, target_is_directory=True)  # a folder link: reported
    deep = root
    for _ in range(1100):  # deeper than Python's recursion limit (os.makedirs itself recurses)
        deep = deep / "d"
        deep.mkdir()
    (deep / "deep.txt").write_text(BODY, encoding="utf-8")
    try:
        found, refused = documents.find_articles([root])
        names = [p.name for p in found]
        assert names == ["a.txt", "inside-link.txt", "outside-link.txt", "deep.txt", "folder-link"]
        assert set(refused) == {str(root / "outside-link.txt"), str(root / "sub" / "folder-link")}
        assert "outside the folder" in refused[str(root / "outside-link.txt")]
        assert documents.find_articles([root / "outside-link.txt"])[1] == {}  # named explicitly: read
        assert documents.find_articles([root / "sub" / "folder-link"])[0] == [root / "sub" / "folder-link" / "b.txt"]
    finally:
        hostile.remove_tree(root / "d")  # pytest's own clean-up recurses, and fails on it


@pytest.mark.parametrize("shrink", [0, 1, 4096])
def test_a_file_that_grew_after_its_size_was_taken_is_read_whole(tmp_path, monkeypatch, shrink):
    """The size fstat gave is where reading starts to look, not where it stops."""
    import os

    body = ("阿里云营收增长6%。" * 2000).encode("utf-8")
    path = tmp_path / "a.txt"
    path.write_bytes(body)
    real = os.fstat

    def stale(fd):
        st = real(fd)
        return os.stat_result((*st[:6], max(0, st.st_size - shrink), *st[7:]))

    monkeypatch.setattr(documents.os, "fstat", stale)
    assert documents.read_bytes(path) == body
