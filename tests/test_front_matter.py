"""Front matter read by the flat fast path (documents._flat_front_matter) is what YAML reads, and anything the
path cannot read for certain goes to YAML: real articles' front matter, edge cases and Hypothesis-made blocks."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import rules_data
from extractors.text import documents
from tests import row_dump


def _yaml(block: str):
    try:
        return yaml.load(block, Loader=rules_data.YAML_LOADER) or {}
    except yaml.YAMLError:
        return "error"


@pytest.mark.parametrize("block, fast", [
    ('url: "https://example.com/a?b=1#c"\ndate: 2025-11', True),
    ("title: 阿里云营收增长 6%\npublisher: 新浪财经", True),
    ("title: 'it''s'", False),  # an escaped quote: YAML's
    ('title: "a \\" b"', False),
    ("date: 2025-11-03", False),  # a date: YAML's own type
    ("count: 12", False), ("flag: yes", False), ("empty:", False), ("nothing: ~", False), ("null: x", False),
    ("title: a: b", False), ("title: a #comment", False), ("title: a#b", True), ("url: http://x:80/", True),
    ("title: - item", False), ("title: [a, b]", False), ("title: {a: 1}", False), ("title: |", False),
    ("title: a  b", False), ("title:\tx", False), ("  title: x", False), ("title: x\n  more", False),
    ("title: x\r\nurl: y", False), ("title: a\u2028b", False), ("title: \u3000a", False), ("title: a\x85b", False),
    ("title: it's", True), ("title: 100%", True), ("title: a, b", True), ("title: x\ntitle: y", True),
])
def test_the_fast_path_reads_what_yaml_reads(block, fast):
    got = documents._flat_front_matter(block)
    assert (got is not None) == fast
    if got is not None:
        assert got == _yaml(block)


def test_the_articles_front_matter_reads_as_yaml_reads_it():
    fast = 0
    for f in row_dump.corpus():
        raw = open(f, encoding="utf-8", errors="replace").read()
        if not raw.startswith("---\n") or raw.find("\n---", 3) < 0:
            continue
        block = raw[4 : raw.find("\n---", 3)]
        got = documents._flat_front_matter(block)
        fast += got is not None
        assert got is None or got == _yaml(block), f
    assert fast > 20


_VALUE_CHARS = st.sampled_from(list("ab 1-:#'\",[]{}&*!|>%@`?~.\t\u3000\u2028\x85\r\\") + ["阿里云", "2025", "true", "null"])


@settings(deadline=None, max_examples=500)
@given(st.lists(st.tuples(st.sampled_from(["title", "url", "date", "yes", "x_1", "null"]),
                          st.lists(_VALUE_CHARS, max_size=8).map("".join),
                          st.sampled_from([": ", ":", ":  ", ": '", ': "'])), min_size=1, max_size=4))
def test_generated_blocks_read_as_yaml_reads_them(lines):
    block = "\n".join(k + sep + v + (sep[-1] if sep[-1] in "'\"" else "") for k, v, sep in lines)
    got = documents._flat_front_matter(block)
    assert got is None or got == _yaml(block)
