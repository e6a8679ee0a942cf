# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The segmenter of extractors/tokens.py in typed Cython: paragraphs, sentences (their headings, clauses and
openers), merge and assign, and the Sentence helpers by_kind, before and last_before.

A Segmenter is configured by tokens.py with the patterns it compiled itself (tokens._cfg()) and runs each on
PCRE2 (regex32), spelled as the engine that compiled it reads it: a pattern the regex module runs gets the
regex module's \\d, whose Unicode is newer than re's and PCRE2's, and its \\p{Han} (see _as_regex_reads). Where
the Python code matches a slice (text[a:b].rstrip() and the like), the pattern runs on that slice (the subject
starts at a), so ^, lookbehind and $ see what they see in Python; where it passes pos and endpos, so does the
kernel. A search scans for the characters a match can start with (read off re's own parse tree: _first_chars)
and matches anchored there: PCRE2 has a start bitmap for U+0000-U+00FF only, and on Chinese text would try the
whole pattern at every character (slower than the regex module).

The outputs are the very Sentence and Token objects the Python code makes, with the same fields. Where a call
cannot be done exactly (PCRE2 stops at a resource limit, a paragraph lies outside the text, a token is not a
Token, a sentence already holds tokens or clauses) it returns None and tokens.py runs its own code; assign
does all its matching before it changes any object, so its Python code then starts from the same state.
"""
import dataclasses
import re
import re._constants as sre
import re._parser as sre_parse
import sys

import regex

from extractors import patterns

from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.long cimport PyLong_CheckExact
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.dict cimport PyDict_GetItemWithError
from cpython.ref cimport PyObject
from cpython.sequence cimport PySequence_GetItem
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport (Py_UNICODE_ISDECIMAL, Py_UNICODE_ISSPACE, PyUnicode_4BYTE_KIND, PyUnicode_FromKindAndData,
                              PyUnicode_Compare, PyUnicode_GET_LENGTH, PyUnicode_Substring)
from libcpp.vector cimport vector

from extractors.native.pcre2 cimport *
from extractors.native.regex32 cimport Pattern, Text, match_context

from extractors.native import regex32

Unsupported = regex32.Unsupported


cdef extern from *:
    """
    #include <algorithm>
    #include <vector>
    struct SegItem { Py_ssize_t start, neg, end, i, k; PyObject* t; };
    static inline bool seg_item_less(const SegItem& a, const SegItem& b) {
        if (a.start != b.start) return a.start < b.start;
        if (a.neg != b.neg) return a.neg < b.neg;
        if (a.i != b.i) return a.i < b.i;
        return a.k < b.k;
    }
    static void seg_sort_items(std::vector<SegItem>& v) { std::sort(v.begin(), v.end(), seg_item_less); }
    static void seg_sort_ints(std::vector<Py_ssize_t>& v) { std::sort(v.begin(), v.end()); }
    /* object.__new__(cls): what the dataclass's own construction starts with */
    #include <structmember.h>
    /* The byte offset of a slot (a member descriptor of an object reference), or -1 */
    static Py_ssize_t seg_slot_offset(PyObject* descr) {
        if (Py_TYPE(descr) != &PyMemberDescr_Type) return -1;
        PyMemberDef* m = ((PyMemberDescrObject*) descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
        return m->offset;
    }
    /* A slot's value (borrowed; NULL when unset: reading it raises AttributeError) */
    static inline Py_hash_t seg_hash(PyObject* s) { return ((PyASCIIObject*) s)->hash; }  /* -1: not yet */
    static inline PyObject* seg_type(PyObject* o) { return (PyObject*) Py_TYPE(o); }
    static inline PyObject* seg_slot(PyObject* o, Py_ssize_t off) { return *(PyObject**) ((char*) o + off); }
    /* What setting the slot does (PyMember_SetOne) */
    static inline void seg_slot_set(PyObject* o, Py_ssize_t off, PyObject* v) {
        PyObject** p = (PyObject**) ((char*) o + off);
        PyObject* old = *p;
        Py_INCREF(v);
        *p = v;
        Py_XDECREF(old);
    }
    static PyObject* seg_object_new(PyObject* cls) {
        PyObject* args = PyTuple_New(0);
        if (args == NULL) return NULL;
        PyObject* r = PyBaseObject_Type.tp_new((PyTypeObject*) cls, args, NULL);
        Py_DECREF(args);
        return r;
    }
    /* a Python int as Py_ssize_t, clamped (an index this far out compares alike with every real one) */
    /* offsets beyond this might overflow a sort key: the Python code takes them */
    #define SEG_LIMIT (((Py_ssize_t) 1) << 60)
    static Py_ssize_t seg_clamped(PyObject* v) {
    #if PY_VERSION_HEX < 0x030C0000
        Py_ssize_t size = Py_SIZE(v);  /* 3.11's ints: the sign in ob_size, 30-bit digits */
        if (size == 0) return 0;
        if (size == 1) return (Py_ssize_t) ((PyLongObject*) v)->ob_digit[0];
        if (size == -1) return -(Py_ssize_t) ((PyLongObject*) v)->ob_digit[0];
    #endif
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow > 0) return PY_SSIZE_T_MAX;
        if (overflow < 0) return PY_SSIZE_T_MIN;
        return (Py_ssize_t) x;
    }
    """
    ctypedef struct SegItem:
        Py_ssize_t start, neg, end, i, k
        PyObject* t
    void seg_sort_items(vector[SegItem]&)
    void seg_sort_ints(vector[Py_ssize_t]&)
    object seg_object_new(object cls)
    Py_ssize_t seg_slot_offset(object descr)
    dict _PyDict_NewPresized(Py_ssize_t)
    PyObject* seg_slot(object o, Py_ssize_t off)
    PyObject* seg_type(object o)
    Py_hash_t seg_hash(object s)
    void seg_slot_set(object o, Py_ssize_t off, object v)
    Py_ssize_t seg_clamped(object v) except? -1
    Py_ssize_t PY_SSIZE_T_MAX
    const Py_ssize_t LIMIT "SEG_LIMIT"


# The Sentence fields tokens.py declares, in order, with their defaults: the kernel makes each Sentence as the
# dataclass's __init__ does (the same attributes in the same order) and refuses a class that differs.
SENTENCE_FIELDS = (("start", None), ("end", None), ("paragraph", None), ("tokens", list), ("clauses", list),
                   ("openers", list), ("heading", False), ("report", None), ("k", 0), ("_by_kind", None))
TOKEN_FIELDS = ("kind", "start", "end", "id", "ref", "clause", "entity", "i")

# Token's slots, read and set in place (as its member descriptors do) for a Token of that very class
cdef PyObject* TOKEN = NULL
cdef Py_ssize_t T_KIND = -1, T_START = -1, T_END = -1, T_CLAUSE = -1, T_I = -1


cdef inline bint _is_token(object t) noexcept:
    return seg_type(t) == TOKEN


cdef inline object _kind(object t):
    """t.kind"""
    cdef PyObject* v = seg_slot(t, T_KIND) if _is_token(t) else NULL
    return <object> v if v is not NULL else t.kind


cdef inline object _index(object t):
    """t.i"""
    cdef PyObject* v = seg_slot(t, T_I) if _is_token(t) else NULL
    return <object> v if v is not NULL else t.i


cdef inline bint _int_slot(object t, Py_ssize_t off, Py_ssize_t* out) noexcept:
    """A Token's int slot (an exact int below LIMIT either way): whether it is one."""
    cdef PyObject* v = seg_slot(t, off)
    if v is NULL or not PyLong_CheckExact(<object> v):
        return False
    out[0] = seg_clamped(<object> v)
    return -LIMIT < out[0] < LIMIT


def _bind_token(token_cls) -> None:
    global TOKEN, T_KIND, T_START, T_END, T_CLAUSE, T_I
    offsets = [seg_slot_offset(token_cls.__dict__[name]) for name in ("kind", "start", "end", "clause", "i")]
    if min(offsets) < 0 or token_cls.__getattribute__ is not object.__getattribute__:
        raise Unsupported("Token's fields are not plain slots")
    T_KIND, T_START, T_END, T_CLAUSE, T_I = offsets
    TOKEN = <PyObject*> token_cls  # held by the Segmenter that bound it (and by tokens.py)


class LimitReached(RuntimeError):
    """PCRE2 stopped (a match or JIT stack limit) where Python's engine would have gone on."""


_REGEX_DIGITS = None


cdef str _every_code_point():
    cdef Py_ssize_t n = sys.maxunicode + 1, c
    cdef Py_UCS4* buf = <Py_UCS4*> PyMem_Malloc(n * sizeof(Py_UCS4))
    if buf is NULL:
        raise MemoryError()
    try:
        for c in range(n):
            buf[c] = <Py_UCS4> c
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n)
    finally:
        PyMem_Free(buf)


