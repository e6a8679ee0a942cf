# cython: language_level=3, boundscheck=False, wraparound=False
"""PCRE2 over a str's code points: the regex engine of the native kernels.

A pattern is taken only when it reads as Python's `re` reads it (extractors/native/dialect.py); the
subject is the str as UCS4 code units, PCRE2 in non-UTF mode with Unicode properties, so every offset is
the str's own index and lone surrogates are ordinary characters. Each pattern is JIT-compiled twice,
unanchored for search and anchored for match (PCRE2's JIT does not take ANCHORED at match time).
"""
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport uint32_t

from extractors.native.pcre2 cimport *

from extractors.native import dialect

Unsupported = dialect.Unsupported


cdef extern from "Python.h":
    Py_UCS4* PyUnicode_AsUCS4Copy(object) except NULL
    int PyUnicode_KIND(object)
    void* PyUnicode_DATA(object)
    int PyUnicode_4BYTE_KIND


# Python's engines set no limit on a match: neither does this one (the batch's watchdog bounds a document).
# One JIT stack of up to 256 MiB, grown as needed, for every pattern: a long run of a repeated group needs it.
cdef pcre2_match_context_32* _CONTEXT = pcre2_match_context_create_32(NULL)
pcre2_jit_stack_assign_32(_CONTEXT, NULL, pcre2_jit_stack_create_32(32 * 1024, 256 * 1024 * 1024, NULL))
pcre2_set_match_limit_32(_CONTEXT, 0xFFFFFFFF)
pcre2_set_depth_limit_32(_CONTEXT, 0xFFFFFFFF)
pcre2_set_heap_limit_32(_CONTEXT, 0xFFFFFFFF)


cdef pcre2_match_context_32* match_context():
    return _CONTEXT


cdef class Text:
    """A str as code points, made once per text and shared by every pattern run over it."""

    def __cinit__(self, str text):
        self.text = text
        self.n = len(text)
        if PyUnicode_KIND(text) == PyUnicode_4BYTE_KIND:
            self.buf = <Py_UCS4*> PyUnicode_DATA(text)
            self.owned = False
        else:
            self.buf = PyUnicode_AsUCS4Copy(text)
            self.owned = True

    def __dealloc__(self):
        if self.owned and self.buf is not NULL:
            PyMem_Free(self.buf)


cdef pcre2_code_32* _compile(list units, uint32_t options, str source) except NULL:
    cdef Py_ssize_t n = len(units), i
    cdef uint32_t* pat = <uint32_t*> PyMem_Malloc((n + 1) * sizeof(uint32_t))
    cdef int err = 0
    cdef size_t off = 0
    cdef uint32_t msg[256]
    cdef pcre2_compile_context_32* ctx = pcre2_compile_context_create_32(NULL)
    cdef pcre2_code_32* code
    try:
        for i in range(n):
            pat[i] = units[i]
        pcre2_set_newline_32(ctx, PCRE2_NEWLINE_LF)
        code = pcre2_compile_32(pat, n, options | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C, &err, &off, ctx)
    finally:
        PyMem_Free(pat)
        pcre2_compile_context_free_32(ctx)
    if code is NULL:
        pcre2_get_error_message_32(err, msg, 256)
        text = "".join(chr(msg[i]) for i in range(256) if msg[i]).split("\x00")[0]
        raise Unsupported(f"PCRE2 does not compile {source!r}: {text} at {off}")
    pcre2_jit_compile_32(code, PCRE2_JIT_COMPLETE)  # when JIT is unavailable the interpreter runs: same matches
    return code



