from libc.stdint cimport uint32_t

from extractors.native.pcre2 cimport pcre2_code_32, pcre2_match_context_32, pcre2_match_data_32


cdef class Text:
    cdef Py_UCS4* buf
    cdef bint owned
    cdef readonly Py_ssize_t n
    cdef readonly str text


cdef class Pattern:
    cdef pcre2_code_32* code  # unanchored, for search
    cdef pcre2_code_32* anchored  # the same pattern compiled anchored, so match runs JIT-compiled too
    cdef pcre2_match_data_32* md
    cdef size_t* ov
    cdef readonly str source
    cdef readonly dict groupindex
    cdef readonly int groups
    cdef int _run(self, pcre2_code_32* code, Text t, Py_ssize_t pos, Py_ssize_t endpos, uint32_t options=*) except -2
    cdef Py_ssize_t match(self, Text t, Py_ssize_t pos, Py_ssize_t endpos) except -2
    cdef Py_ssize_t search(self, Text t, Py_ssize_t pos, Py_ssize_t endpos) except -2
    cdef Py_ssize_t next(self, Text t, Py_ssize_t pos, Py_ssize_t endpos, bint after_empty) except -2
    cdef Py_ssize_t start(self, int g)
    cdef Py_ssize_t end(self, int g)


cdef pcre2_match_context_32* match_context()  # no match limits, a JIT stack that grows: pass it to every match