def _extra_digits() -> str:
    """A class body of the code points the regex module's \\d takes and re's does not. re's \\d (and PCRE2's,
    tests/test_native_regex.py) is str.isdecimal(), of Python's Unicode (14); the regex module has a later one."""
    global _REGEX_DIGITS
    cdef Py_ssize_t c, a, b
    cdef vector[unsigned char] theirs
    if _REGEX_DIGITS is None:
        theirs.resize(sys.maxunicode + 1, 0)
        for m in regex.finditer(r"\d+", _every_code_point()):
            a, b = m.span()
            for c in range(a, b):
                theirs[c] = 1
        runs = []
        for c in range(sys.maxunicode + 1):
            if Py_UNICODE_ISDECIMAL(<Py_UCS4> c):
                if not theirs[c]:
                    raise Unsupported("re's \\d takes code points the regex module's does not")
            elif theirs[c]:
                if runs and runs[len(runs) - 1][1] == c - 1:
                    runs[len(runs) - 1][1] = c
                else:
                    runs.append([c, c])
        _REGEX_DIGITS = "".join(f"\\U{a:08x}" + (f"-\\U{b:08x}" if b > a else "") for a, b in runs)
    return _REGEX_DIGITS


def _as_regex_reads(str pattern) -> str:
    """A pattern the regex module runs, spelled so that re (and so PCRE2) reads it the same way: its \\d as
    the regex module's digits. A class escape whose Unicode data differ otherwise (\\w, \\s, \\b...) or an
    inline flag is refused."""
    out = []
    for start, text, kind, in_class in patterns.pieces(pattern):
        if kind == "escape" and text not in ("\\p{Han}", "\\P{Han}"):  # Han: spelled out as the regex module reads it
            nxt = text[1:2]
            if nxt == "d":
                text = ("\\d" + _extra_digits()) if in_class else f"[\\d{_extra_digits()}]"
            elif nxt == "D" and not in_class:
                text = f"[^\\d{_extra_digits()}]"
            elif nxt in ("D", "w", "W", "s", "S", "b", "B", "p", "P", "N", "X", "m", "M", "K"):
                raise Unsupported(f"\\{nxt} in {pattern!r}: the regex module's Unicode data differ from PCRE2's")
        elif (text == "(" and not in_class and pattern[start + 1 : start + 2] == "?"
              and pattern[start + 2 : start + 3] not in (":", "=", "!", "<", "P")):
            raise Unsupported(f"an inline flag in {pattern!r}")
        out.append(text)
    return "".join(out)


