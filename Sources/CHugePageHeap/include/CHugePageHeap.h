#ifndef ASYNCPLAY_CHUGEPAGEHEAP_H
#define ASYNCPLAY_CHUGEPAGEHEAP_H

#include <stddef.h>

/// Grows the malloc heap by about `bytes` now, marks that memory for transparent huge
/// pages and hands it back to malloc, which carves later allocations from it. Returns
/// how many bytes were advised (0: nothing done: not glibc, or a step was refused).
/// Only virtual memory is reserved: pages are still faulted in when first written.
size_t asyncplay_reserve_huge_page_heap(size_t bytes);

#endif
