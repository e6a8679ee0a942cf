# cython: language_level=3
"""The frames kernel: extractors/grammar.py's `match` for one sentence, in C++ over PCRE2.

grammar._match stays the reference (CLOUDCLAIMS_NATIVE=0 or CLOUDCLAIMS_PURE_PYTHON=1 run it);
tests/test_native_frames.py compares the two. `Frames(...)` is configured once with grammar's frames and
tables; `match(sent, text, only)` then does, per sentence, what grammar._match does:
- codes (grammar.codes, grammar.code): one code per token a frame can see and one per clause break, with
  the same aside rule (a "(" ")" pair just before a code is dropped);
- the frames the sentence can match (grammar._possible: one code of each of a frame's required sets is
  there), tested on 128-bit masks made from Frame.required;
- overlapped matching as the regex module's finditer(overlapped=True) does it: the next search starts one
  past the start of the previous match (so each start gives the match anchored there); empty matches are
  dropped;
- the hits sorted longest first, then frame order, then start; a hit is kept when none of its value
  tokens (numbers, doubled) is taken, and its claims are made (grammar._claims);
- grammar.translations, whose candidates are found here and whose claims are made by dataclasses.replace
  as there; then the claims sorted by their number's start (stably).
Code strings are ASCII, so PCRE2 and the regex module read a frame's pattern alike. A frame whose pattern
PCRE2 cannot take (regex32.Unsupported) runs on its own regex pattern, overlapped, in the same flow
(`unsupported` lists them); so does a frame on a sentence where PCRE2 reports an error (RuntimeError).
The identifiers below (token kinds, ids, roles) are grammar.py's own; the words are in its tables.
Attributes of slots classes (Token, Mention, Claim) are read and written at their slot when the object's
type is the one learnt, and through getattr/setattr otherwise.
"""
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF, Py_XDECREF
from libc.stdint cimport uint32_t, uint64_t
from libcpp.vector cimport vector

import dataclasses

from extractors.native.regex32 cimport Pattern, Text

from extractors.native import regex32


cdef extern from *:
    """
    #include <algorithm>
    #include <vector>
    #include <unordered_set>
    #include "structmember.h"
    struct FrHit { Py_ssize_t neg_len; Py_ssize_t order; Py_ssize_t start; Py_ssize_t seq; Py_ssize_t spans; };
    static inline bool fr_hit_less(const FrHit& a, const FrHit& b) {
        if (a.neg_len != b.neg_len) return a.neg_len < b.neg_len;
        if (a.order != b.order) return a.order < b.order;
        if (a.start != b.start) return a.start < b.start;
        return a.seq < b.seq;
    }
    static inline void fr_sort_hits(std::vector<FrHit>& v) { std::sort(v.begin(), v.end(), fr_hit_less); }
    struct FrKey { Py_ssize_t start; Py_ssize_t seq; };
    static inline bool fr_key_less(const FrKey& a, const FrKey& b) {
        return a.start != b.start ? a.start < b.start : a.seq < b.seq;
    }
    static inline void fr_sort_keys(std::vector<FrKey>& v) { std::sort(v.begin(), v.end(), fr_key_less); }
    /* The offset of the slot that object.__getattribute__ and object.__setattr__ reach through this descriptor
       on instances of exactly this type, or -1 (not a plain writable object slot, or custom attribute access). */
    static Py_ssize_t fr_slot_offset(PyObject* cls, PyObject* descr) {
        if (!PyType_Check(cls) || descr == NULL || Py_TYPE(descr) != &PyMemberDescr_Type) return -1;
        PyTypeObject* tp = (PyTypeObject*) cls;
        if (tp->tp_getattro != PyObject_GenericGetAttr || tp->tp_setattro != PyObject_GenericSetAttr) return -1;
        PyMemberDef* m = ((PyMemberDescrObject*) descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
        if (!PyType_IsSubtype(tp, PyDescr_TYPE(descr))) return -1;
        return m->offset;
    }
    static inline PyObject* fr_slot(PyObject* o, Py_ssize_t off) { return *(PyObject**) ((char*) o + off); }
    static inline void fr_slot_set(PyObject* o, Py_ssize_t off, PyObject* v) {
        PyObject** p = (PyObject**) ((char*) o + off);
        PyObject* old = *p;
        Py_INCREF(v);
        *p = v;
        Py_XDECREF(old);
    }
    static inline PyObject* fr_new(PyObject* cls, PyObject* empty) {
        return ((PyTypeObject*) cls)->tp_new((PyTypeObject*) cls, empty, NULL);
    }
    typedef std::unordered_set<PyObject*> FrIdSet;
    """
    cppclass FrHit:
        Py_ssize_t neg_len, order, start, seq, spans
    cppclass FrKey:
        Py_ssize_t start, seq
    void fr_sort_hits(vector[FrHit]&)
    void fr_sort_keys(vector[FrKey]&)
    Py_ssize_t fr_slot_offset(object, object)
    PyObject* fr_slot(object, Py_ssize_t)
    void fr_slot_set(object, Py_ssize_t, object)
    PyObject* fr_new(object, object) except NULL
    cppclass FrIdSet:
        FrIdSet()
        size_t count(PyObject*)
        void insert(PyObject*)

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int, const void*, Py_ssize_t)
    int PyUnicode_4BYTE_KIND
    bint Py_UNICODE_ISSPACE(Py_UCS4)
    PyObject* PyDict_GetItemWithError(object, object) except? NULL
    bint PyUnicode_CheckExact(object)