def _first_chars(str source, int flags):
    """(first, last) code point runs that hold the first character of every match of the pattern (as re
    parses it), or None when a match may be empty or start with almost anything (or the parse tree holds a
    construct this reading does not know). Assertions take no character: they are left to the match."""
    if flags & (re.IGNORECASE | re.LOCALE):
        return None
    tree = sre_parse.parse(source, flags)
    if tree.state.flags & (re.IGNORECASE | re.LOCALE):
        return None
    try:
        runs, nullable = _first_of(tree)
    except _Unknown:
        return None
    return None if nullable else sorted(runs)


class _Unknown(Exception):
    pass


def _first_of(items):
    """(runs, nullable) of a sequence of parse-tree items."""
    runs = []
    for op, av in items:
        more, nullable = _first_item(op, av)
        runs += more
        if not nullable:
            return runs, False
    return runs, True


def _first_item(op, av):
    if op is sre.LITERAL:
        return [(av, av)], False
    if op is sre.IN:
        runs = []
        for kind, value in av:
            if kind is sre.LITERAL:
                runs.append((value, value))
            elif kind is sre.RANGE:
                runs.append(value)
            else:  # NEGATE, CATEGORY (\d, \s...): too many to list
                raise _Unknown()
        return runs, False
    if op is sre.BRANCH:
        runs, nullable = [], False
        for branch in av[1]:
            more, empty = _first_of(branch)
            runs += more
            nullable = nullable or empty
        return runs, nullable
    if op is sre.SUBPATTERN:
        group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unknown()
        return _first_of(sub)
    if op is sre.ATOMIC_GROUP:
        return _first_of(av)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = av
        runs, nullable = _first_of(sub)
        return runs, nullable or low == 0
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return [], True  # zero-width
    raise _Unknown()  # ANY, NOT_LITERAL, back references, conditionals...


cdef extern from *:
    int pcre2_jit_match_32(const pcre2_code_32*, PCRE2_SPTR32, size_t, size_t, uint32_t, pcre2_match_data_32*,
                           pcre2_match_context_32*)
    uint32_t PCRE2_INFO_JITSIZE


