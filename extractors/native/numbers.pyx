# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The number finder of extractors/recognize/numbers.py, native: `Finder(cfg, ...).find(text)` gives the
list of Mention objects that numbers.find(text) gives, one for one.

Everything is configured from numbers._cfg() (the grammar's patterns and word lists); no word is written
here. The scan runs the same two patterns (`lead`, `numbered`) on PCRE2 (regex32), at the same positions:
the windows before the lead anchors, the regions before the anchors, the characters that can start a
number, and the same leftmost-first merge of the two streams. Each match's groups are read from the
ovector, and _read, _qualifier, _estimate, _clean, _is_round and the checks of find() are done on the
code points. Where a value's arithmetic leaves what is exactly computable in C (a Chinese numeral that
overflows 64 bits, a very long digit run, a float that rounding to 12 digits changes), the Python function
(numbers.to_number, round) is called, so results stay those of the reference.

PCRE2 does not skip over code points above 255 when it looks for where a match may start, so each search
is run as matches tried only where a character the pattern can start with stands (first_classes, from
re's own parse of the pattern), and a number only where the character before it passes the grammar's
opening lookbehind (leading_not_behind). A Mention is made by filling its slots, as its dataclass
__init__ does (checked when the finder is made; else the class is called).
"""
cimport cython
from cpython.ref cimport PyObject
from cpython.unicode cimport Py_UNICODE_ISALNUM, Py_UNICODE_ISDECIMAL, Py_UNICODE_ISSPACE, Py_UNICODE_TODECIMAL
from libc.math cimport floor, isfinite, log10, fabs
from libc.stdint cimport uint32_t, uint64_t
from libcpp.vector cimport vector

from extractors.native.regex32 cimport Pattern, Text

import re

from extractors.native import regex32


cdef extern from "Python.h":
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0
    str PyUnicode_Substring(str s, Py_ssize_t start, Py_ssize_t end)
    object PyUnicode_FromKindAndData(int kind, const void* buf, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


cdef extern from *:
    """
    #include "structmember.h"
    static PyObject* k4_alloc(PyObject* type) {
        PyTypeObject* tp = (PyTypeObject*) type;
        return tp->tp_alloc(tp, 0);
    }
    static int k4_slot_offset(PyObject* descr, Py_ssize_t* off) {
        if (Py_TYPE(descr) != &PyMemberDescr_Type) return 0;
        PyMemberDef* m = ((PyMemberDescrObject*) descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return 0;
        *off = m->offset;
        return 1;
    }
    static void k4_set_slot(PyObject* obj, Py_ssize_t off, PyObject* v) {
        PyObject** p = (PyObject**) ((char*) obj + off);
        Py_INCREF(v);
        Py_XSETREF(*p, v);
    }
    static inline int k4_mul_overflow(long long a, long long b, long long* r) { return __builtin_mul_overflow(a, b, r); }
    static inline int k4_add_overflow(long long a, long long b, long long* r) { return __builtin_add_overflow(a, b, r); }
    """
    object k4_alloc(object type)
    bint k4_slot_offset(object descr, Py_ssize_t* off)
    void k4_set_slot(object obj, Py_ssize_t off, object v)
    bint k4_mul_overflow(long long a, long long b, long long* r)
    bint k4_add_overflow(long long a, long long b, long long* r)


ctypedef vector[Py_UCS4] Word
ctypedef vector[Word] Words

cdef int MAXG = 64  # groups of a pattern, at most (checked)

# kinds and units, as numbers.py spells them
cdef enum:
    K_PERCENT = 0
    K_POINTS = 1
    K_MONEY = 2
    K_TOKEN = 3
    K_BIG = 4
    K_COUNT = 5
KINDS = ("percent", "points", "money", "token", "big", "count")
cdef enum:
    U_NONE = 0
    U_PCT = 1
    U_PP = 2
    U_CNY = 3
    U_USD = 4
    U_TOKEN = 5
    U_COUNT = 6
UNITS = (None, "%", "pp", "CNY", "USD", "CNY/1M tokens", "count")
cdef enum:
    T_OTHER = 0
    T_ARABIC = 1
    T_DIGIT = 2
    T_UNIT = 3
    T_SECTION = 4


cdef Word _word(str s):
    cdef Word w
    for ch in s:
        w.push_back(<Py_UCS4> ord(ch))
    return w


cdef Words _words(words):
    cdef Words out
    for s in words:
        out.push_back(_word(s))
    return out


cdef inline bint _starts(const Py_UCS4* buf, Py_ssize_t pos, Py_ssize_t hi, const Word& w) noexcept:
    """buf[pos:hi] starts with w."""
    cdef Py_ssize_t n = <Py_ssize_t> w.size(), k
    if pos < 0 or pos + n > hi:
        return False
    for k in range(n):
        if buf[pos + k] != w[k]:
            return False
    return True


cdef inline bint _ends(const Py_UCS4* buf, Py_ssize_t lo, Py_ssize_t hi, const Word& w) noexcept:
    """buf[lo:hi] ends with w."""
    cdef Py_ssize_t n = <Py_ssize_t> w.size()
    if hi - lo < n:
        return False
    return _starts(buf, hi - n, hi, w)


cdef inline bint _contains(const Py_UCS4* buf, Py_ssize_t lo, Py_ssize_t hi, const Word& w) noexcept:
    cdef Py_ssize_t p
    for p in range(lo, hi - <Py_ssize_t> w.size() + 1):
        if _starts(buf, p, hi, w):
            return True
    return False


cdef inline bint _starts_any(const Py_UCS4* buf, Py_ssize_t pos, Py_ssize_t hi, const Words& ws) noexcept:
    cdef size_t k
    for k in range(ws.size()):
        if _starts(buf, pos, hi, ws[k]):
            return True
    return False


cdef inline bint _ends_any(const Py_UCS4* buf, Py_ssize_t lo, Py_ssize_t hi, const Words& ws) noexcept:
    cdef size_t k
    for k in range(ws.size()):
        if _ends(buf, lo, hi, ws[k]):
            return True
    return False


ctypedef vector[uint64_t] Bits  # a set of code points


cdef inline bint _has(const Bits& bits, uint32_t c) noexcept:
    return c < 0x110000 and (bits[c >> 6] >> (c & 63)) & 1


cdef inline void _add(Bits& bits, uint32_t c) noexcept:
    bits[c >> 6] |= (<uint64_t> 1) << (c & 63)


cdef Bits _charset(chars) except *:
    """`ch in chars` for every code point."""
    cdef Bits bits
    bits.resize(0x110000 // 64 + 1, 0)
    for ch in chars:
        if len(ch) != 1:
            raise ValueError(f"not a character: {ch!r}")
        _add(bits, <uint32_t> ord(ch))
    return bits


def first_classes(str pattern, int flags=0):
    """The character classes a match of `pattern` (as Python's re reads it) can start with, as a list of
    (negated, [(low, high)...], [category...]), or None when it can start with any character (or with none:
    a match of the empty string). From re's own parse of the pattern; lookarounds take no character."""
    try:
        from re import _constants as C
        from re import _parser
    except ImportError:  # another Python's re: try every position
        return None
    tree = _parser.parse(pattern, flags)
    if tree.state.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None
    classes = []

    def one(items):
        negated, ranges, cats = False, [], []
        for op, av in items:
            if op is C.NEGATE:
                negated = True
            elif op is C.LITERAL:
                ranges.append((av, av))
            elif op is C.RANGE:
                ranges.append(av)
            elif op is C.CATEGORY and str(av) in _CATEGORIES:
                cats.append(str(av))
            else:
                raise LookupError(op)
        return negated, ranges, cats

    def first(seq) -> bool:  # adds what seq can start with to classes; says whether it can match nothing
        for op, av in seq:
            if op is C.LITERAL:
                classes.append((False, [(av, av)], []))
                return False
            if op is C.NOT_LITERAL:
                classes.append((True, [(av, av)], []))
                return False
            if op is C.IN:
                classes.append(one(av))
                return False
            if op is C.BRANCH:
                empty = False
                for alternative in av[1]:
                    empty = first(alternative) or empty
                if not empty:
                    return False
            elif op is C.SUBPATTERN:
                if av[1] & (re.IGNORECASE | re.ASCII | re.LOCALE):
                    raise LookupError(op)
                if not first(av[3]):
                    return False
            elif op is C.ATOMIC_GROUP:
                if not first(av):
                    return False
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                if av[1] != 0 and not first(av[2]) and av[0] > 0:
                    return False
            elif op is C.GROUPREF_EXISTS:
                yes = first(av[1])
                no = first(av[2]) if av[2] is not None else True
                if not (yes or no):
                    return False
            elif op not in (C.ASSERT, C.ASSERT_NOT, C.AT):
                raise LookupError(op)  # ANY, a back reference...: any character
        return True

    try:
        if first(tree):
            return None
    except LookupError:
        return None
    return classes


def leading_not_behind(str pattern, int flags=0):
    """The class of a one-character negative lookbehind that every match of `pattern` opens with, as
    first_classes gives classes ([(negated, ranges, categories)]), or None."""
    try:
        from re import _constants as C
        from re import _parser
    except ImportError:
        return None
    tree = _parser.parse(pattern, flags)
    if tree.state.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None
    seq = list(tree)
    while seq:
        op, av = seq[0]
        if op is C.SUBPATTERN and not av[1] & (re.IGNORECASE | re.ASCII | re.LOCALE):
            seq = list(av[3])
        elif op is C.ATOMIC_GROUP:
            seq = list(av)
        elif op is C.ASSERT_NOT and av[0] == -1 and len(av[1]) == 1 and av[1][0][0] in (C.IN, C.LITERAL):
            item = av[1][0]
            if item[0] is C.LITERAL:
                return [(False, [(item[1], item[1])], [])]
            negated, ranges, cats = False, [], []
            for op2, av2 in item[1]:
                if op2 is C.NEGATE:
                    negated = True
                elif op2 is C.LITERAL:
                    ranges.append((av2, av2))
                elif op2 is C.RANGE:
                    ranges.append(av2)
                elif op2 is C.CATEGORY and str(av2) in _CATEGORIES:
                    cats.append(str(av2))
                else:
                    return None
            return [(negated, ranges, cats)]
        else:
            return None
    return None


# re's categories of str patterns, as its engine tests them (Modules/_sre/sre.c: SRE_UNI_IS_*)
_CATEGORIES = {"CATEGORY_DIGIT": 1, "CATEGORY_NOT_DIGIT": -1, "CATEGORY_SPACE": 2, "CATEGORY_NOT_SPACE": -2,
               "CATEGORY_WORD": 3, "CATEGORY_NOT_WORD": -3}


cdef inline bint _category(int cat, Py_UCS4 c) noexcept:
    cdef bint inside
    if cat == 1 or cat == -1:
        inside = Py_UNICODE_ISDECIMAL(c)
    elif cat == 2 or cat == -2:
        inside = Py_UNICODE_ISSPACE(c)
    else:
        inside = Py_UNICODE_ISALNUM(c) or c == 95
    return inside if cat > 0 else not inside


cdef bint _first_bits(str pattern, Bits& bits) except -1:
    """bits: the code points a match of pattern can start with; False (and every code point) when any can."""
    return _bits_of(first_classes(pattern), bits)


cdef vector[Bits] _category_bits = vector[Bits](7)  # by _CATEGORIES value + 3, made when first needed


cdef bint _bits_of(classes, Bits& bits) except -1:
    """bits: the union of the classes; False (and every code point) when classes is None."""
    cdef Bits one
    cdef uint32_t c, lo, hi
    cdef size_t k
    cdef int cat
    bits.assign(0x110000 // 64 + 1, 0)
    if classes is None:
        bits.assign(0x110000 // 64 + 1, ~(<uint64_t> 0))
        return False
    for negated, ranges, cats in classes:
        one.assign(0x110000 // 64 + 1, 0)
        for lo, hi in ranges:
            for c in range(lo, hi + 1):
                _add(one, c)
        for name in cats:
            cat = _CATEGORIES[name]
            if _category_bits[cat + 3].empty():  # once per category
                _category_bits[cat + 3].assign(0x110000 // 64 + 1, 0)
                for c in range(0x110000):
                    if _category(cat, c):
                        _add(_category_bits[cat + 3], c)
            for k in range(one.size()):
                one[k] |= _category_bits[cat + 3][k]
        for k in range(bits.size()):
            bits[k] |= ~one[k] if negated else one[k]
    return True


cdef struct M:  # a match of lead or numbered: its group spans, copied from the ovector
    bint found
    bint lead
    Py_ssize_t sp[130]


cdef struct Span:
    Py_ssize_t s
    Py_ssize_t e


cdef struct Read:
    int kind
    double value
    double high
    bint has_high
    int unit
    bint magnitude
    bint more
    Py_ssize_t inner_s
    Py_ssize_t inner_e
    Py_ssize_t w_s  # the number as written
    Py_ssize_t w_e


FIELDS = ("start", "end", "value", "value_high", "kind", "unit", "qualifier", "text", "magnitude", "role", "partner",
          "list_index", "ignored")  # numbers.Mention's, in order


class Fallback(RuntimeError):
    """The kernel cannot give what numbers.find gives: the caller runs the Python code."""


@cython.final
cdef class Finder:
    cdef Pattern lead, numbered, anchors, lead_anchors, url
    cdef Bits first, lead_back, number_chars, sections_set, joiners, stops
    cdef Bits anchors_first, lead_anchors_first, url_first  # what a match of each can start with
    cdef Bits lead_first, before_last, after_first, numbered_not_after
    cdef bint numbered_behind  # numbered starts with (?<![class]): numbered_not_after
    cdef bint anchors_skip, lead_anchors_skip, url_skip, lead_skip  # whether a scan may skip to those
    cdef Py_ssize_t reach, tail, scope_window
    cdef Py_UCS4 ph_lo, ph_hi, point
    cdef Py_ssize_t slots[13]  # where Mention keeps each of FIELDS
    cdef bint direct  # a Mention is made by filling its slots (what its __init__ does)
    cdef object mention, to_number_py, clean_round, cheng_value_py, cheng_before_py
    cdef dict mags, token_units
    cdef Words minus, not_numbers, other_currencies, threshold, vague, vague_after, any_before, counted_always
    cdef Words scope_words, before_words, after_words
    cdef vector[int] scope_rank, before_rank, after_rank
    cdef list rank_name
    cdef Word cny_suffix, zeros
    cdef vector[Py_UCS4] digit_ch, unit_ch, section_ch
    cdef vector[int] digit_val
    cdef vector[long long] unit_val, section_val
    cdef vector[Py_UCS4] pair_a, pair_b
    cdef bint round_money
    # group numbers: lead
    cdef int token_before, tb_v, tb_mag, tb_jiao, tb_cur_CNY, tb_unit, money_pre, mp_pre_CNY, mp_suffix
    cdef int mp_v, mp_mag, mp_per, mp_unit, mp_more1, mp_more, pv2, ph_sign
    # group numbers: numbered
    cdef int v, money_range, rb_v, rb_mag, ra_mag, rb_cur_CNY, rb_more1, rb_more, pct_range, pb, pct, points
    cdef int cheng, chd, chh, mag, more1, more, cunit, per, jiao, cur_CNY, cur_USD, ta_unit
    cdef int lead_groups, numbered_groups

    def __init__(self, dict cfg, mention, to_number, int tail, str stops, str placeholders):
        """cfg: numbers._cfg(); mention: the Mention class; to_number: numbers.to_number (for what C cannot
        compute exactly); tail: numbers.TAIL; stops: the characters a qualifier does not reach across;
        placeholders: the first and last placeholder character (a qualifier does not reach across one)."""
        c = cfg["c"]
        w = c["words"]
        self.lead = regex32.compile(cfg["lead"].pattern)
        self.numbered = regex32.compile(cfg["numbered"].pattern)
        self.anchors = regex32.compile(cfg["anchors"].pattern)
        self.lead_anchors = regex32.compile(cfg["lead_anchors"].pattern)
        self.url = regex32.compile(cfg["url"].pattern)
        _first_bits(cfg["numbered_starts"].pattern, self.first)  # the class itself: any of its characters
        self.anchors_skip = _first_bits(self.anchors.source, self.anchors_first)
        self.lead_anchors_skip = _first_bits(self.lead_anchors.source, self.lead_anchors_first)
        self.url_skip = _first_bits(self.url.source, self.url_first)
        self.lead_skip = _first_bits(self.lead.source, self.lead_first)
        self.numbered_behind = _bits_of(leading_not_behind(self.numbered.source), self.numbered_not_after)
        if self.lead.groups + 1 > MAXG or self.numbered.groups + 1 > MAXG:
            raise ValueError("too many groups")
        self.lead_groups, self.numbered_groups = self.lead.groups, self.numbered.groups
        self.lead_back = _charset(cfg["lead_back"])
        self.number_chars = _charset(cfg["number_chars"])
        self.sections_set = _charset(c["sections"])
        self.joiners = _charset(cfg["joiners"])
        self.stops = _charset(stops)
        self.reach, self.tail, self.scope_window = int(cfg["reach"]), tail, int(c["scope_window"])
        if len(placeholders) != 2 or len(w["point"]) != 1:
            raise ValueError("one character expected")
        self.ph_lo, self.ph_hi, self.point = ord(placeholders[0]), ord(placeholders[1]), ord(w["point"])
        self.mention, self.to_number_py = mention, to_number
        self.direct = self._slots(mention)
        self.clean_round = round
        self.cheng_value_py, self.cheng_before_py = cfg["cheng_value"], cfg["cheng_before"]
        self.mags, self.token_units = dict(c["magnitudes"]), dict(c["token_units"])
        self.minus = _words(cfg["minus"])
        self.not_numbers = _words(cfg["not_numbers"])
        self.other_currencies = _words(cfg["other_currencies"])
        self.threshold = _words(cfg["threshold"])
        self.vague = _words(cfg["vague"])
        self.vague_after = _words(cfg["vague_after"])
        self.any_before = _words(cfg["any_before"])
        if not isinstance(w["counted_always"], (list, tuple)):
            raise ValueError("counted_always: a list expected")
        self.counted_always = _words(w["counted_always"])
        self.rank_name = list(cfg["rank_name"])
        names = self.rank_name
        for name, word in cfg["scope"]:
            self.scope_words.push_back(_word(word))
            self.scope_rank.push_back(names.index(name))
        for word, rank in cfg["degree_before"]:
            self.before_words.push_back(_word(word))
            self.before_rank.push_back(rank)
        for rank, word in cfg["degree_after"]:
            self.after_words.push_back(_word(word))
            self.after_rank.push_back(rank)
        if any(not word for word, _ in cfg["degree_before"]) or any(not word for _, word in cfg["degree_after"]):
            raise ValueError("an empty qualifier word")
        self.before_last = _charset({word[len(word) - 1] for word, _ in cfg["degree_before"]})
        self.after_first = _charset({word[0] for _, word in cfg["degree_after"]})
        if not isinstance(w["cny_suffix"], str) or not isinstance(w["zeros"], str):
            raise ValueError("a string expected")
        self.cny_suffix = _word(w["cny_suffix"])
        self.zeros = _word(w["zeros"])
        for ch, val in c["digits"].items():
            if len(ch) != 1 or type(val) is not int or not 0 <= val <= 9:
                raise ValueError(f"digit {ch!r}: {val!r}")
            self.digit_ch.push_back(ord(ch))
            self.digit_val.push_back(val)
        for ch, val in c["units"].items():
            if len(ch) != 1 or type(val) is not int or not 0 < val < 10 ** 12:
                raise ValueError(f"unit {ch!r}: {val!r}")
            self.unit_ch.push_back(ord(ch))
            self.unit_val.push_back(val)
        for ch, val in c["sections"].items():
            if len(ch) != 1 or type(val) is not int or not 0 < val < 10 ** 12:
                raise ValueError(f"section {ch!r}: {val!r}")
            self.section_ch.push_back(ord(ch))
            self.section_val.push_back(val)
        for pair in c["approximate_pairs"]:
            if len(pair) == 2:  # a+b is two characters: no other entry can equal it
                self.pair_a.push_back(ord(pair[0]))
                self.pair_b.push_back(ord(pair[1]))
        for val in list(self.mags.values()) + list(self.token_units.values()):
            if type(val) is not int or not 0 < val < 2 ** 53:
                raise ValueError(f"magnitude {val!r}")
        self.round_money = bool(c["round_money_is_approx"])
        g = self.lead.groupindex
        self.token_before, self.tb_v, self.tb_mag = g["token_before"], g["tb_v"], g["tb_mag"]
        self.tb_jiao, self.tb_cur_CNY, self.tb_unit = g["tb_jiao"], g["tb_cur_CNY"], g["tb_unit"]
        self.money_pre, self.mp_pre_CNY, self.mp_suffix = g["money_pre"], g["mp_pre_CNY"], g["mp_suffix"]
        self.mp_v, self.mp_mag, self.mp_per, self.mp_unit = g["mp_v"], g["mp_mag"], g["mp_per"], g["mp_unit"]
        self.mp_more1, self.mp_more, self.pv2, self.ph_sign = g["mp_more1"], g["mp_more"], g["pv2"], g["ph_sign"]
        g = self.numbered.groupindex
        self.v, self.money_range, self.rb_v, self.rb_mag = g["v"], g["money_range"], g["rb_v"], g["rb_mag"]
        self.ra_mag, self.rb_cur_CNY, self.rb_more1, self.rb_more = g["ra_mag"], g["rb_cur_CNY"], g["rb_more1"], g["rb_more"]
        self.pct_range, self.pb, self.pct, self.points = g["pct_range"], g["pb"], g["pct"], g["points"]
        self.cheng, self.chd, self.chh, self.mag = g["cheng"], g["chd"], g["chh"], g["mag"]
        self.more1, self.more, self.cunit, self.per = g["more1"], g["more"], g["cunit"], g["per"]
        self.jiao, self.cur_CNY, self.cur_USD, self.ta_unit = g["jiao"], g["cur_CNY"], g["cur_USD"], g["ta_unit"]

    cdef bint _slots(self, mention) except -1:
        """Whether a Mention can be made by filling its slots: a dataclass of FIELDS in __slots__, made by
        object.__new__, whose __init__ only stores its arguments (no __post_init__); checked on one."""
        import dataclasses
        cdef Py_ssize_t off
        if (not dataclasses.is_dataclass(mention) or tuple(f.name for f in dataclasses.fields(mention)) != FIELDS
                or hasattr(mention, "__post_init__") or mention.__new__ is not object.__new__
                or hasattr(mention, "__setattr__") and mention.__setattr__ is not object.__setattr__):
            return False
        for k, name in enumerate(FIELDS):
            if not k4_slot_offset(mention.__dict__.get(name, None), &off):
                return False
            self.slots[k] = off
        args = (1, 2, 3.5, None, "percent", "%", "exact", "x", False, None, None, None, "vague")
        made = k4_alloc(mention)
        for k in range(13):
            k4_set_slot(made, self.slots[k], args[k])
        return dataclasses.astuple(made) == dataclasses.astuple(mention(*args))

    cdef object _new(self, tuple args):
        cdef int k
        if not self.direct:
            return self.mention(*args)
        made = k4_alloc(self.mention)
        for k in range(13):
            k4_set_slot(made, self.slots[k], args[k])
        return made

    # ---- the scan (numbers._windows, _lead_after, _numbered_after, _scan)

    cdef Py_ssize_t _search(self, Pattern pat, const Bits& first, bint skip, Text t, Py_ssize_t pos,
                            Py_ssize_t end) except -2:
        """pat.search(text, pos, end): tried only where a character it can start with stands (PCRE2 does not
        skip over code points above 255 by itself)."""
        cdef Py_ssize_t p
        if not skip:
            return pat.search(t, pos, end)
        for p in range(pos, end):
            if _has(first, t.buf[p]) and pat.match(t, p, end) >= 0:
                return p
        return -1

    cdef void _windows(self, Text t, Pattern anchors, const Bits& first, bint skip, Py_ssize_t reach,
                       const Bits& back, vector[Span]& out) except *:
        cdef Py_ssize_t pos = 0, a, e, start, floor_
        cdef Span sp
        while pos <= t.n:
            a = self._search(anchors, first, skip, t, pos, t.n)
            if a < 0:
                break
            e = anchors.end(0)
            if e <= a:
                raise Fallback("an anchor matched the empty string")
            start = a - reach if a > reach else 0
            floor_ = out.back().e if out.size() else 0
            while start > floor_ and _has(back, t.buf[start - 1]):
                start -= 1
            if out.size() and start <= out.back().e:
                out.back().e = e
            else:
                sp.s, sp.e = start, e
                out.push_back(sp)
            pos = e

    cdef inline void _copy(self, Pattern p, int groups, M* m) noexcept:
        cdef int g
        for g in range(groups + 1):
            m.sp[2 * g] = p.start(g)
            m.sp[2 * g + 1] = p.end(g)

    cdef size_t _lead_after(self, Text t, Py_ssize_t pos, vector[Span]& windows, size_t i, M* m) except? 0:
        cdef Py_ssize_t p, start, end
        m.found = False
        while i < windows.size():
            start, end = windows[i].s, windows[i].e
            p = pos if pos > start else start
            while p < end:
                if (not self.lead_skip or _has(self.lead_first, t.buf[p])) and self.lead.match(t, p, t.n) >= 0:
                    m.found, m.lead = True, True
                    self._copy(self.lead, self.lead_groups, m)
                    return i
                p += 1
            i += 1
        return i

    cdef size_t _numbered_after(self, Text t, Py_ssize_t pos, vector[Span]& regions, size_t i, M* m) except? 0:
        cdef Py_ssize_t p, start, end, stop
        m.found = False
        while i < regions.size():
            start, end = regions[i].s, regions[i].e
            if end <= pos:
                i += 1
                continue
            stop = end + self.tail
            if stop > t.n:
                stop = t.n
            p = pos if pos > start else start
            while p < end:
                if (_has(self.first, t.buf[p])
                        and not (self.numbered_behind and p > 0 and _has(self.numbered_not_after, t.buf[p - 1]))
                        and self.numbered.match(t, p, stop) >= 0):
                    m.found, m.lead = True, False
                    self._copy(self.numbered, self.numbered_groups, m)
                    return i
                p += 1
            i += 1
        return i

    # ---- values (numbers.to_number, cn_to_number, _cn_integer, _clean, _is_round, _estimate)

    cdef inline int _digit(self, Py_UCS4 c) noexcept:
        """The digit's value, or -1 when c is not in `digits`."""
        cdef size_t k
        for k in range(self.digit_ch.size()):
            if self.digit_ch[k] == c:
                return self.digit_val[k]
        return -1

    cdef inline long long _unit(self, Py_UCS4 c) noexcept:
        cdef size_t k
        for k in range(self.unit_ch.size()):
            if self.unit_ch[k] == c:
                return self.unit_val[k]
        return 0

    cdef inline long long _section(self, Py_UCS4 c) noexcept:
        cdef size_t k
        for k in range(self.section_ch.size()):
            if self.section_ch[k] == c:
                return self.section_val[k]
        return 0

    cdef bint _cn_integer(self, const Py_UCS4* buf, Py_ssize_t s, Py_ssize_t e, double* out) noexcept:
        """numbers._cn_integer of buf[s:e]; False when 64-bit integers cannot hold it (the caller asks Python)."""
        cdef long long total = 0, wan = 0, sec = 0, num = 0, group, x, scale
        cdef bint has_num = False
        cdef int prev_t = T_OTHER, before_t = T_OTHER, tt
        cdef long long prev_v = 0, before_v = 0, tv
        cdef Py_ssize_t k = s, j
        cdef Py_UCS4 ch
        cdef int d
        while k < e:
            ch = buf[k]
            if Py_UNICODE_ISDECIMAL(ch):  # a run of digits is one token: int(tok)
                j = k
                x = 0
                while j < e and Py_UNICODE_ISDECIMAL(buf[j]):
                    if j - k >= 18:
                        return False
                    x = x * 10 + Py_UNICODE_TODECIMAL(buf[j])
                    j += 1
                k = j
                num, has_num = x, True
                tt, tv = T_ARABIC, 0
            else:
                k += 1
                d = self._digit(ch)
                if d >= 0:
                    if d and not (prev_t == T_DIGIT and prev_v):  # a tens digit after a units digit (two-three-ten): the lower of the pair
                        num, has_num = d, True
                    tt, tv = T_DIGIT, d
                elif self._unit(ch):
                    tv = self._unit(ch)
                    if k4_mul_overflow(num if has_num else 1, tv, &x) or k4_add_overflow(sec, x, &sec):
                        return False
                    has_num = False
                    num = 0
                    tt = T_UNIT
                elif self._section(ch):
                    tv = self._section(ch)
                    if k4_add_overflow(sec, num if has_num else 0, &group):
                        return False
                    if tv == 100000000:
                        if (k4_add_overflow(total, wan, &x) or k4_add_overflow(x, group, &x)
                                or k4_mul_overflow(x, 100000000, &total)):
                            return False
                        wan = 0
                    else:
                        if k4_mul_overflow(group, 10000, &wan):
                            return False
                    sec, num, has_num = 0, 0, False
                    tt = T_SECTION
                else:
                    tt, tv = T_OTHER, 0
            before_t, before_v = prev_t, prev_v
            prev_t, prev_v = tt, tv
        if has_num and prev_t == T_DIGIT and (before_t == T_UNIT or before_t == T_SECTION):
            scale = before_v // 10  # units.get(before) or sections[before], over 10
            if k4_mul_overflow(num, scale if scale > 1 else 1, &num):
                return False
        if (k4_add_overflow(total, wan, &x) or k4_add_overflow(x, sec, &x)
                or k4_add_overflow(x, num if has_num else 0, &x)):
            return False
        out[0] = <double> x
        return True

    cdef double _ascii_float(self, const char* digits) except? -1.0:
        return PyOS_string_to_double(digits, NULL, NULL)

    cdef double _to_number(self, Text t, Py_ssize_t s0, Py_ssize_t e0) except? -1.0:
        """numbers.to_number(text[s0:e0])."""
        cdef const Py_UCS4* buf = t.buf
        cdef Py_ssize_t s = s0, e = e0, k, ndec = 0, ndots = 0, p
        cdef double sign = 1.0, value
        cdef char digits[72]
        cdef int n = 0, d
        cdef Py_UCS4 ch
        while s < e and Py_UNICODE_ISSPACE(buf[s]):
            s += 1
        while e > s and Py_UNICODE_ISSPACE(buf[e - 1]):
            e -= 1
        if _starts_any(buf, s, e, self.minus):
            sign = -1.0
            s += 1
        elif s < e and buf[s] == 43:  # +
            s += 1
        for k in range(s, e):
            ch = buf[k]
            if Py_UNICODE_ISDECIMAL(ch):
                ndec += 1
            elif ch == 46:  # .
                ndots += 1
            elif ch != 44:  # ,
                break
        else:
            if ndec:  # s.replace(",", "").replace(".", "").isdecimal(): float(s.replace(",", ""))
                if ndots > 1 or ndec + ndots > 60:
                    return self.to_number_py(PyUnicode_Substring(t.text, s0, e0))
                for k in range(s, e):
                    ch = buf[k]
                    if ch == 46:
                        digits[n] = 46
                        n += 1
                    elif ch != 44:
                        digits[n] = <char> (48 + Py_UNICODE_TODECIMAL(ch))
                        n += 1
                digits[n] = 0
                return sign * self._ascii_float(digits)
        # cn_to_number: whole, _, frac = s.partition(point)
        p = e
        for k in range(s, e):
            if buf[k] == self.point:
                p = k
                break
        value = 0.0
        for k in range(s, p):  # whole.strip(zeros) is not empty
            if not self._in_word(buf[k], self.zeros):
                if not self._cn_integer(buf, s, p, &value):
                    return self.to_number_py(PyUnicode_Substring(t.text, s0, e0))
                break
        if p + 1 < e:
            if e - p - 1 > 60:
                return self.to_number_py(PyUnicode_Substring(t.text, s0, e0))
            digits[0], digits[1] = 48, 46
            n = 2
            for k in range(p + 1, e):
                d = self._digit(buf[k])
                if d < 0:
                    return self.to_number_py(PyUnicode_Substring(t.text, s0, e0))  # the KeyError, as Python raises it
                digits[n] = <char> (48 + d)
                n += 1
            digits[n] = 0
            value += self._ascii_float(digits)
        return sign * value

    cdef inline bint _in_word(self, Py_UCS4 c, const Word& w) noexcept:
        cdef size_t k
        for k in range(w.size()):
            if w[k] == c:
                return True
        return False

    cdef double _clean(self, double x) except? -1.0:
        """numbers._clean: round(x, 11 - floor(log10(|x|))), 12 significant digits. Where x is the double
        nearest to a decimal r / 10**d with |r| < 10**11 (r an integer, d <= 8), that decimal is what rounding
        to 12 digits gives (x is within half an ulp of it, far less than half a unit of the 12th digit), and
        reading it back gives x: round returns x itself, and Python's round is not called."""
        cdef int nd, d
        cdef long long i, q
        cdef int k
        cdef double r, p = 1.0
        if x == 0:
            return 0.0
        if not isfinite(x):
            return x
        for d in range(9):
            r = x * p
            if r == floor(r) and fabs(r) < 1.0e11 and r / p == x:
                return x
            p *= 10.0
        nd = 11 - <int> floor(log10(fabs(x)))
        if x == floor(x) and nd >= 0:  # an integer of at most 12 digits
            return x
        if x == floor(x) and fabs(x) < 9.0e18 and -18 < nd < 0:  # an integer with zeros below its 12th digit
            i = <long long> x
            q = 1
            for k in range(-nd):
                q *= 10
            if i % q == 0:
                return x
        return self.clean_round(x, nd)

    cdef bint _is_round(self, Text t, Py_ssize_t s, Py_ssize_t e) except -1:
        """numbers._is_round of the number written at text[s:e]."""
        cdef Py_ssize_t k
        cdef double v
        cdef long long i
        for k in range(s, e):
            if t.buf[k] == 46 or t.buf[k] == self.point:
                return False
        v = fabs(self._to_number(t, s, e))
        if v < 9.0e18:
            i = <long long> v
            while i >= 10 and i % 10 == 0:
                i //= 10
            return i < 10
        return len(str(int(v)).rstrip("0")) <= 1

    cdef int _estimate(self, Text t, Py_ssize_t s, Py_ssize_t e) noexcept:
        """numbers._estimate: 0 (one value), 1 (vague) or 2 (invalid)."""
        cdef Py_ssize_t k, stop = e
        cdef bint ascii = True
        cdef size_t q
        cdef int a, b
        for k in range(s, e):
            if t.buf[k] >= 128:
                ascii = False
                break
        if ascii:
            return 0
        for k in range(s, e):
            if t.buf[k] == self.point:
                stop = k
                break
        for k in range(s, stop - 1):
            a, b = self._digit(t.buf[k]), self._digit(t.buf[k + 1])
            if a > 0 and b > 0:
                for q in range(self.pair_a.size()):
                    if self.pair_a[q] == t.buf[k] and self.pair_b[q] == t.buf[k + 1]:
                        return 1
                return 2
        return 0

    cdef bint _has_section(self, Text t, Py_ssize_t s, Py_ssize_t e) noexcept:
        cdef Py_ssize_t k
        for k in range(s, e):
            if _has(self.sections_set, t.buf[k]):
                return True
        return False

    cdef double _mag(self, Text t, M* m, int g) except -1.0:
        """mags[g(name)] when the group matched text, else 1."""
        cdef Py_ssize_t s = m.sp[2 * g], e = m.sp[2 * g + 1]
        if s < 0 or e <= s:
            return 1.0
        return <double> self.mags[PyUnicode_Substring(t.text, s, e)]

    # ---- one match (numbers._read, _token)

    cdef inline bint _set(self, M* m, int g) noexcept:  # g(name) is not None
        return m.sp[2 * g] >= 0

    cdef inline bint _truthy(self, M* m, int g) noexcept:  # bool(g(name))
        return m.sp[2 * g] >= 0 and m.sp[2 * g + 1] > m.sp[2 * g]

    cdef bint _token(self, Text t, M* m, bint before, Read* r) except -1:
        cdef int gv = self.tb_v if before else self.v
        cdef int gmag = self.tb_mag if before else self.mag
        cdef int gjiao = self.tb_jiao if before else self.jiao
        cdef int gcny = self.tb_cur_CNY if before else self.cur_CNY
        cdef int gunit = self.tb_unit if before else self.ta_unit
        cdef double amount = self._to_number(t, m.sp[2 * gv], m.sp[2 * gv + 1]) * self._mag(t, m, gmag)
        if self._truthy(m, gjiao):
            amount /= 10
        elif not self._truthy(m, gcny):
            return False  # USD token prices are not in the canonical unit
        units = <double> self.token_units[PyUnicode_Substring(t.text, m.sp[2 * gunit], m.sp[2 * gunit + 1])]
        r.kind, r.value, r.has_high, r.unit = K_TOKEN, self._clean(amount / units * 1e6), False, U_TOKEN
        r.magnitude, r.more = False, False
        r.inner_s, r.inner_e = m.sp[0], m.sp[1]
        r.w_s, r.w_e = m.sp[2 * gv], m.sp[2 * gv + 1]
        return True

    cdef bint _read(self, Text t, M* m, Read* r) except -1:
        """numbers._read: False where it gives None."""
        cdef double value, scale_d, low, high
        cdef bint cny, magnitude
        cdef Py_ssize_t s, e, k
        r.inner_s = r.inner_e = 0
        r.has_high, r.high = False, 0.0
        if m.lead and self._truthy(m, self.token_before):
            return self._token(t, m, True, r)
        if m.lead and self._truthy(m, self.money_pre):
            cny = self._truthy(m, self.mp_pre_CNY)
            if self._truthy(m, self.mp_suffix):
                s, e = m.sp[2 * self.mp_suffix], m.sp[2 * self.mp_suffix + 1]
                if (e - s == <Py_ssize_t> self.cny_suffix.size() and _starts(t.buf, s, e, self.cny_suffix)) != cny:
                    return False  # a dollar sign before a yuan unit: the two currencies disagree
            r.w_s, r.w_e = m.sp[2 * self.mp_v], m.sp[2 * self.mp_v + 1]
            value = self._to_number(t, r.w_s, r.w_e) * self._mag(t, m, self.mp_mag)
            if self._truthy(m, self.mp_per):
                if not cny:
                    return False
                units = <double> self.token_units[PyUnicode_Substring(t.text, m.sp[2 * self.mp_unit],
                                                                      m.sp[2 * self.mp_unit + 1])]
                r.kind, r.value, r.unit = K_TOKEN, self._clean(value / units * 1e6), U_TOKEN
                r.magnitude, r.more = False, False
                r.inner_s, r.inner_e = m.sp[0], m.sp[1]
                return True
            r.kind, r.value, r.unit = K_MONEY, value, (U_CNY if cny else U_USD)
            r.magnitude = self._truthy(m, self.mp_mag) or self._has_section(t, r.w_s, r.w_e)
            r.more = self._truthy(m, self.mp_more1) or self._truthy(m, self.mp_more)
            return True
        if m.lead:  # per_hundred
            r.w_s, r.w_e = m.sp[2 * self.pv2], m.sp[2 * self.pv2 + 1]
            value = self._to_number(t, r.w_s, r.w_e)
            r.kind, r.value, r.unit = K_PERCENT, (-1.0 * value if self._truthy(m, self.ph_sign) else value), U_PCT
            r.magnitude, r.more = False, False
            return True
        r.w_s, r.w_e = m.sp[2 * self.v], m.sp[2 * self.v + 1]
        r.magnitude, r.more = False, False
        if self._set(m, self.money_range):
            return self._money_range(t, m, r)
        if self._set(m, self.pct_range):
            r.kind, r.unit = K_PERCENT, U_PCT
            r.value = self._to_number(t, r.w_s, r.w_e)
            r.high, r.has_high = self._to_number(t, m.sp[2 * self.pb], m.sp[2 * self.pb + 1]), True
            return True
        if self._set(m, self.pct):
            r.kind, r.unit, r.value = K_PERCENT, U_PCT, self._to_number(t, r.w_s, r.w_e)
            return True
        if self._set(m, self.points):
            r.kind, r.unit, r.value = K_POINTS, U_PP, self._to_number(t, r.w_s, r.w_e)
            return True
        if self._set(m, self.cheng):
            written = PyUnicode_Substring(t.text, r.w_s, r.w_e)
            s = m.sp[0]
            if (not self.cheng_value_py.fullmatch(written)
                    or self.cheng_before_py.match(t.text, s - 1 if s > 0 else 0, s)):
                return False  # only 1 to 10, and not inside a word
            value = self._to_number(t, r.w_s, r.w_e) * 10
            if self._truthy(m, self.chd):
                value = value + self._to_number(t, m.sp[2 * self.chd], m.sp[2 * self.chd + 1])
            elif self._truthy(m, self.chh):
                value = value + 5
            else:
                value = value + 0
            r.kind, r.unit, r.value = K_PERCENT, U_PCT, value
            return True
        magnitude = self._truthy(m, self.mag) or self._has_section(t, r.w_s, r.w_e)
        r.magnitude = magnitude
        r.more = self._truthy(m, self.more1) or self._truthy(m, self.more)
        if self._set(m, self.cunit) and not (magnitude or r.more or self._counted_always(t, m)):
            return False  # 7 quarters is not a quantity claim
        value = self._to_number(t, r.w_s, r.w_e) * self._mag(t, m, self.mag)
        if self._set(m, self.per):
            return self._token(t, m, False, r)
        if self._truthy(m, self.jiao):
            if magnitude:
                return False
            r.kind, r.value, r.unit, r.magnitude, r.more = K_MONEY, value / 10, U_CNY, False, False
            return True
        if self._truthy(m, self.cur_CNY) or self._truthy(m, self.cur_USD):
            r.kind, r.value, r.unit = K_MONEY, value, (U_CNY if self._truthy(m, self.cur_CNY) else U_USD)
            return True
        if self._set(m, self.cunit):
            r.kind, r.value, r.unit = K_COUNT, value, U_COUNT
            return True
        r.kind, r.value, r.unit, r.magnitude = K_BIG, value, U_NONE, True
        return True

    cdef bint _counted_always(self, Text t, M* m) noexcept:
        cdef Py_ssize_t s = m.sp[2 * self.cunit], e = m.sp[2 * self.cunit + 1]
        cdef size_t k
        for k in range(self.counted_always.size()):
            if <Py_ssize_t> self.counted_always[k].size() == e - s and _starts(t.buf, s, e, self.counted_always[k]):
                return True
        return False

    cdef bint _money_range(self, Text t, M* m, Read* r) except -1:
        """The money_range branch of numbers._read, in Python numbers (the magnitude it borrows is an int)."""
        cdef Py_ssize_t s = m.sp[2 * self.rb_v], e = m.sp[2 * self.rb_v + 1], k
        cdef bint rb_mag = self._truthy(m, self.rb_mag)
        cdef bint ra_mag = self._truthy(m, self.ra_mag)
        cdef double high, low
        mags = self.mags
        scale = mags[PyUnicode_Substring(t.text, m.sp[2 * self.rb_mag], m.sp[2 * self.rb_mag + 1])] if rb_mag else 1
        while e > s and (t.buf[e - 1] == 32 or t.buf[e - 1] == 9):
            e -= 1
        k = e - 1
        while k >= s and _has(self.sections_set, t.buf[k]):
            scale *= self._section(t.buf[k])
            k -= 1
        high_v = self._to_number(t, m.sp[2 * self.rb_v], m.sp[2 * self.rb_v + 1])
        high = high_v * (mags[PyUnicode_Substring(t.text, m.sp[2 * self.rb_mag], m.sp[2 * self.rb_mag + 1])]
                         if rb_mag else 1)
        low_v = self._to_number(t, r.w_s, r.w_e)
        if ra_mag:
            low = low_v * mags[PyUnicode_Substring(t.text, m.sp[2 * self.ra_mag], m.sp[2 * self.ra_mag + 1])]
        else:
            low = low_v * (1 if self._has_section(t, r.w_s, r.w_e) else scale)
        if not low < high:
            return False  # 2023-2024: not a range of amounts
        r.kind, r.value, r.high, r.has_high = K_MONEY, low, high, True
        r.magnitude = rb_mag or self._has_section(t, m.sp[2 * self.rb_v], m.sp[2 * self.rb_v + 1])
        r.unit = U_CNY if self._truthy(m, self.rb_cur_CNY) else U_USD
        r.more = self._truthy(m, self.rb_more1) or self._truthy(m, self.rb_more)
        return True

    # ---- around the number (numbers._qualifier, _currency_before, the checks of find)

    cdef object _qualifier(self, Text t, Py_ssize_t start, Py_ssize_t end, Py_ssize_t inner_s, Py_ssize_t inner_e,
                           bint more):
        cdef const Py_UCS4* buf = t.buf
        cdef Py_ssize_t bs = start - self.scope_window if start > self.scope_window else 0, k, tail
        cdef Py_UCS4 ch
        cdef size_t q
        cdef int best = -1, _
        for k in range(start - 1, bs - 1, -1):  # not across a clause, nor across another number
            ch = buf[k]
            if _has(self.stops, ch) or Py_UNICODE_ISDECIMAL(ch) or self.ph_lo <= ch <= self.ph_hi:
                bs = k + 1
                break
        for q in range(self.scope_words.size()):
            if _contains(buf, bs, start, self.scope_words[q]) or _contains(buf, inner_s, inner_e, self.scope_words[q]):
                return self.rank_name[self.scope_rank[q]]
        tail = start
        for _ in range(3):
            for q in range(self.before_words.size() if tail > bs and _has(self.before_last, buf[tail - 1]) else 0):
                if _ends(buf, bs, tail, self.before_words[q]) and (best < 0 or self.before_rank[q] < best):
                    best = self.before_rank[q]
            if tail <= bs or not _has(self.joiners, buf[tail - 1]):
                break
            tail -= 1
        k = end + 3 if end + 3 < t.n else t.n
        for q in range(self.after_words.size() if end < k and _has(self.after_first, buf[end]) else 0):
            if _starts(buf, end, k, self.after_words[q]) and (best < 0 or self.after_rank[q] < best):
                best = self.after_rank[q]
        if best >= 0:
            return self.rank_name[best]
        return "over" if more else "exact"

    cdef bint _currency_before(self, Text t, Py_ssize_t s) noexcept:
        cdef const Py_UCS4* buf = t.buf
        cdef Py_ssize_t lo = s - 12 if s > 12 else 0, hi = s
        cdef size_t q
        while hi > lo and (buf[hi - 1] == 32 or buf[hi - 1] == 9):
            hi -= 1
        for q in range(self.any_before.size()):  # the first degree word it ends with
            if _ends(buf, lo, hi, self.any_before[q]):
                hi -= <Py_ssize_t> self.any_before[q].size()
                break
        while hi > lo and (buf[hi - 1] == 32 or buf[hi - 1] == 9):
            hi -= 1
        return _ends_any(buf, lo, hi, self.other_currencies)

    cdef bint _currency_after(self, Text t, Py_ssize_t e) noexcept:
        cdef Py_ssize_t hi = e + 12 if e + 12 < t.n else t.n, p = e
        while p < hi and (t.buf[p] == 32 or t.buf[p] == 9):
            p += 1
        return _starts_any(t.buf, p, hi, self.other_currencies)

    cdef bint _threshold(self, Text t, Py_ssize_t e) noexcept:
        cdef Py_ssize_t hi = e + 12 if e + 12 < t.n else t.n, p = e
        while p < hi and Py_UNICODE_ISSPACE(t.buf[p]):
            p += 1
        return _starts_any(t.buf, p, hi, self.threshold)

    def find(self, str text) -> list:
        """numbers.find(text)."""
        cdef Text t = Text(text)
        cdef vector[Span] regions, windows, links
        cdef M a, b
        cdef M* m
        cdef size_t i = 0, j = 0, li = 0
        cdef Py_ssize_t pos = 0, s, e
        cdef Span sp
        out = []
        # links: numbers inside a link are part of the address
        while pos < t.n:
            s = self._search(self.url, self.url_first, self.url_skip, t, pos, t.n)
            if s < 0:
                break
            sp.s, sp.e = s, self.url.end(0)
            if sp.e <= s:
                raise Fallback("a link matched the empty string")
            links.push_back(sp)
            pos = sp.e
        self._windows(t, self.anchors, self.anchors_first, self.anchors_skip, self.reach, self.number_chars, regions)
        self._windows(t, self.lead_anchors, self.lead_anchors_first, self.lead_anchors_skip, 0, self.lead_back,
                      windows)
        pos = 0
        j = self._lead_after(t, pos, windows, j, &a)
        i = self._numbered_after(t, pos, regions, i, &b)
        while a.found or b.found:
            m = &a if a.found and (not b.found or a.sp[0] <= b.sp[0]) else &b
            s, e = m.sp[0], m.sp[1]
            self._mention(t, m, s, e, links, &li, out)
            pos = e if e > s else e + 1
            if a.found and a.sp[0] < pos:
                j = self._lead_after(t, pos, windows, j, &a)
            if b.found and b.sp[0] < pos:
                i = self._numbered_after(t, pos, regions, i, &b)
        return out

    cdef int _mention(self, Text t, M* m, Py_ssize_t s, Py_ssize_t e, vector[Span]& links, size_t* li,
                      list out) except -1:
        """The body of numbers.find's loop for one match."""
        cdef Read r
        cdef int est
        while li[0] < links.size() and links[li[0]].e <= s:
            li[0] += 1
        if li[0] < links.size() and links[li[0]].s <= s:
            return 0  # inside a link
        if not self._read(t, m, &r) or _starts_any(t.buf, s, t.n, self.not_numbers):
            return 0
        if (r.kind == K_MONEY or r.kind == K_BIG) and (self._currency_before(t, s) or self._currency_after(t, e)):
            return 0  # an amount in another currency
        if not (isfinite(r.value) and (not r.has_high or isfinite(r.high))):
            return 0
        est = self._estimate(t, r.w_s, r.w_e)
        if est == 2:
            return 0
        qualifier = self._qualifier(t, s, e, r.inner_s, r.inner_e, r.more)
        ignored = None
        final = qualifier
        if est == 1:
            ignored, final = "vague", "approx"
        elif self._threshold(t, e):
            ignored = "threshold"
        elif _ends_any(t.buf, s - 2 if s > 2 else 0, s, self.vague) or (
                r.magnitude and _starts_any(t.buf, e, t.n, self.vague_after)):
            ignored = "vague"
        if (self.round_money and (r.kind == K_MONEY or r.kind == K_BIG) and r.magnitude and qualifier == "exact"
                and not r.has_high and self._is_round(t, r.w_s, r.w_e)):
            final = "approx"
        out.append(self._new((s, e, self._clean(r.value), self._clean(r.high) if r.has_high else None,
                              KINDS[r.kind], UNITS[r.unit], final, PyUnicode_Substring(t.text, s, e),
                              r.magnitude, None, None, None, ignored)))
        return 0
