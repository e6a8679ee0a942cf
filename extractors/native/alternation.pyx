# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The scan of extractors/recognize/scan.py's `Alternation`, in C++: what one alternation of many patterns
finds, left to right without overlaps, the longest at a position (first listed on a tie) or the first
listed that matches. scan.py's own code stays the reference; tests/test_native_alternation.py compares.

`Scanner(alternation, words)` is configured once from what `Alternation.__init__` computed. Its strings
(`words`, in the order of its payloads) go into an Aho-Corasick automaton over code points, which finds every
occurrence, overlapping ones too, as ahocorasick_rs does; their lookbehinds and lookaheads, the `starts`
pattern and the patterns of `by_char` run on PCRE2 (extractors/native/regex32.pyx).

In longest mode `by_char` holds POSIX (leftmost-longest) alternations, which PCRE2's backtracking matcher
does not do: each alternative is run by PCRE2's DFA matcher (pcre2_dfa_match finds every match at a
position, the longest first), compiled without auto-possessification so that none is left out, and the
first of the longest wins, as in the regex module's POSIX mode; the backtracking matcher first tells
whether the alternative matches at all (it matches where some match exists: the DFA matcher runs only
there). A bucket (the patterns that may start with one character) that PCRE2 cannot run exactly as Python
does is matched by the Python pattern itself, at just those positions; so is a position where the DFA
matcher gives up (its workspace too small).
"""
from cython.operator cimport dereference as deref
from libc.stdint cimport int32_t, uint16_t, uint32_t, uint64_t
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector

from extractors.native.pcre2 cimport *
from extractors.native.regex32 cimport Pattern, Text

import re

from extractors.native import dialect, regex32

Unsupported = regex32.Unsupported  # what Scanner raises when PCRE2 cannot run a pattern it needs as Python does

cdef extern from *:
    """
    #define PCRE2_CODE_UNIT_WIDTH 32
    #include <pcre2.h>
    """
    uint32_t PCRE2_NO_AUTO_POSSESS
    pcre2_match_data_32* pcre2_match_data_create_32(uint32_t, pcre2_general_context_32*)


cdef uint64_t EMPTY = <uint64_t> -1
cdef uint32_t END = 0x110000  # past the last code point: "the text ends here", in a starts memo key
cdef int WORKSPACE = 4096  # ints of the DFA matcher's workspace; a position that needs more runs in Python
cdef size_t MEMO_MAX = 1 << 20  # starts memo entries, at most

# The shape of scan.py's `_starts` patterns: alternatives of one literal character, optionally followed by
# one class of literals (and \d), or one such class. A match at q then depends on text[q], text[q + 1] and
# whether q + 1 is the end only, so it can be remembered by those.
_LITERAL = r"(?:\\[^0-9A-Za-z]|[^\\\[\]|(){}?*+.^$])"
_CLASS = r"\[(?:\\[^0-9A-Za-z]|\\d|[^\\\]\[])+\]"
_PART = f"(?:{_LITERAL}{_CLASS}?|{_CLASS})"
TWO_CHARS = re.compile(f"{_PART}(?:\\|{_PART})*")


cdef inline uint64_t _slot(uint64_t key, int shift) noexcept nogil:
    """Fibonacci hashing: the top bits of key times 2^64 / golden ratio."""
    return (key * <uint64_t> 0x9E3779B97F4A7C15) >> shift


cdef struct Hit:
    int32_t i
    Py_ssize_t s
    Py_ssize_t e
    bint word  # found as one of the strings (not by a pattern)


cdef class Scanner:
    cdef bint longest
    # The automaton: classes of code points (0: in no string); the root's transitions, dense; every other
    # state's transitions that lead elsewhere than the root's (its failure links followed in advance) in one
    # hash table keyed by state and class; and the strings (their ids) that end at each state, those of its
    # suffixes included.
    cdef vector[uint16_t] cls_bmp
    cdef unordered_map[uint32_t, int32_t] cls_astral
    cdef vector[int32_t] root_next
    cdef vector[uint64_t] h_key
    cdef vector[int32_t] h_val
    cdef uint64_t h_mask
    cdef int h_shift
    cdef vector[int32_t] out_start, out_ids
    cdef bint has_words
    # per string: length, the first-listed pattern when it needs no lookaround (else -1), its payload
    cdef vector[int32_t] w_len, w_plain, w_pay
    cdef vector[int32_t] pay_i, pay_behind, pay_ahead  # -1: no lookaround; else an index into looks
    cdef list looks
    # where a pattern may start: the first characters (a bit each below 65536) and the starts pattern
    cdef Pattern starts
    cdef vector[uint64_t] bucket_bits
    cdef vector[int32_t] bucket_bmp
    cdef unordered_map[uint32_t, int32_t] bucket_astral
    cdef bint memo_ok  # starts has scan.py's two-character shape: its matches are remembered
    cdef vector[uint64_t] memo_key
    cdef vector[char] memo_val
    cdef size_t memo_used
    cdef int memo_shift
    # the buckets of by_char: each one's alternatives (pattern index, group), and what runs them
    cdef list python_rx  # per bucket: the Python pattern, run where the bucket cannot run natively
    cdef vector[char] native_ok
    cdef list alt_rx  # first listed: per bucket, its alternation on PCRE2
    cdef vector[int32_t] alt_start, alt_i, alt_group
    cdef list alt_jit  # longest: per alternative, the pattern on PCRE2's backtracking matcher
    cdef vector[pcre2_code_32*] alt_code  # longest: per alternative, compiled for the DFA matcher
    cdef pcre2_match_data_32* dfa_md
    cdef vector[int] workspace
    cdef public object solo  # per pattern: its own match equals its match inside a by_char alternation
    cdef public int fallbacks  # positions matched by a Python pattern (buckets PCRE2 does not run, DFA limits)
    # per scan
    cdef object last_str
    cdef Text last_text
    cdef vector[int32_t] best_len, best_i
    cdef vector[Hit] hits

    def __cinit__(self):
        self.dfa_md = NULL

    def __init__(self, alternation, list words):
        self.longest = alternation.longest
        flags = alternation.flags
        self.looks, self.python_rx, self.alt_rx, self.alt_jit = [], [], [], []
        self.fallbacks = 0
        self.solo = [not _backreference(p) and not re.match(r"\(\?[aiLmsux]+\)", p) for p in alternation.source]
        self._automaton(words, alternation.payloads, flags)
        by_char = alternation.by_char
        self.bucket_bmp.assign(65536, -1)
        self.bucket_bits.assign(1024, 0)
        self.alt_start.push_back(0)
        for b, (ch, rx) in enumerate(by_char.items()):
            if ord(ch) < 65536:
                self.bucket_bmp[ord(ch)] = b
                self.bucket_bits[ord(ch) >> 6] |= (<uint64_t> 1) << (ord(ch) & 63)
            else:
                self.bucket_astral[ord(ch)] = b
            self.python_rx.append(rx)
            self.native_ok.push_back(self._bucket(rx, alternation.source, flags))
            self.alt_start.push_back(self.alt_i.size())
        self.starts = regex32.compile(alternation.starts.pattern) if by_char else None
        self.memo_ok = self.starts is not None and TWO_CHARS.fullmatch(alternation.starts.pattern) is not None
        self.memo_shift = 64 - 10
        self.memo_key.assign(1 << 10, EMPTY)
        self.memo_val.assign(1 << 10, 0)
        self.memo_used = 0
        self.workspace.assign(WORKSPACE, 0)
        self.dfa_md = pcre2_match_data_create_32(16, NULL)

    def __dealloc__(self):
        for code in self.alt_code:
            if code is not NULL:
                pcre2_code_free_32(code)
        if self.dfa_md is not NULL:
            pcre2_match_data_free_32(self.dfa_md)

    # ------------------------------------------------------------ configuration
    def _automaton(self, list words, list payloads, int flags):
        cdef dict classes = {}
        cdef list children = [{}]  # per trie state: class -> state
        cdef list terminal = [-1]
        for k, w in enumerate(words):
            node = 0
            for ch in w:
                c = classes.setdefault(ord(ch), len(classes) + 1)
                nxt = children[node].get(c)
                if nxt is None:
                    nxt = len(children)
                    children[node][c] = nxt
                    children.append({})
                    terminal.append(-1)
                node = nxt
            terminal[node] = k
        self.has_words = bool(words)
        if len(classes) >= 65535:
            raise Unsupported(f"{len(classes)} characters in the strings: more than the automaton's classes")
        self.cls_bmp.assign(65536, 0)
        for cp, c in classes.items():
            if cp < 65536:
                self.cls_bmp[cp] = c
            else:
                self.cls_astral[cp] = c
        self.root_next.assign(len(classes) + 1, 0)
        for c, nxt in children[0].items():
            self.root_next[c] = nxt
        # failure links, outputs and transitions, breadth first (a failure link points to a shallower state):
        # a state's transitions are its children, else those of its failure link
        fail = [0] * len(children)
        outs: list[list[int]] = [[] for _ in children]
        delta: list[dict] = [{} for _ in children]  # the root's are root_next
        order = list(children[0].values())
        head = 0
        while head < len(order):
            node = order[head]
            head += 1
            outs[node] = ([terminal[node]] if terminal[node] >= 0 else []) + outs[fail[node]]
            delta[node] = {**delta[fail[node]], **children[node]}
            for c, nxt in children[node].items():
                f = fail[node]
                while f and c not in children[f]:
                    f = fail[f]
                fail[nxt] = children[f].get(c, 0) if node else 0
                order.append(nxt)
        entries = sum(len(d) for d in delta)
        bits = 4
        while (1 << bits) < 2 * entries:
            bits += 1
        self.h_mask, self.h_shift = (1 << bits) - 1, 64 - bits
        self.h_key.assign(1 << bits, EMPTY)
        self.h_val.assign(1 << bits, 0)
        cdef uint64_t key, slot
        for node in range(len(children)):
            for c, nxt in delta[node].items():
                key = (<uint64_t> node << 32) | <uint64_t> c
                slot = _slot(key, self.h_shift)
                while self.h_key[slot] != EMPTY:
                    slot = (slot + 1) & self.h_mask
                self.h_key[slot] = key
                self.h_val[slot] = nxt
        for node in range(len(children)):
            self.out_start.push_back(self.out_ids.size())
            for k in outs[node]:
                self.out_ids.push_back(k)
        self.out_start.push_back(self.out_ids.size())
        # the strings' payloads
        looks: dict[str, int] = {}

        def look(rx) -> int:
            if rx is None:
                return -1
            if rx.pattern not in looks:
                looks[rx.pattern] = len(self.looks)
                self.looks.append(regex32.compile(rx.pattern, flags))
            return looks[rx.pattern]

        for n, plain, payload in payloads:
            self.w_len.push_back(n)
            self.w_plain.push_back(plain)
            self.w_pay.push_back(self.pay_i.size())
            for i, behind, ahead in payload:
                self.pay_i.push_back(i)
                self.pay_behind.push_back(look(behind))
                self.pay_ahead.push_back(look(ahead))
        self.w_pay.push_back(self.pay_i.size())

    def _bucket(self, rx, list sources, int flags) -> bool:
        """Set up one bucket of by_char: its alternatives (index, group), and what runs them natively."""
        idx = sorted(int(name[1:]) for name in rx.groupindex if name[:1] == "a" and name[1:].isdigit())
        for i in idx:
            self.alt_i.push_back(i)
            self.alt_group.push_back(rx.groupindex[f"a{i}"])
        if not self.longest:
            try:
                alt = regex32.compile(rx.pattern, flags)
            except regex32.Unsupported:
                alt = None
            if alt is not None and alt.groupindex != dict(rx.groupindex):
                alt = None
            self.alt_rx.append(alt)
            return alt is not None
        self.alt_rx.append(None)
        ok = True
        for i in idx:
            try:
                self.alt_jit.append(regex32.compile(sources[i], flags))
            except regex32.Unsupported:
                self.alt_jit.append(None)
                ok = False
            code = _dfa_code(sources[i], flags)
            self.alt_code.push_back(code)
            ok = ok and code is not NULL
        return ok

    # ------------------------------------------------------------ scanning
    cdef Text _text(self, str text):
        if text is not self.last_str:
            self.last_text = Text(text)
            self.last_str = text
        return self.last_text

    cdef int _words(self, Text t, Py_ssize_t start, Py_ssize_t end) except -1:
        """best_len/best_i[s - start]: the longest string found at s whose lookarounds hold (first listed on a tie)."""
        cdef Py_UCS4* buf = t.buf
        cdef Py_ssize_t q, s, e
        cdef int32_t node = 0, c, o, k, n, j, i, bl
        cdef uint32_t cp
        cdef uint64_t key, slot
        cdef Pattern rx
        cdef unordered_map[uint32_t, int32_t].iterator it
        for q in range(start, end):
            cp = buf[q]
            if cp < 65536:
                c = self.cls_bmp[cp]
            else:
                it = self.cls_astral.find(cp)
                c = 0 if it == self.cls_astral.end() else deref(it).second
            if c == 0:
                node = 0
                continue
            if node == 0:
                node = self.root_next[c]
            else:
                key = (<uint64_t> node << 32) | <uint64_t> c
                slot = _slot(key, self.h_shift)
                while True:
                    if self.h_key[slot] == key:
                        node = self.h_val[slot]
                        break
                    if self.h_key[slot] == EMPTY:
                        node = self.root_next[c]
                        break
                    slot = (slot + 1) & self.h_mask
            e = q + 1
            for o in range(self.out_start[node], self.out_start[node + 1]):
                k = self.out_ids[o]
                n = self.w_len[k]
                s = e - n
                if self.w_plain[k] >= 0:
                    i = self.w_plain[k]
                else:
                    i = -1
                    for j in range(self.w_pay[k], self.w_pay[k + 1]):
                        if self.pay_behind[j] >= 0:
                            rx = <Pattern> self.looks[self.pay_behind[j]]
                            if rx.match(t, s, t.n) < 0:
                                continue
                        if self.pay_ahead[j] >= 0:
                            rx = <Pattern> self.looks[self.pay_ahead[j]]
                            if rx.match(t, e, end) < 0:
                                continue
                        i = self.pay_i[j]
                        break
                    if i < 0:
                        continue
                bl = self.best_len[s - start]
                if n > bl or (n == bl and i < self.best_i[s - start]):
                    self.best_len[s - start] = n
                    self.best_i[s - start] = i
        return 0

    cdef inline int32_t _bucket_of(self, uint32_t cp) noexcept:
        if cp < 65536:
            if not (self.bucket_bits[cp >> 6] >> (cp & 63)) & 1:
                return -1
            return self.bucket_bmp[cp]
        cdef unordered_map[uint32_t, int32_t].iterator it = self.bucket_astral.find(cp)
        return -1 if it == self.bucket_astral.end() else deref(it).second

    cdef bint _starts_at(self, Text t, Py_ssize_t q, Py_ssize_t end) except -1:
        """starts.match(text, q, end), remembered by (text[q], text[q + 1] or the end) when starts has the shape."""
        cdef uint64_t key, slot
        cdef bint got
        if not self.memo_ok:
            return self.starts.match(t, q, end) >= 0
        key = (<uint64_t> t.buf[q] << 32) | <uint64_t> (t.buf[q + 1] if q + 1 < end else END)
        slot = _slot(key, self.memo_shift)
        while True:
            if self.memo_key[slot] == key:
                return self.memo_val[slot]
            if self.memo_key[slot] == EMPTY:
                break
            slot = (slot + 1) & (self.memo_key.size() - 1)
        got = self.starts.match(t, q, end) >= 0
        if self.memo_used < MEMO_MAX:
            if 2 * (self.memo_used + 1) > self.memo_key.size():
                self._grow_memo()
                slot = _slot(key, self.memo_shift)
                while self.memo_key[slot] != EMPTY:
                    slot = (slot + 1) & (self.memo_key.size() - 1)
            self.memo_key[slot] = key
            self.memo_val[slot] = got
            self.memo_used += 1
        return got

    cdef void _grow_memo(self) noexcept:
        cdef vector[uint64_t] keys = self.memo_key
        cdef vector[char] vals = self.memo_val
        cdef size_t j, size = 2 * keys.size()
        cdef uint64_t slot
        self.memo_shift -= 1
        self.memo_key.assign(size, EMPTY)
        self.memo_val.assign(size, 0)
        for j in range(keys.size()):
            if keys[j] != EMPTY:
                slot = _slot(keys[j], self.memo_shift)
                while self.memo_key[slot] != EMPTY:
                    slot = (slot + 1) & (size - 1)
                self.memo_key[slot] = keys[j]
                self.memo_val[slot] = vals[j]

    cdef Py_ssize_t _next_start(self, Text t, Py_ssize_t pos, Py_ssize_t end) except -2:
        """starts.search(text, pos, end).start(), or end: every match of starts opens with a character of by_char."""
        cdef Py_ssize_t q
        if self.starts is None:
            return end
        for q in range(pos, end):
            if self._bucket_of(t.buf[q]) >= 0 and self._starts_at(t, q, end):
                return q
        return end

    cdef Py_ssize_t _by_char(self, Text t, Py_ssize_t p, Py_ssize_t end, int32_t* index) except -2:
        """by_char[text[p]].match(text, p, end): its end (-1: no match) and, in index, the pattern that matched."""
        cdef int32_t b = self._bucket_of(t.buf[p]), a
        cdef Py_ssize_t best = -1, got
        cdef int rc
        cdef size_t* ov
        cdef Pattern alt
        if b < 0:
            return -1
        if self.native_ok[b]:
            if not self.longest:
                alt = <Pattern> self.alt_rx[b]
                got = alt.match(t, p, end)
                if got < 0:
                    return -1
                for a in range(self.alt_start[b], self.alt_start[b + 1]):
                    if alt.start(self.alt_group[a]) >= 0:
                        index[0] = self.alt_i[a]
                        return got
                raise RuntimeError("no alternative took part in the match")
            ov = pcre2_get_ovector_pointer_32(self.dfa_md)
            for a in range(self.alt_start[b], self.alt_start[b + 1]):
                got = (<Pattern> self.alt_jit[a]).match(t, p, end)
                if got < 0:
                    continue  # no match at all: the DFA matcher would find none either
                if got < end:  # a match to the end is the longest there is
                    rc = pcre2_dfa_match_32(self.alt_code[a], <PCRE2_SPTR32> t.buf, end, p, PCRE2_NO_UTF_CHECK,
                                            self.dfa_md, NULL, self.workspace.data(), WORKSPACE)
                    if rc < 0:  # PCRE2_ERROR_NOMATCH cannot be, where the backtracking matcher found one
                        best = -2  # the DFA matcher gave up: the Python pattern decides
                        break
                    got = <Py_ssize_t> ov[1]
                if got > best:
                    best, index[0] = got, self.alt_i[a]
            if best != -2:
                return best
        self.fallbacks += 1
        m = (<object> self.python_rx[b]).match(t.text, p, end)
        if m is None:
            return -1
        index[0] = int(m.lastgroup[1:])
        return m.end()

    cdef int _scan(self, str text, Py_ssize_t start, Py_ssize_t end) except -1:
        cdef Text t = self._text(text)
        cdef Py_ssize_t pos = start, h = start, cand = -1, p, got, bl
        cdef int32_t i = 0
        self.hits.clear()
        if start < 0:
            raise ValueError("a scan starts at 0 or after")  # Alternation keeps a negative start in Python
        if end > t.n:
            end = t.n
        if start >= end:
            return 0
        if not self.longest:
            while True:
                p = self._next_start(t, pos, end)
                if p >= end:
                    return 0
                got = self._by_char(t, p, end, &i)
                if got <= p:
                    pos = p + 1
                    continue
                self.hits.push_back(Hit(i, p, got, False))
                pos = got
        self.best_len.assign(end - start, 0)
        self.best_i.assign(end - start, 0)
        if self.has_words:
            self._words(t, start, end)
        while True:
            while h < end and (h < pos or self.best_len[h - start] == 0):
                h += 1
            if cand < pos:
                cand = self._next_start(t, pos, end)
            p = h if h < cand else cand
            if p >= end:
                return 0
            bl = self.best_len[p - start]
            if cand == p:
                got = self._by_char(t, p, end, &i)
                if got > p and (bl == 0 or got - p > bl or (got - p == bl and i < self.best_i[p - start])):
                    self.hits.push_back(Hit(i, p, got, False))
                    pos = got
                    continue
            if bl == 0:
                pos = p + 1
                continue
            self.hits.push_back(Hit(self.best_i[p - start], p, p + bl, True))
            pos = p + bl

    def spans(self, str text, Py_ssize_t start, Py_ssize_t end) -> list:
        """[(index of the pattern, start, end)] of every hit: Alternation.spans, as a list."""
        self._scan(text, start, end)
        cdef list out = []
        cdef Hit hit
        for hit in self.hits:
            out.append((hit.i, hit.s, hit.e))
        return out

    def hits_with_source(self, str text, Py_ssize_t start, Py_ssize_t end) -> list:
        """[(index, start, end, found as a string)]: finditer builds its match objects from these."""
        self._scan(text, start, end)
        cdef list out = []
        cdef Hit hit
        for hit in self.hits:
            out.append((hit.i, hit.s, hit.e, hit.word))
        return out

    def by_char_match(self, str text, Py_ssize_t p, Py_ssize_t end):
        """(index, end) of by_char[text[p]].match(text, p, end), or None: for tests."""
        cdef int32_t i = -1
        got = self._by_char(self._text(text), p, end, &i)
        return None if got < 0 else (i, got)

    def state(self) -> dict:
        """What runs natively: for tests and the report."""
        return {"buckets": len(self.python_rx), "native_buckets": sum(self.native_ok[b] for b in range(len(self.python_rx))),
                "strings": self.w_len.size(), "looks": len(self.looks), "starts_memo": bool(self.memo_ok),
                "fallbacks": self.fallbacks}


cdef pcre2_code_32* _dfa_code(str source, int flags) except? NULL:
    """The pattern compiled anchored for pcre2_dfa_match, or NULL when PCRE2 cannot run it as Python reads it
    under the regex module's POSIX rule (leftmost-longest): atomic groups and possessive repeats lock in
    what the DFA matcher finds first, back references it does not do."""
    try:
        spelled, options = dialect.to_pcre2(source, flags)
    except dialect.Unsupported:
        return NULL
    if "(?>" in spelled or _possessive(spelled) or _backreference(spelled):
        return NULL
    cdef Py_ssize_t n = len(spelled), j
    cdef vector[uint32_t] units
    for j in range(n):
        units.push_back(ord(spelled[j]))
    units.push_back(0)
    cdef int err = 0
    cdef size_t off = 0
    cdef pcre2_compile_context_32* ctx = pcre2_compile_context_create_32(NULL)
    pcre2_set_newline_32(ctx, PCRE2_NEWLINE_LF)
    cdef pcre2_code_32* code = pcre2_compile_32(
        units.data(), n, <uint32_t> options | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | PCRE2_ANCHORED | PCRE2_NO_AUTO_POSSESS,
        &err, &off, ctx)
    pcre2_compile_context_free_32(ctx)
    return code


def _possessive(str spelled) -> bool:
    """A possessive repeat (*+ ++ ?+ }+) outside a class."""
    i, in_class = 0, False
    while i < len(spelled):
        ch = spelled[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if spelled[i + 1 : i + 2] == "^":
                i += 1
            if spelled[i + 1 : i + 2] == "]":
                i += 1
        elif ch in "*+?}" and spelled[i + 1 : i + 2] == "+":
            return True
        i += 1
    return False


def _backreference(str pattern) -> bool:
    """A back reference (\\1, (?P=name)), or a backslash before a digit that might be one."""
    return "(?P=" in pattern or any(pattern[i] == "\\" and pattern[i + 1].isdigit() for i in range(len(pattern) - 1))