cdef class Pattern:
    def __cinit__(self, str source, int flags=0):
        spelled, options = dialect.to_pcre2(source, flags)
        reference = dialect.checked(source, flags)[1]  # its groups
        units = [ord(c) for c in spelled]
        self.source = source
        self.groupindex = dict(reference.groupindex)
        self.groups = reference.groups
        self.code = _compile(units, options, source)
        self.anchored = _compile(units, options | PCRE2_ANCHORED, source)
        cdef uint32_t count = 0
        pcre2_pattern_info_32(self.code, PCRE2_INFO_CAPTURECOUNT, &count)
        if count != <uint32_t> self.groups:
            raise Unsupported(f"{source!r}: PCRE2 counts {count} groups, Python {self.groups}")
        self.md = pcre2_match_data_create_from_pattern_32(self.code, NULL)
        self.ov = pcre2_get_ovector_pointer_32(self.md)

    def __dealloc__(self):
        if self.md is not NULL:
            pcre2_match_data_free_32(self.md)
        if self.code is not NULL:
            pcre2_code_free_32(self.code)
        if self.anchored is not NULL:
            pcre2_code_free_32(self.anchored)

    cdef int _run(self, pcre2_code_32* code, Text t, Py_ssize_t pos, Py_ssize_t endpos, uint32_t options=0) except -2:
        if endpos > t.n:
            endpos = t.n
        if pos > endpos:
            return 0
        cdef int rc = pcre2_match_32(code, <PCRE2_SPTR32> t.buf, endpos, pos, options | PCRE2_NO_UTF_CHECK, self.md,
                                     _CONTEXT)
        if rc == PCRE2_ERROR_NOMATCH:
            return 0
        if rc < 0:
            raise RuntimeError(f"PCRE2 error {rc} matching {self.source!r}")
        return 1

    cdef Py_ssize_t match(self, Text t, Py_ssize_t pos, Py_ssize_t endpos) except -2:
        if self._run(self.anchored, t, pos, endpos):
            return <Py_ssize_t> self.ov[1]
        return -1

    cdef Py_ssize_t search(self, Text t, Py_ssize_t pos, Py_ssize_t endpos) except -2:
        if self._run(self.code, t, pos, endpos):
            return <Py_ssize_t> self.ov[0]
        return -1

    cdef Py_ssize_t next(self, Text t, Py_ssize_t pos, Py_ssize_t endpos, bint after_empty) except -2:
        """As search, for re.finditer's next match: after an empty match at pos, only a non-empty one may
        start there (then the search goes on from pos + 1)."""
        if after_empty:
            if self._run(self.anchored, t, pos, endpos, PCRE2_NOTEMPTY_ATSTART):
                return <Py_ssize_t> self.ov[0]
            pos += 1
        return self.search(t, pos, endpos)

    def finditer_spans(self, Text t, Py_ssize_t pos=0, Py_ssize_t endpos=-1):
        """The (start, end) of re.finditer's matches, with every group's span: [(span0, span1, ...), ...]."""
        cdef Py_ssize_t end = t.n if endpos < 0 else min(endpos, t.n), start
        cdef bint empty = False
        out = []
        while pos <= end:
            start = self.next(t, pos, end, empty)
            if start < 0:
                break
            out.append(tuple(self.spans()))
            pos, empty = self.end(0), self.end(0) == start
        return out

    cdef Py_ssize_t start(self, int g):
        cdef size_t v = self.ov[2 * g]
        return -1 if v == PCRE2_UNSET else <Py_ssize_t> v

    cdef Py_ssize_t end(self, int g):
        cdef size_t v = self.ov[2 * g + 1]
        return -1 if v == PCRE2_UNSET else <Py_ssize_t> v

    def spans(self):
        """The (start, end) of every group of the last match, (-1, -1) for one that took no part."""
        return [(self.start(g), self.end(g)) for g in range(self.groups + 1)]

    def py_match(self, Text t, Py_ssize_t pos=0, Py_ssize_t endpos=-1):
        end = self.match(t, pos, t.n if endpos < 0 else endpos)
        return None if end < 0 else (self.start(0), end)

    def py_search(self, Text t, Py_ssize_t pos=0, Py_ssize_t endpos=-1):
        start = self.search(t, pos, t.n if endpos < 0 else endpos)
        return None if start < 0 else (start, self.end(0))


def compile(str pattern, int flags=0) -> Pattern:
    """The pattern on PCRE2; Unsupported when only another engine reads it as Python does."""
    return Pattern(pattern, flags)
