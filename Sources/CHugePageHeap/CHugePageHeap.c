#include "CHugePageHeap.h"

#include <stdint.h>
#include <stdlib.h>     // defines __GLIBC__ on glibc

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>

enum {
    huge_page = 2 << 20,
    // glibc's mmap threshold can be raised to 32 MB at most: requests of this size then
    // come from the heap (sbrk), one after the other.
    piece = 30 << 20,
    most_pieces = 256,
};

size_t asyncplay_reserve_huge_page_heap(size_t bytes) {
    // Big requests from the heap, and memory freed into it stays (not trimmed).
    if (!mallopt(M_MMAP_THRESHOLD, piece + huge_page)) return 0;
    if (!mallopt(M_TRIM_THRESHOLD, bytes > INT32_MAX / 2 ? INT32_MAX : (int)(2 * bytes))) return 0;
    void *pieces[most_pieces];
    int count = 0;
    for (size_t total = 0; total < bytes && count < most_pieces; total += piece) {
        void *p = malloc(piece);
        if (!p) break;
        pieces[count++] = p;
    }
    if (count == 0) return 0;
    uintptr_t low = (uintptr_t)pieces[0], high = (uintptr_t)pieces[0] + piece;
    for (int i = 1; i < count; i++) {
        uintptr_t p = (uintptr_t)pieces[i];
        if (p < low) low = p;
        if (p + piece > high) high = p + piece;
    }
    // Consecutive heap pieces: advise the 2 MB-aligned span they cover together.
    uintptr_t start = (low + huge_page - 1) & ~(uintptr_t)(huge_page - 1);
    uintptr_t end = high & ~(uintptr_t)(huge_page - 1);
    size_t advised = 0;
    if (end > start && high - low <= (size_t)count * (piece + 4096)
        && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0) {
        advised = end - start;
    }
    // Back to malloc, newest first: they merge into the heap's free top.
    for (int i = count - 1; i >= 0; i--) free(pieces[i]);
    return advised;
}

#else

size_t asyncplay_reserve_huge_page_heap(size_t bytes) {
    (void)bytes;
    return 0;
}

#endif
