# The 32-bit PCRE2 API (libpcre2-32): one code unit per code point, so offsets are Python str indices.
from libc.stdint cimport uint32_t


cdef extern from *:
    """
    #define PCRE2_CODE_UNIT_WIDTH 32
    #include <pcre2.h>
    """
    ctypedef struct pcre2_code_32:
        pass
    ctypedef struct pcre2_match_data_32:
        pass
    ctypedef struct pcre2_compile_context_32:
        pass
    ctypedef struct pcre2_general_context_32:
        pass
    ctypedef struct pcre2_match_context_32:
        pass
    ctypedef struct pcre2_jit_stack_32:
        pass
    ctypedef const uint32_t* PCRE2_SPTR32

    uint32_t PCRE2_ANCHORED, PCRE2_UCP, PCRE2_CASELESS, PCRE2_MULTILINE, PCRE2_DOTALL, PCRE2_EXTENDED
    uint32_t PCRE2_NOTEMPTY_ATSTART, PCRE2_NEVER_BACKSLASH_C, PCRE2_NO_UTF_CHECK, PCRE2_NEWLINE_LF, PCRE2_JIT_COMPLETE
    uint32_t PCRE2_INFO_CAPTURECOUNT
    int PCRE2_ERROR_NOMATCH
    size_t PCRE2_UNSET

    pcre2_compile_context_32* pcre2_compile_context_create_32(pcre2_general_context_32*)
    int pcre2_set_newline_32(pcre2_compile_context_32*, uint32_t)
    void pcre2_compile_context_free_32(pcre2_compile_context_32*)
    pcre2_code_32* pcre2_compile_32(PCRE2_SPTR32, size_t, uint32_t, int*, size_t*, pcre2_compile_context_32*)
    void pcre2_code_free_32(pcre2_code_32*)
    int pcre2_jit_compile_32(pcre2_code_32*, uint32_t)
    int pcre2_pattern_info_32(const pcre2_code_32*, uint32_t, void*)
    pcre2_match_data_32* pcre2_match_data_create_from_pattern_32(const pcre2_code_32*, pcre2_general_context_32*)
    void pcre2_match_data_free_32(pcre2_match_data_32*)
    size_t* pcre2_get_ovector_pointer_32(pcre2_match_data_32*)
    int pcre2_match_32(const pcre2_code_32*, PCRE2_SPTR32, size_t, size_t, uint32_t, pcre2_match_data_32*,
                       pcre2_match_context_32*) nogil
    int pcre2_dfa_match_32(const pcre2_code_32*, PCRE2_SPTR32, size_t, size_t, uint32_t, pcre2_match_data_32*,
                           pcre2_match_context_32*, int*, size_t) nogil
    int pcre2_get_error_message_32(int, uint32_t*, size_t)
    pcre2_match_context_32* pcre2_match_context_create_32(pcre2_general_context_32*)
    pcre2_jit_stack_32* pcre2_jit_stack_create_32(size_t, size_t, pcre2_general_context_32*)
    void pcre2_jit_stack_assign_32(pcre2_match_context_32*, void*, void*)
    int pcre2_set_match_limit_32(pcre2_match_context_32*, uint32_t)
    int pcre2_set_depth_limit_32(pcre2_match_context_32*, uint32_t)
    int pcre2_set_heap_limit_32(pcre2_match_context_32*, uint32_t)
