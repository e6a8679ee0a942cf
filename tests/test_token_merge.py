"""tokens.merge, one case per line: streams of (kind, start, end), and the tokens that stay, in order.
Where two overlap the longer stays; on a tie the earlier stream's."""
from __future__ import annotations

import pytest

from extractors.tokens import Token, merge

CASES = [
    ([[("num", 0, 1)], [("period", 2, 6)], [("metric", 7, 9)]], [("num", 0, 1), ("period", 2, 6), ("metric", 7, 9)]),
    ([[("num", 3, 4)], [], [("entity", 0, 3)]], [("entity", 0, 3), ("num", 3, 4)]),  # streams interleave
    ([[("period", 0, 4)], [("entity", 0, 2)]], [("period", 0, 4)]),  # the longer at one start
    ([[("entity", 0, 2)], [("period", 0, 4)]], [("period", 0, 4)]),  # whichever stream holds it
    ([[("num", 0, 2)], [("period", 0, 2)]], [("num", 0, 2)]),  # a tie: the earlier stream
    ([[("period", 0, 4)], [("entity", 2, 6)]], [("period", 0, 4)]),  # overlapping later start: the first stays
    ([[], [("entity", 0, 2), ("entity", 0, 3)]], [("entity", 0, 3)]),  # one stream, one start
]


@pytest.mark.parametrize("streams,kept", CASES, ids=[str(i) for i in range(len(CASES))])
def test_merge(streams, kept):
    got = merge(*[[Token(k, a, b) for k, a, b in s] for s in streams])
    assert [(t.kind, t.start, t.end) for t in got] == kept