cdef class _Search:
    """A pattern's search. When every match starts with one of a few characters (_first_chars), a scan for
    them and an anchored match at each: PCRE2 cannot skip ahead by characters above U+00FF (it has a start
    bitmap for the first 256 only) and tries the whole pattern at every character of Chinese text."""
    cdef Pattern p
    cdef bint scan, astral_any, jit
    cdef vector[unsigned char] bmp  # per BMP code point: may start a match
    cdef vector[Py_UCS4] astral  # (first, last) runs above the BMP

    def __init__(self, Pattern p, str source, int flags):
        self.p = p
        cdef size_t jit_size = 0
        pcre2_pattern_info_32(p.anchored, PCRE2_INFO_JITSIZE, &jit_size)
        self.jit = jit_size > 0
        runs = _first_chars(source, flags)
        self.scan = runs is not None
        self.astral_any = False
        if not self.scan:
            return
        self.bmp.resize(0x10000, 0)
        cdef Py_ssize_t c
        for lo, hi in runs:
            for c in range(lo, min(hi, 0xFFFF) + 1):
                self.bmp[c] = 1
            if hi > 0xFFFF:
                self.astral.push_back(max(lo, 0x10000))
                self.astral.push_back(hi)
        if self.astral.size() > 64:
            self.astral_any = True  # try every character above the BMP

    cdef inline bint _may_start(self, Py_UCS4 c) noexcept:
        cdef size_t k
        if c < 0x10000:
            return self.bmp[c]
        if self.astral_any:
            return True
        for k in range(0, self.astral.size(), 2):
            if self.astral[k] <= c <= self.astral[k + 1]:
                return True
        return False

    cdef inline bint _at(self, const Py_UCS4* subject, Py_ssize_t n, Py_ssize_t pos) except -1:
        """Whether the pattern matches at pos, anchored (the subject: n code points)."""
        cdef int rc
        if self.jit:
            rc = pcre2_jit_match_32(self.p.anchored, <PCRE2_SPTR32> subject, n, pos, 0, self.p.md, NULL)
        else:
            rc = pcre2_match_32(self.p.anchored, <PCRE2_SPTR32> subject, n, pos, PCRE2_NO_UTF_CHECK, self.p.md, match_context())
        if rc >= 0:
            return True
        if rc != PCRE2_ERROR_NOMATCH:
            raise LimitReached(f"PCRE2 error {rc} matching {self.p.source!r}")
        return False

    cdef Py_ssize_t next(self, Text t, Py_ssize_t pos, Py_ssize_t endpos, bint after_empty) except -2:
        """Pattern.next: the start of the next match of finditer (its end: end()), or -1."""
        if not self.scan:
            return self.p.next(t, pos, endpos, after_empty)
        if endpos > t.n:
            endpos = t.n
        cdef const Py_UCS4* buf = t.buf
        while pos < endpos:  # no match is empty: after_empty never holds
            if self._may_start(buf[pos]) and self._at(buf, endpos, pos):
                return pos
            pos += 1
        return -1

    cdef inline Py_ssize_t end(self) noexcept:
        """The end of the last match (the pattern has no groups to ask about)."""
        return <Py_ssize_t> self.p.ov[1]

    cdef bint on_slice(self, Text t, Py_ssize_t a, Py_ssize_t b) except -1:
        """p.search(text[a:b]): the subject is the slice itself."""
        cdef Py_ssize_t q
        if not self.scan:
            return _on_slice(self.p, False, t, a, b)
        for q in range(a, b):
            if self._may_start(t.buf[q]) and self._at(t.buf + a, b - a, q - a):
                return True
        return False


def _native_pattern(rx):
    """(PCRE2 pattern, its source as re reads it, flags) of a pattern tokens.py compiled (re or the regex
    module), read as that engine reads it."""
    if isinstance(rx, re.Pattern):
        flags = rx.flags & ~re.UNICODE
        source = rx.pattern
    elif isinstance(rx, regex.Pattern):
        flags = rx.flags & ~(regex.UNICODE | regex.VERSION0)
        if flags:
            raise Unsupported(f"regex flags {rx.flags} on {rx.pattern!r}")
        source = _as_regex_reads(rx.pattern)
    else:
        raise Unsupported(f"not a compiled pattern: {rx!r}")
    if "\\p{" in source or "\\P{" in source:  # the regex module's Han (tests/test_patterns.py checks the ranges)
        source = patterns._han_spelled_out(source)
        if source is None:
            raise Unsupported(f"a Unicode property other than Han in {rx.pattern!r}")
    return regex32.compile(source, flags), source, flags


def _search(rx) -> _Search:
    p, source, flags = _native_pattern(rx)
    return _Search(p, source, flags)


cdef inline bint _blank(const Py_UCS4* buf, Py_ssize_t a, Py_ssize_t b) noexcept:
    """not text[a:b].strip()"""
    while a < b:
        if not Py_UNICODE_ISSPACE(buf[a]):
            return False
        a += 1
    return True


cdef inline Py_ssize_t _rstripped(const Py_UCS4* buf, Py_ssize_t a, Py_ssize_t b) noexcept:
    """The end of text[a:b].rstrip()"""
    while b > a and Py_UNICODE_ISSPACE(buf[b - 1]):
        b -= 1
    return b


cdef inline Py_ssize_t _lstripped(const Py_UCS4* buf, Py_ssize_t a, Py_ssize_t b) noexcept:
    """The start of text[a:b].lstrip()"""
    while a < b and Py_UNICODE_ISSPACE(buf[a]):
        a += 1
    return a


cdef inline bint _on_slice(Pattern p, bint anchored, Text t, Py_ssize_t a, Py_ssize_t b) except -1:
    """p.match(text[a:b]) (anchored) or p.search(text[a:b]): the subject is the slice itself."""
    cdef int rc = pcre2_match_32(p.anchored if anchored else p.code, <PCRE2_SPTR32> (t.buf + a), b - a, 0,
                                 PCRE2_NO_UTF_CHECK, p.md, match_context())
    if rc == PCRE2_ERROR_NOMATCH:
        return False
    if rc < 0:
        raise LimitReached(f"PCRE2 error {rc} matching {p.source!r}")
    return True


