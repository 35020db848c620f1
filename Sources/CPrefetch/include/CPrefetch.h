#ifndef ASYNCPLAY_CPREFETCH_H
#define ASYNCPLAY_CPREFETCH_H

/// Asks the CPU to start loading the cache lines at `p` (a hint: no fault, no effect on
/// what the program computes). Swift has no prefetch of its own; the loop uses this to
/// overlap the cache misses of the next ready callback with the running one.
static inline void asyncplay_prefetch(const void *p, int lines) {
    const char *c = (const char *)p;
    for (int i = 0; i < lines; i++) {
        __builtin_prefetch(c + 64 * i);
    }
}

#endif