# how grammar.code reads a token's kind (any other kind: the `simple` table alone)
cdef enum:
    K_OTHER = 0
    K_NUM = 1
    K_METRIC = 2
    K_CHANGE = 3
    K_GROWTH = 4
    K_MARKET = 5
    K_ENTITY = 6
    K_LIST = 7

# what a code position holds (for _claims and the taken check)
cdef enum:
    P_BREAK = 0
    P_NUM = 1
    P_CHANGE = 2
    P_LIST = 3
    P_OTHER = 4

cdef enum:
    C_S = 83  # S: a percent written with its sign
    C_K = 75  # K: a market
    C_W = 87  # W, w: growth up, down
    C_w = 119
    C_OPEN = 40  # ( ) , : clause breaks
    C_CLOSE = 41
    C_COMMA = 44
    SIGNABLE = 256  # in the num table: a kind whose sign is read (percent)
    DOUBLED = 256  # in the change table: the id that is a value (doubled)

CLAIM_FIELDS = 11  # grammar._claims makes a Claim of 11 positional arguments
_KINDS = {"num": K_NUM, "metric": K_METRIC, "change": K_CHANGE, "growth": K_GROWTH, "market": K_MARKET,
          "entity": K_ENTITY, "list": K_LIST}
_OPEN = "(\uff08"  # brackets that open an aside (grammar.codes, grammar.translations)
_REVENUES = ("revenue", "annual_revenue")  # grammar.translations: the metric words whose amounts translate


cdef class _Attr:
    """One attribute of objects that are mostly of one slots class: read at its slot for that class."""
    cdef object tp  # the class learnt
    cdef Py_ssize_t off  # its slot, or -1
    cdef str name

    def __init__(self, str name):
        self.name, self.tp, self.off = name, None, -1

    cdef int _learn(self, object tp) except -1:
        descr = next((k.__dict__[self.name] for k in tp.__mro__ if self.name in k.__dict__), None)
        self.tp, self.off = tp, fr_slot_offset(tp, descr)
        return 0

    cdef inline object get(self, object obj):
        cdef PyObject* p
        if Py_TYPE(obj) is not <PyTypeObject*> self.tp:
            self._learn(type(obj))
        if self.off >= 0:
            p = fr_slot(obj, self.off)
            if p is not NULL:
                return <object> p
        return getattr(obj, self.name)

    cdef inline int set(self, object obj, object value) except -1:
        if Py_TYPE(obj) is not <PyTypeObject*> self.tp:
            self._learn(type(obj))
        if self.off >= 0:
            fr_slot_set(obj, self.off, value)
        else:
            setattr(obj, self.name, value)
        return 0


