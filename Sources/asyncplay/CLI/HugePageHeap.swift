import CHugePageHeap

/// A big script keeps every task it spawns until the end: the heap grows by hundreds of
/// MB, one 4 KB page fault at a time (a fifth of a 100k-task run's time). Before such a
/// run the heap is grown once, to about what the run will use, and that memory is marked
/// for transparent huge pages: one fault per 2 MB (see CHugePageHeap.c). glibc does the
/// same with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, but reads it only from the
/// environment at start-up. Where that is not possible nothing changes.
enum HugePageHeap {
    /// Heap per byte of script: a million-line script of 19-byte `spawn` lines peaked at
    /// 291 MB, about 15 bytes of heap per byte of script.
    static let heapPerScriptByte = 16
    /// Smaller runs are left alone: a few thousand page faults are not worth it.
    static let smallestReservation = 16 << 20
    static let largestReservation = 4 << 30

    static func prepare(scriptBytes: Int) {
        let (want, overflow) = scriptBytes.multipliedReportingOverflow(by: heapPerScriptByte)
        guard !overflow, want >= smallestReservation else { return }
        _ = asyncplay_reserve_huge_page_heap(min(want, largestReservation))
    }
}