cdef class Segmenter:
    """tokens.py's segmenter, configured with its patterns and limits (tokens._cfg())."""
    cdef _Search sentence, clause, closed, aside
    cdef Pattern continues, item
    cdef bint sentence_empty_ok, clause_empty_ok
    cdef Py_ssize_t wrap, heading
    cdef object sentence_cls, token_cls
    cdef vector[vector[Py_UCS4]] soft_ends
    cdef Text last
    cdef readonly Py_ssize_t fallbacks  # calls handed back to the Python code (tests read it)

    def __init__(self, dict cfg, sentence_cls, token_cls, soft_ends):
        _check_classes(sentence_cls, token_cls)
        _bind_token(token_cls)
        self.sentence_cls, self.token_cls = sentence_cls, token_cls
        self.sentence = _search(cfg["sentence"])
        self.clause = _search(cfg["clause"])
        self.closed = _search(cfg["closed"])
        self.aside = _search(cfg["aside"])
        self.continues = _native_pattern(cfg["continues"])[0]
        self.item = _native_pattern(cfg["item"])[0]
        # the regex module's finditer is not re's after an empty match: a pattern it runs may not match empty
        self.sentence_empty_ok = not isinstance(cfg["sentence"], regex.Pattern)
        self.clause_empty_ok = not isinstance(cfg["clause"], regex.Pattern)
        self.wrap, self.heading = cfg["wrap"], cfg["heading"]
        cdef vector[Py_UCS4] end
        for s in soft_ends:
            end.clear()
            for ch in <str> s:
                end.push_back(ord(ch))
            self.soft_ends.push_back(end)
        self.fallbacks = 0

    cdef Text _text(self, str text):
        if self.last is None or self.last.text is not text:
            self.last = Text(text)
        return self.last

    # --- paragraphs -------------------------------------------------------------------------------------

    cdef bint _soft(self, Text t, Py_ssize_t ps, Py_ssize_t pe, Py_ssize_t s, Py_ssize_t e) except -1:
        """tokens._soft(text[ps:pe].rstrip(), text[s:e].lstrip())"""
        cdef const Py_UCS4* buf = t.buf
        cdef Py_ssize_t pr = _rstripped(buf, ps, pe), nl = _lstripped(buf, s, e), m, j
        cdef bint same
        if pr == ps or self.closed.on_slice(t, ps, pr) or _on_slice(self.item, True, t, nl, e):
            return False
        if _on_slice(self.continues, True, t, nl, e):
            return True
        for k in range(<Py_ssize_t> self.soft_ends.size()):
            m = <Py_ssize_t> self.soft_ends[k].size()
            if m <= pr - ps:
                same = True
                for j in range(m):
                    if buf[pr - m + j] != self.soft_ends[k][j]:
                        same = False
                        break
                if same:
                    return True
        return pr - ps >= self.wrap

    cdef int _paragraphs(self, Text t, vector[Py_ssize_t]& starts, vector[Py_ssize_t]& ends) except -1:
        cdef const Py_UCS4* buf = t.buf
        cdef Py_ssize_t n = t.n, s = 0, e, ps = 0, pe = 0
        cdef bint prev = False
        while True:
            e = s
            while e < n and buf[e] != 10:
                e += 1
            if s == e or _blank(buf, s, e):
                prev = False
            else:
                if starts.size() and prev and self._soft(t, ps, pe, s, e):
                    ends[ends.size() - 1] = e
                else:
                    starts.push_back(s)
                    ends.push_back(e)
                ps, pe, prev = s, e, True
            if e >= n:
                return 0
            s = e + 1

    def paragraphs(self, text):
        """tokens.paragraphs(text), or None."""
        cdef vector[Py_ssize_t] starts, ends
        if type(text) is not str:
            self.fallbacks += 1
            return None
        cdef Text t = self._text(text)
        try:
            self._paragraphs(t, starts, ends)
        except LimitReached:
            self.fallbacks += 1
            return None
        return [(starts[k], ends[k]) for k in range(<Py_ssize_t> starts.size())]

    # --- sentences ---------------------------------------------------------------------------------------

    cdef object _sentence(self, Py_ssize_t a, Py_ssize_t b, object p, Py_ssize_t k, bint heading):
        s = seg_object_new(self.sentence_cls)
        s.start = a
        s.end = b
        s.paragraph = p
        s.tokens = []
        s.clauses = []
        s.openers = []
        s.heading = heading
        s.report = None
        s.k = k
        return s

    def sentences(self, text, paras=None, keep=None):
        """tokens.sentences(text, paras, keep), or None."""
        if type(text) is not str:
            self.fallbacks += 1
            return None
        cdef Text t = self._text(text)
        cdef vector[Py_ssize_t] starts, ends, spans
        cdef Py_ssize_t np, p, ps, pe, s, ms, k, nonblank, a, b
        cdef bint empty, one, closed, looked, is_heading
        cdef const Py_UCS4* buf = t.buf
        out = []
        try:
            if paras is None:
                self._paragraphs(t, starts, ends)
            else:
                for ab in paras:
                    a, b = ab
                    if a < 0 or b > t.n or a > b:
                        self.fallbacks += 1
                        return None  # a span outside the text: Python's slicing rules, not the kernel's
                    starts.push_back(a)
                    ends.push_back(b)
            np = <Py_ssize_t> starts.size()
            for p in range(np):
                if keep is not None and p not in keep:
                    continue
                ps, pe = starts[p], ends[p]
                spans.clear()
                s, empty = ps, False
                while s <= pe:
                    ms = self.sentence.next(t, s, pe, empty)
                    if ms < 0:
                        break
                    spans.push_back(ms)
                    spans.push_back(self.sentence.end())
                    empty = self.sentence.end() == ms
                    if empty and not self.sentence_empty_ok:
                        self.fallbacks += 1
                        return None
                    s = self.sentence.end()
                # the sentences between the ends: (ps, m0.start), (m0.end, m1.start), ..., (mlast.end, pe)
                nonblank = 0
                a = ps
                for k in range(0, <Py_ssize_t> spans.size() + 1, 2):
                    b = spans[k] if k < <Py_ssize_t> spans.size() else pe
                    if not _blank(buf, a, b):
                        nonblank += 1
                    if k < <Py_ssize_t> spans.size():
                        a = spans[k + 1]
                one = nonblank == 1
                looked = False
                closed = False
                a = ps
                for k in range(0, <Py_ssize_t> spans.size() + 1, 2):
                    b = spans[k] if k < <Py_ssize_t> spans.size() else pe
                    if not _blank(buf, a, b):
                        is_heading = False
                        if one and b - a <= self.heading:
                            if not looked:
                                closed = self.closed.on_slice(t, ps, _rstripped(buf, ps, pe))
                                looked = True
                            is_heading = not closed
                        out.append(self._sentence(a, b, p, len(out), is_heading))
                    if k < <Py_ssize_t> spans.size():
                        a = spans[k + 1]
        except LimitReached:
            self.fallbacks += 1
            return None
        return out

    # --- merge -------------------------------------------------------------------------------------------

    def merge(self, tuple streams):
        """tokens.merge(*streams), or None."""
        cdef vector[SegItem] items
        cdef SegItem it
        cdef Py_ssize_t i, k, n, end = -1, last_start = 0, last_len = 0
        cdef list stream
        for i in range(len(streams)):
            if type(streams[i]) is not list:
                self.fallbacks += 1
                return None
            stream = <list> streams[i]
            n = PyList_GET_SIZE(stream)
            for k in range(n):
                t = <object> PyList_GET_ITEM(stream, k)
                if not (_is_token(t) and _int_slot(t, T_START, &it.start) and _int_slot(t, T_END, &it.end)):
                    self.fallbacks += 1
                    return None
                it.i, it.k, it.t = i, k, <PyObject*> t
                it.neg = it.start - it.end
                items.push_back(it)
        seg_sort_items(items)
        out = []
        for k in range(<Py_ssize_t> items.size()):
            it = items[k]
            if it.start >= end:
                out.append(<object> it.t)
                end, last_start, last_len = it.end, it.start, it.end - it.start
            elif not out:  # the Python code fails here (out[-1]): let it say so
                self.fallbacks += 1
                return None
            elif it.end - it.start > last_len and it.start == last_start:
                out[len(out) - 1] = <object> it.t
                end, last_start, last_len = it.end, it.start, it.end - it.start
        return out

    # --- assign ------------------------------------------------------------------------------------------

    cdef int _clauses(self, Text t, Py_ssize_t a, Py_ssize_t b, vector[Py_ssize_t]& quiet,
                      vector[Py_ssize_t]& cl) except -1:
        """tokens.split_clauses on a sentence a..b: pushes (start, end, opener start, opener end) of each
        clause to cl (an opener start of -1: no opener, "")."""
        cdef Py_ssize_t pos, ms, me, c = a, os = -1, oe = -1, q = 0, nq
        cdef bint empty = False
        cdef Py_ssize_t first = <Py_ssize_t> cl.size()
        quiet.clear()
        pos = a
        while pos <= b:
            ms = self.aside.next(t, pos, b, empty)
            if ms < 0:
                break
            me = self.aside.end()
            quiet.push_back(ms)
            quiet.push_back(me)
            pos, empty = me, me == ms
        nq = <Py_ssize_t> quiet.size()
        pos, empty = a, False
        while pos <= b:
            ms = self.clause.next(t, pos, b, empty)
            if ms < 0:
                break
            me = self.clause.end()
            pos, empty = me, me == ms
            if empty and not self.clause_empty_ok:
                raise LimitReached("an empty clause break")  # the regex module's finditer: Python runs it
            # quiet spans and breaks both go left to right, apart: the first span not ended before ms
            while q < nq and quiet[q + 1] <= ms:
                q += 2
            if q < nq and quiet[q] <= ms:
                continue
            if ms > c:
                cl.push_back(c)
                cl.push_back(ms)
                cl.push_back(os)
                cl.push_back(oe)
                os = -1
            if os < 0:
                os = ms  # opener += m.group(): each break that joins it starts where the one before ended
            oe = me
            c = me
        if b > c or <Py_ssize_t> cl.size() == first:
            cl.push_back(c)
            cl.push_back(b)
            cl.push_back(os)
            cl.push_back(oe)
        return 0

    def assign(self, text, sents, tokens):
        """tokens.assign(text, sents, tokens); False when it did nothing and the Python code is to run."""
        if type(text) is not str or type(sents) is not list or type(tokens) is not list:
            self.fallbacks += 1
            return False
        cdef Text t = self._text(text)
        cdef Py_ssize_t nt = len(tokens), ns = len(sents), i = 0, j, lo, c, clause, nc, base, idx, at
        cdef vector[Py_ssize_t] tstart, sstart, send, rng, cl, quiet, cl_at
        cdef list held = []  # the tokens, clauses and openers lists of each sentence that gets tokens
        tstart.resize(nt)
        try:
            for j in range(nt):
                tok = <object> PyList_GET_ITEM(tokens, j)
                if not (_is_token(tok) and _int_slot(tok, T_START, &tstart[j])):
                    raise LimitReached("not a Token, or an odd offset")
            rng.resize(2 * ns)
            cl_at.resize(ns + 1)
            sstart.resize(ns)
            send.resize(ns)
            for j in range(ns):
                sent = <object> PyList_GET_ITEM(sents, j)
                a, b = sent.start, sent.end
                if not (PyLong_CheckExact(a) and PyLong_CheckExact(b)):
                    raise LimitReached("an odd offset")
                sstart[j], send[j] = seg_clamped(a), seg_clamped(b)
                if not (-LIMIT < sstart[j] < LIMIT and -LIMIT < send[j] < LIMIT):
                    raise LimitReached("an odd offset")
                while i < nt and tstart[i] < sstart[j]:
                    i += 1
                lo = i
                while i < nt and tstart[i] < send[j]:
                    i += 1
                rng[2 * j], rng[2 * j + 1] = lo, i
                cl_at[j] = <Py_ssize_t> cl.size()
                if lo < i:
                    stoks, sclauses, sopeners = sent.tokens, sent.clauses, sent.openers
                    if type(stoks) is not list or type(sclauses) is not list or type(sopeners) is not list or \
                            stoks or sclauses or sopeners or sstart[j] < 0 or send[j] > t.n:
                        raise LimitReached("a sentence assigned before, or outside the text")
                    held.append(stoks)
                    held.append(sclauses)
                    held.append(sopeners)
                    self._clauses(t, sstart[j], send[j], quiet, cl)
            cl_at[ns] = <Py_ssize_t> cl.size()
        except LimitReached:
            self.fallbacks += 1
            return False
        # every match is made: now the objects
        at = 0
        for j in range(ns):
            lo, i = rng[2 * j], rng[2 * j + 1]
            if lo == i:
                continue
            stoks, sclauses, sopeners = held[at], held[at + 1], held[at + 2]
            at += 3
            base = cl_at[j]
            nc = (cl_at[j + 1] - base) // 4
            for c in range(nc):
                (<list> sclauses).append((cl[base + 4 * c], cl[base + 4 * c + 1]))
                (<list> sopeners).append(PyUnicode_Substring(text, cl[base + 4 * c + 2], cl[base + 4 * c + 3])
                                         if cl[base + 4 * c + 2] >= 0 else "")
            clause = 0
            idx = 0
            for k in range(lo, i):
                tok = <object> PyList_GET_ITEM(tokens, k)
                while clause + 1 < nc and tstart[k] >= cl[base + 4 * clause + 1]:
                    clause += 1
                seg_slot_set(tok, T_CLAUSE, clause)
                seg_slot_set(tok, T_I, idx)
                (<list> stoks).append(tok)
                idx += 1
        return True


