# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The line pass of extractors/text/normalize.py `normalize` (after the body is folded): portal chrome cut or
dropped, repeated paragraphs dropped, pinyin and mojibake fixed, with the pieces of the map back to the body.
normalize.py's own loop is the reference (tests/test_native_normalize.py)."""
from cpython.unicode cimport Py_UNICODE_ISSPACE
from libc.stdint cimport uint32_t
from libcpp.vector cimport vector

from extractors.native.regex32 cimport Pattern, Text


cdef extern from *:
    """
    #include <algorithm>
    #include <map>
    #include <string>
    #include <vector>
    /* normalize._Seen: a line repeats one read before when it equals it or is its truncated head. */
    struct Seen {
        size_t min_chars = 0;
        std::map<std::u32string, std::vector<std::u32string>> buckets;
        bool repeated(const uint32_t* s, size_t n) {
            if (n < min_chars) return false;
            std::u32string key(reinterpret_cast<const char32_t*>(s), n);
            std::vector<std::u32string>& b = buckets[key.substr(0, min_chars)];
            auto it = std::lower_bound(b.begin(), b.end(), key);
            if (it != b.end() && it->size() >= n && it->compare(0, n, key) == 0) return true;
            b.insert(it, key);
            return false;
        }
    };
    """
    cppclass Seen:
        size_t min_chars
        bint repeated(const uint32_t* s, size_t n)


cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


cdef class _Out:
    """The normalized text and its map's pieces, as normalize.OffsetMap holds them."""
    cdef vector[uint32_t] chars
    cdef list n_starts, pieces

    def __cinit__(self):
        self.n_starts, self.pieces = [], []

    cdef inline void add(self, Py_ssize_t n, Py_ssize_t a, Py_ssize_t b, bint linear):
        self.n_starts.append(n)
        self.pieces.append((a, b, linear))

    cdef inline void copy(self, const Py_UCS4* s, Py_ssize_t a, Py_ssize_t b):
        cdef Py_ssize_t i
        for i in range(a, b):
            self.chars.push_back(s[i])


def clean(str body, Py_ssize_t origin, Pattern chrome, int cut_group, Pattern fix, list reps, Py_ssize_t min_repeat):
    """(text, n_starts, pieces, dropped lines) of normalize's line pass over the folded body; `reps[g]` is the
    replacement of fix's alternative group g."""
    cdef Text t = Text(body)
    cdef const Py_UCS4* s = t.buf
    cdef Py_ssize_t size = t.n, cut_at = size + 1, p, e, start
    cdef bint empty = False
    drops = set()
    p = 0
    while p <= size:  # chrome.finditer: a cut line ends the text, a dropped one goes
        start = chrome.next(t, p, size, empty)
        if start < 0:
            break
        if chrome.start(cut_group) >= 0:
            cut_at = start
            break
        drops.add(start)
        e = chrome.end(0)
        p, empty = e, e == start
    cdef vector[Py_ssize_t] f_start, f_end
    cdef list f_rep = []
    cdef Py_ssize_t fix_end = min(cut_at, size), g
    p, empty = 0, False
    while p <= fix_end:
        start = fix.next(t, p, fix_end, empty)
        if start < 0:
            break
        e = fix.end(0)
        f_start.push_back(start)
        f_end.push_back(e)
        for g in range(1, len(reps)):
            if reps[g] is not None and fix.start(g) >= 0:
                f_rep.append(reps[g])
                break
        else:
            raise RuntimeError("a fix matched no alternative")
        p, empty = e, e == start
    return _lines(s, size, origin, cut_at, drops, f_start, f_end, f_rep, min_repeat)


cdef tuple _lines(const Py_UCS4* s, Py_ssize_t size, Py_ssize_t origin, Py_ssize_t cut_at, set drops,
                  vector[Py_ssize_t]& f_start, vector[Py_ssize_t]& f_end, list f_rep, Py_ssize_t min_repeat):
    cdef _Out out = _Out()
    cdef Seen seen
    seen.min_chars = min_repeat
    cdef Py_ssize_t n = 0, dropped = 0, pos = 0, k = 0, run = 0, run_end = 0, nfix = f_start.size()
    cdef Py_ssize_t o_line, line_end, content_end, a, b, i, j, h0, h1, rep_len
    cdef bint ends_nl = size > 0 and s[size - 1] == 10
    cdef str rep
    while True:
        o_line = pos
        line_end = o_line
        while line_end < size and s[line_end] != 10:
            line_end += 1
        pos = line_end + 1
        if o_line >= size:
            break  # nothing after the last \n
        if o_line >= cut_at:
            for i in range(o_line, size):
                dropped += s[i] == 10
            dropped += not ends_nl
            break
        content_end = line_end
        while content_end > o_line and s[content_end - 1] == 13:
            content_end -= 1
        a, b = o_line, content_end
        while a < b and Py_UNICODE_ISSPACE(s[a]):
            a += 1
        while b > a and Py_UNICODE_ISSPACE(s[b - 1]):
            b -= 1
        if o_line in drops or seen.repeated(<const uint32_t*> s + a, b - a):
            dropped += 1
            continue
        while k < nfix and f_start[k] < o_line:
            k += 1  # in a dropped line
        h0 = k
        while k < nfix and f_start[k] < content_end:
            k += 1
        h1 = k
        if h0 == h1 and pos <= size and content_end == line_end:  # copied as it is, with its \n
            if run_end != o_line:
                if run_end > run:
                    out.add(n, origin + run, origin + run_end, True)
                    out.copy(s, run, run_end)
                    n += run_end - run
                run = o_line
            run_end = pos
            continue
        if run_end > run:
            out.add(n, origin + run, origin + run_end, True)
            out.copy(s, run, run_end)
            n += run_end - run
        run = run_end = pos
        i = o_line
        for j in range(h0, h1):
            if f_start[j] > i:
                out.add(n, origin + i, origin + f_start[j], True)
                out.copy(s, i, f_start[j])
                n += f_start[j] - i
            rep = f_rep[j]
            rep_len = len(rep)
            if rep_len:
                out.add(n, origin + f_start[j], origin + f_end[j], False)
                for ch in rep:
                    out.chars.push_back(ord(ch))
                n += rep_len
            i = f_end[j]
        out.add(n, origin + i, origin + min(pos, size), True)
        out.copy(s, i, content_end)
        out.chars.push_back(10)
        n += content_end - i + 1
    if run_end > run:
        out.add(n, origin + run, origin + run_end, True)
        out.copy(s, run, run_end)
        n += run_end - run
    out.add(n, origin + size, origin + size, True)  # sentinel for end positions
    text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out.chars.data(), out.chars.size())
    return text, out.n_starts, out.pieces, dropped