cdef enum:
    CACHE = 32  # remembered keys of a _Table

cdef class _Table:
    """A dict of str -> int, with the last str objects looked up remembered by address (held, so that an
    address stays the same str): the kinds and ids of tokens are few objects, met again and again."""
    cdef dict d
    cdef PyObject* keys[CACHE]
    cdef int values[CACHE]

    def __init__(self, dict d):
        self.d = d

    def __dealloc__(self):
        for i in range(CACHE):
            Py_XDECREF(self.keys[i])

    cdef inline int get(self, object key) except -2:
        """The value, or -1 when the key is not in the table."""
        cdef size_t slot = (<size_t> <PyObject*> key >> 4) % CACHE
        cdef PyObject* v
        if self.keys[slot] is <PyObject*> key:
            return self.values[slot]
        v = PyDict_GetItemWithError(self.d, key)
        cdef int out = -1 if v is NULL else <int> <object> v
        if PyUnicode_CheckExact(key):
            Py_XDECREF(self.keys[slot])
            Py_INCREF(key)
            self.keys[slot] = <PyObject*> key
            self.values[slot] = out
        return out


cdef class _Spec:
    """A ClaimSpec with its labels as group numbers (-1: none)."""
    cdef int value_g, metric_g, sign_g
    cdef bint amount
    cdef object role, metric_id, as_written


cdef class _Frame:
    cdef object id
    cdef Pattern native  # None when the pattern runs on the regex module
    cdef object pattern  # the frame's regex pattern: runs where PCRE2 does not (or fails on a sentence)
    cdef int groups
    cdef uint64_t need_lo[16]
    cdef uint64_t need_hi[16]
    cdef int n_need
    cdef list specs


cdef inline int _code_of(object c) except -1:
    """A one-character code as its code point, 0 for None (codes are ASCII: grammar._mask reads ord(ch) & 127)."""
    if c is None:
        return 0
    s = <str?> c
    if len(s) != 1 or not 0 < ord(s) < 128:
        raise ValueError(f"frame code {c!r} is not one ASCII character")
    return ord(s)