def _check_classes(sentence_cls, token_cls) -> None:
    """The kernel makes Sentences and reads Tokens as the dataclasses tokens.py declares today; refuse others."""
    got = tuple((f.name, f.default_factory if f.default_factory is not dataclasses.MISSING else
                 (None if f.default is dataclasses.MISSING else f.default)) for f in dataclasses.fields(sentence_cls))
    if got != SENTENCE_FIELDS or sentence_cls.__new__ is not object.__new__ or \
            sentence_cls.__setattr__ is not object.__setattr__ or hasattr(sentence_cls, "__post_init__") or \
            [f.name for f in dataclasses.fields(sentence_cls) if not f.init] != ["_by_kind"] or \
            not sentence_cls.__dataclass_params__.init:
        raise Unsupported(f"Sentence is not the dataclass the kernel makes: {got}")
    if tuple(f.name for f in dataclasses.fields(token_cls)) != TOKEN_FIELDS or "__slots__" not in token_cls.__dict__ \
            or token_cls.__setattr__ is not object.__setattr__:
        raise Unsupported("Token is not the slots dataclass the kernel reads")


# --- the Sentence helpers (no configuration) -------------------------------------------------------------

def by_kind(tokens) -> dict:
    """Sentence.by_kind's index: the tokens' i by kind, in order."""
    cdef dict out = _PyDict_NewPresized(min(len(tokens), 16)) if type(tokens) is list else {}
    cdef PyObject* found
    cdef PyObject* seen_kind[16]  # the kinds met, by identity (a kind is mostly one str object), and their lists
    cdef PyObject* seen_list[16]
    cdef int n_seen = 0, k
    for t in tokens:
        kind = _kind(t)
        found = NULL
        for k in range(n_seen):
            if seen_kind[k] == <PyObject*> kind:
                found = seen_list[k]
                break
        if found is NULL:
            found = PyDict_GetItemWithError(out, kind)
            if found is NULL:
                lst = [_index(t)]
                out[kind] = lst  # out holds it (and kind) from here on
                found = <PyObject*> lst
                if n_seen < 16:
                    seen_kind[n_seen], seen_list[n_seen] = <PyObject*> kind, found
                    n_seen += 1
                continue
            if n_seen < 16:
                seen_kind[n_seen], seen_list[n_seen] = <PyObject*> kind, found
                n_seen += 1
        (<list> found).append(_index(t))
    return out


cdef bint _among(object kind, tuple kinds) except -1:
    """kind in kinds; two str that differ in length or (known) hash differ, without a call."""
    cdef Py_ssize_t k, n = PyTuple_GET_SIZE(kinds)
    cdef bint exact = type(kind) is str
    for k in range(n):
        el = <object> PyTuple_GET_ITEM(kinds, k)
        if el is kind:
            return True
        if exact and type(el) is str:
            if PyUnicode_GET_LENGTH(el) != PyUnicode_GET_LENGTH(kind) or (
                    seg_hash(el) != -1 and seg_hash(kind) != -1 and seg_hash(el) != seg_hash(kind)):
                continue
            if PyUnicode_Compare(el, kind) == 0:
                return True
        elif el == kind:  # as tuplecontains compares: the tuple's item first
            return True
    return False


def before(sent, i, tuple kinds):
    """Sentence.before(i, *kinds), or NotImplemented (i is not an int)."""
    if not PyLong_CheckExact(i):
        return NotImplemented
    toks_obj = sent.tokens
    if type(toks_obj) is not list:
        return NotImplemented
    cdef list toks = <list> toks_obj
    cdef Py_ssize_t n = PyList_GET_SIZE(toks), ii = seg_clamped(i), j, k
    cdef vector[Py_ssize_t] found
    cdef PyObject* seen[16]  # kinds met (a kind is mostly one str object) and whether each is one of kinds
    cdef bint seen_in[16]
    cdef int n_seen = 0, m
    cdef bint inside
    if ii >= n:
        out = []
        for k in range(n):
            t = <object> PyList_GET_ITEM(toks, k)
            kind = _kind(t)
            for m in range(n_seen):
                if seen[m] == <PyObject*> kind:
                    inside = seen_in[m]
                    break
            else:
                inside = _among(kind, kinds)
                if n_seen < 16 and type(kind) is str:  # a str's equality is its own: the answer holds for it
                    seen[n_seen], seen_in[n_seen] = <PyObject*> kind, inside
                    n_seen += 1
            if inside:
                out.append(t)
        return out
    bk = sent.by_kind
    for kind in kinds:
        idx = bk.get(kind)
        if idx is None:
            continue
        for v in idx:
            if not PyLong_CheckExact(v):
                return NotImplemented
            j = seg_clamped(v)
            if j < ii:
                found.push_back(j)
    if len(kinds) > 1:
        seg_sort_ints(found)
    out = []
    for k in range(<Py_ssize_t> found.size()):
        j = found[k]
        out.append(<object> PyList_GET_ITEM(toks, j) if 0 <= j < n else PySequence_GetItem(toks, j))
    return out


def last_before(sent, i, kind):
    """Sentence.last_before(i, kind), or NotImplemented (i is not an int)."""
    if not PyLong_CheckExact(i):
        return NotImplemented
    cdef Py_ssize_t ii = seg_clamped(i), lo = 0, hi, mid
    idx = sent.by_kind.get(kind)
    if idx is None or type(idx) is not list:
        return NotImplemented if idx is not None else None
    cdef list lst = <list> idx
    hi = PyList_GET_SIZE(lst)
    while lo < hi:  # bisect.bisect_left
        mid = (lo + hi) // 2
        v = <object> PyList_GET_ITEM(lst, mid)
        if not PyLong_CheckExact(v):
            return NotImplemented
        if seg_clamped(v) < ii:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return None
    return sent.tokens[<object> PyList_GET_ITEM(lst, lo - 1)]