cdef class Frames:
    """grammar.match for every sentence, configured once with grammar's frames and tables."""
    cdef list frames
    cdef object claim_cls
    cdef list claim_attrs
    cdef bint direct
    cdef tuple empty
    cdef _Table kinds, num, family, change, simple
    cdef object markets, signs, replace
    cdef int simple_entity, simple_list
    cdef _Attr t_kind, t_clause, t_id, t_ref, t_start, t_i, m_ignored, m_kind, m_text, m_qualifier, m_unit
    cdef _Attr c_frame, c_number, c_role, c_metric_token, c_metric_id, c_sign_token, c_as_written, c_in_list
    cdef _Attr c_list_len, c_respectively, c_list_qualifier
    cdef readonly list unsupported  # (frame id, why) of the frames that run on the regex module
    # per-sentence buffers, reused
    cdef vector[PyObject*] ptok  # the token behind each code (NULL: a break); borrowed from sent.tokens
    cdef vector[char] pcat
    cdef vector[char] pvalue
    cdef vector[char] taken
    cdef vector[uint32_t] chars
    cdef vector[FrHit] hits
    cdef vector[Py_ssize_t] spans
    cdef vector[Py_ssize_t] vals
    cdef vector[FrKey] keys
    cdef vector[PyObject*] numbers  # each claim's number (borrowed: held by the claims)
    cdef vector[PyObject*] metrics  # each claim's metric token, NULL for None (borrowed)
    cdef vector[char] amounts  # each claim's role is "amount"

    def __init__(self, frames, claim, num, family, change, simple, markets, signs):
        cdef _Frame fr
        cdef _Spec sp
        cdef int k
        self.frames, self.unsupported = [], []
        for f in frames:
            fr = _Frame()
            fr.id, fr.pattern = f.id, f.pattern
            try:
                fr.native = regex32.compile(f.pattern.pattern)
                groupindex, fr.groups = fr.native.groupindex, fr.native.groups
            except regex32.Unsupported as e:
                fr.native = None
                groupindex, fr.groups = f.pattern.groupindex, f.pattern.groups
                self.unsupported.append((f.id, str(e)))
            # the code sets a sentence must hold one of each of (Frame.required), as 128-bit masks: read from the
            # sets, not from Frame.masks, whose 1 << ord(ch) the compiled core evaluates in C ints
            if len(f.required) > 16:
                raise ValueError(f"frame {f.id}: more than 16 required code sets")
            fr.n_need = len(f.required)
            for k, need in enumerate(f.required):
                fr.need_lo[k] = fr.need_hi[k] = 0
                for ch in need:
                    b = ord(ch) & 127
                    if b < 64:
                        fr.need_lo[k] |= (<uint64_t> 1) << b
                    else:
                        fr.need_hi[k] |= (<uint64_t> 1) << (b - 64)
            fr.specs = []
            for c in f.claims:
                sp = _Spec()
                sp.value_g = groupindex[c.value]
                sp.metric_g = groupindex[c.metric] if c.metric in f.labels else -1
                sp.metric_id = c.metric if c.metric is not None and c.metric not in f.labels else None
                sp.sign_g = groupindex[c.sign] if c.sign is not None else -1
                sp.role, sp.as_written = c.role, c.as_written
                sp.amount = c.role == "amount"
                fr.specs.append(sp)
            self.frames.append(fr)
        self.claim_cls = claim
        self.empty = ()
        fields = [x.name for x in dataclasses.fields(claim)]
        if len(fields) != CLAIM_FIELDS:
            raise ValueError(f"{claim.__name__} has not the {CLAIM_FIELDS} fields grammar._claims gives")
        # made field by field where that is what Claim(...) does: object.__new__, then the dataclass __init__
        self.direct = claim.__new__ is object.__new__ and not hasattr(claim, "__post_init__") and \
            dataclasses.is_dataclass(claim) and not claim.__dataclass_params__.frozen
        self.claim_attrs = [_Attr(x) for x in fields]
        (self.c_frame, self.c_number, self.c_role, self.c_metric_token, self.c_metric_id, self.c_sign_token,
         self.c_as_written, self.c_in_list, self.c_list_len, self.c_respectively, self.c_list_qualifier) = \
            self.claim_attrs
        self.t_kind, self.t_clause, self.t_id, self.t_ref = _Attr("kind"), _Attr("clause"), _Attr("id"), _Attr("ref")
        self.t_start, self.t_i = _Attr("start"), _Attr("i")
        self.m_ignored, self.m_kind, self.m_text = _Attr("ignored"), _Attr("kind"), _Attr("text")
        self.m_qualifier, self.m_unit = _Attr("qualifier"), _Attr("unit")
        self.kinds = _Table(dict(_KINDS))
        self.num = _Table({key: _code_of(num.get(key)) | (SIGNABLE if key == "percent" else 0)
                           for key in {*num, "percent"}})
        self.family = _Table({key: _code_of(v) for key, v in family.items()})
        self.change = _Table({key: _code_of(v) | (DOUBLED if key == "doubled" else 0) for key, v in change.items()})
        codes = {key: _code_of(v) for key, v in simple.items() if v is not None}
        self.simple = _Table(codes)
        self.simple_entity = codes.get("entity", 0)
        self.simple_list = codes.get("list", 0)
        self.markets = markets
        self.signs = tuple(signs)
        self.replace = dataclasses.replace

    cdef object _claim(self, object frame, object number, object role, object metric_token, object metric_id,
                       object sign_token, object as_written, object in_list, object list_len, object respectively,
                       object list_qualifier):
        """Claim(...) as its dataclass __init__ makes it: object.__new__, then each field set in order."""
        if not self.direct:
            return self.claim_cls(frame, number, role, metric_token, metric_id, sign_token, as_written, in_list,
                                  list_len, respectively, list_qualifier)
        cdef PyObject* p = fr_new(self.claim_cls, self.empty)
        obj = <object> p
        Py_DECREF(obj)  # fr_new returned a new reference, which `obj` holds now
        self.c_frame.set(obj, frame)
        self.c_number.set(obj, number)
        self.c_role.set(obj, role)
        self.c_metric_token.set(obj, metric_token)
        self.c_metric_id.set(obj, metric_id)
        self.c_sign_token.set(obj, sign_token)
        self.c_as_written.set(obj, as_written)
        self.c_in_list.set(obj, in_list)
        self.c_list_len.set(obj, list_len)
        self.c_respectively.set(obj, respectively)
        self.c_list_qualifier.set(obj, list_qualifier)
        return obj

    cdef int _codes(self, object sent) except -1:
        """grammar.codes into ptok, chars, pcat and pvalue."""
        cdef list toks = sent.tokens
        cdef Py_ssize_t clause = 0, target, n, a, b
        cdef int c, cat, v
        cdef str br
        cdef char pc, value
        self.ptok.clear()
        self.chars.clear()
        self.pcat.clear()
        self.pvalue.clear()
        openers = None
        for t in toks:
            target = self.t_clause.get(t)
            while clause < target:
                clause += 1
                if openers is None:
                    openers = sent.openers
                br = openers[clause]  # br.strip() or ",": its last character opens, its first closes
                a, b = 0, len(br) - 1
                while a <= b and Py_UNICODE_ISSPACE(br[a]):
                    a += 1
                while b >= a and Py_UNICODE_ISSPACE(br[b]):
                    b -= 1
                if a <= b and (br[b] == u"(" or br[b] == u"\uff08"):
                    self.chars.push_back(C_OPEN)
                elif a <= b and (br[a] == u")" or br[a] == u"\uff09"):
                    self.chars.push_back(C_CLOSE)
                else:
                    self.chars.push_back(C_COMMA)
                self.ptok.push_back(NULL)
                self.pcat.push_back(P_BREAK)
                self.pvalue.push_back(0)
            kind = self.t_kind.get(t)
            cat = self.kinds.get(kind)
            c = 0
            pc, value = P_OTHER, 0
            if cat == K_NUM:
                pc, value = P_NUM, 1
                m = self.t_ref.get(t)
                if not self.m_ignored.get(m):
                    v = self.num.get(self.m_kind.get(m))
                    if v >= 0 and v & SIGNABLE and (<str?> self.m_text.get(m)).startswith(self.signs):
                        c = C_S
                    elif v > 0:
                        c = v & 255
            elif cat == K_METRIC:
                tid = self.t_id.get(t)
                c = self.family.get(tid)
                if c < 0:
                    raise KeyError(tid)
            elif cat == K_CHANGE:
                tid = self.t_id.get(t)
                v = self.change.get(tid)
                if v < 0:
                    raise KeyError(tid)
                c, pc, value = v & 255, P_CHANGE, 1 if v & DOUBLED else 0
            elif cat == K_GROWTH:
                c = C_W if self.t_id.get(t) == "up" else C_w
            elif cat == K_MARKET:
                c = C_K
            elif cat == K_ENTITY:
                c = C_K if self.t_id.get(t) in self.markets else self.simple_entity
            elif cat == K_LIST:
                c, pc = self.simple_list, P_LIST
            else:
                c = self.simple.get(kind)
            if c > 0:
                n = self.chars.size()
                if c != C_CLOSE and n >= 2 and self.chars[n - 2] == C_OPEN and self.chars[n - 1] == C_CLOSE:
                    for _ in range(2):
                        self.chars.pop_back()
                        self.ptok.pop_back()
                        self.pcat.pop_back()
                        self.pvalue.pop_back()
                self.chars.push_back(c)
                self.ptok.push_back(<PyObject*> t)
                self.pcat.push_back(pc)
                self.pvalue.push_back(value)
        return 0

    def codes(self, sent):
        """The sentence's code string, as grammar.codes(sent, text)[0] (for tests)."""
        self._codes(sent)
        return _as_str(self.chars, self.chars.size())

    cdef inline object _at(self, Py_ssize_t i):
        cdef PyObject* p = self.ptok[i]
        return None if p is NULL else <object> p

    cdef int _find(self, object only) except -1:
        """The hits of every frame the codes can match (`only`: of that frame id), in frame order, then start."""
        cdef Py_ssize_t n = self.chars.size(), i, j, k, pos, st, en, g
        cdef uint64_t lo = 0, hi = 0
        cdef _Frame fr
        cdef Pattern pat
        cdef Text T = None
        cdef FrHit h
        cdef bint ok, python
        cdef size_t nh, ns
        for i in range(n):
            if self.chars[i] < 64:
                lo |= (<uint64_t> 1) << self.chars[i]
            else:
                hi |= (<uint64_t> 1) << (self.chars[i] - 64)
        s = None
        self.hits.clear()
        self.spans.clear()
        for k in range(len(self.frames)):
            fr = <_Frame> self.frames[k]
            ok = True
            for j in range(fr.n_need):
                if not ((lo & fr.need_lo[j]) | (hi & fr.need_hi[j])):
                    ok = False
                    break
            if not ok or (only is not None and fr.id != only):
                continue
            if s is None:
                s = _as_str(self.chars, n)
            python = fr.native is None
            if not python:
                if T is None:
                    T = Text(s)
                pat = fr.native
                nh, ns = self.hits.size(), self.spans.size()
                pos = 0
                try:
                    while pos <= n:  # overlapped: the next search starts one past this match's start
                        st = pat.search(T, pos, n)
                        if st < 0:
                            break
                        en = pat.end(0)
                        if en > st:
                            h.neg_len, h.order, h.start = st - en, k, st
                            h.seq, h.spans = self.hits.size(), self.spans.size()
                            self.hits.push_back(h)
                            for g in range(fr.groups + 1):
                                self.spans.push_back(pat.start(g))
                                self.spans.push_back(pat.end(g))
                        pos = st + 1
                except RuntimeError:  # a PCRE2 error (a resource limit) on this sentence: the regex module's turn
                    self.hits.resize(nh)
                    self.spans.resize(ns)
                    python = True
            if python:
                for mo in fr.pattern.finditer(s, overlapped=True):
                    st, en = mo.start(), mo.end()
                    if en > st:
                        h.neg_len, h.order, h.start, h.seq, h.spans = st - en, k, st, self.hits.size(), self.spans.size()
                        self.hits.push_back(h)
                        for g in range(fr.groups + 1):
                            a, b = mo.span(g)
                            self.spans.push_back(a)
                            self.spans.push_back(b)
        return 0

    def found(self, sent, only=None):
        """(frame order, every group's (start, end)) of each hit, as found (for tests)."""
        cdef FrHit h
        cdef _Frame fr
        self._codes(sent)
        self._find(only)
        out = []
        for h in self.hits:
            fr = <_Frame> self.frames[h.order]
            out.append((h.order, tuple((self.spans[h.spans + 2 * g], self.spans[h.spans + 2 * g + 1])
                                       for g in range(fr.groups + 1))))
        return out

    def match(self, sent, text, only=None):
        """grammar.match(sent, text, only)."""
        cdef Py_ssize_t n, i, j, st, en, base, nv, last
        cdef _Frame fr
        cdef _Spec sp
        cdef FrHit h
        cdef FrKey key
        cdef bint ok, respectively
        cdef char am
        cdef PyObject* mt
        cdef list out = []
        cdef list tokens = sent.tokens  # held: ptok borrows its items
        self._codes(sent)
        self._find(only)
        n = self.chars.size()
        if self.hits.empty():
            return out
        fr_sort_hits(self.hits)
        self.taken.assign(n, 0)
        self.numbers.clear()
        self.metrics.clear()
        self.amounts.clear()
        for h in self.hits:
            en = h.start - h.neg_len
            ok = True
            for i in range(h.start, en):
                if self.pvalue[i] and self.taken[i]:
                    ok = False
                    break
            if not ok:
                continue
            for i in range(h.start, en):
                if self.pvalue[i]:
                    self.taken[i] = 1
            fr = <_Frame> self.frames[h.order]
            base = h.spans
            for spo in fr.specs:  # grammar._claims
                sp = <_Spec> spo
                st, en = self.spans[base + 2 * sp.value_g], self.spans[base + 2 * sp.value_g + 1]
                if st < 0:
                    continue
                self.vals.clear()
                respectively = False
                for i in range(st, en):
                    if self.pcat[i] == P_NUM or self.pcat[i] == P_CHANGE:
                        self.vals.push_back(i)
                    elif self.pcat[i] == P_LIST:
                        respectively = True
                mt = NULL
                if sp.metric_g >= 0 and self.spans[base + 2 * sp.metric_g] >= 0:
                    mt = self.ptok[self.spans[base + 2 * sp.metric_g]]
                metric_token = None if mt is NULL else <object> mt
                sign_token = None
                if sp.sign_g >= 0 and self.spans[base + 2 * sp.sign_g] >= 0:
                    sign_token = self._at(self.spans[base + 2 * sp.sign_g])
                nv = self.vals.size()
                tail = None
                if nv:
                    last = self.vals[nv - 1]
                    if self.pcat[last] == P_NUM:
                        tail = self.m_qualifier.get(self.t_ref.get(<object> self.ptok[last]))
                shared = tail if nv > 1 and not (tail is None or tail == "exact") else None
                for j in range(nv):
                    out.append(self._claim(fr.id, <object> self.ptok[self.vals[j]], sp.role, metric_token,
                                           sp.metric_id, sign_token, sp.as_written, None if nv == 1 else j, nv,
                                           respectively, shared))
                    self.numbers.push_back(self.ptok[self.vals[j]])
                    self.metrics.push_back(mt)
                    am = 1 if sp.amount and self.pcat[self.vals[j]] == P_NUM else 0
                    self.amounts.push_back(am)
        if not out:
            return out
        self._translations(sent, tokens, out)
        self.keys.clear()
        for i in range(len(out)):
            key.start, key.seq = self.t_start.get(<object> self.numbers[i]), i
            self.keys.push_back(key)
        fr_sort_keys(self.keys)
        return [out[key.seq] for key in self.keys]

    cdef int _translations(self, object sent, list toks, list out) except -1:
        """grammar.translations: (about 35 billion dollars) right after an amount is the same figure in another
        currency; its claims are appended to out (and their numbers to self.numbers)."""
        cdef FrIdSet claimed
        cdef bint filled = False, bracket
        cdef Py_ssize_t j, i, made = len(out)
        for j in range(made):
            if not self.amounts[j]:  # c.role != "amount" or c.number.kind != "num"
                continue
            number = <object> self.numbers[j]
            ref = self.t_ref.get(number)
            if self.m_kind.get(ref) != "money":
                continue
            if self.metrics[j] is not NULL and self.t_id.get(<object> self.metrics[j]) not in _REVENUES:
                continue
            i = self.t_i.get(number)
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is None or self.t_kind.get(nxt) != "num":
                continue
            nref = self.t_ref.get(nxt)
            if self.m_kind.get(nref) != "money":
                continue
            if not filled:
                for k in range(made):
                    claimed.insert(self.numbers[k])
                filled = True
            if claimed.count(<PyObject*> nxt) or not self.m_unit.get(nref) != self.m_unit.get(ref) or \
                    not self.t_clause.get(nxt) == self.t_clause.get(number) + 1:
                continue
            openers = sent.openers[self.t_clause.get(nxt)]
            bracket = False
            for ch in _OPEN:
                if ch in openers:
                    bracket = True
                    break
            if bracket:
                out.append(self.replace(out[j], frame="amount.translation", number=nxt, in_list=None, list_len=1))
                self.numbers.push_back(<PyObject*> nxt)
                claimed.insert(<PyObject*> nxt)
        return 0


cdef inline str _as_str(vector[uint32_t]& chars, Py_ssize_t n):
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, chars.data(), n)
