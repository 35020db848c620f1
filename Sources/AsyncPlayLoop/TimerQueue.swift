import AsyncPlayCore
import HeapModule

/// The loop's timers, handed out in (deadline, scheduling order), as CPython's heap of
/// TimerHandles is (`heapq` over `TimerHandle.__lt__`, `when` first). CPython breaks ties
/// by whatever order the heap happens to leave; the SPEC pins ties to scheduling order,
/// which is what a real clock gives (no two deadlines are ever exactly equal), so every
/// entry carries the order it was pushed in. A timer is a future's handle: the heap holds
/// plain values.
struct TimerQueue {
    private struct Entry: Comparable {
        let deadline: Int64
        /// Push order: sequence numbers only grow, so equal deadlines pop first-in first-out.
        let sequence: UInt64
        let timer: Future

        static func < (a: Entry, b: Entry) -> Bool {
            a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
        }
        static func == (a: Entry, b: Entry) -> Bool {
            a.deadline == b.deadline && a.sequence == b.sequence
        }
    }

    private var heap = Heap<Entry>()
    private var pushes: UInt64 = 0

    /// How many timers are in the queue (cancelled ones included, as in CPython's heap).
    var count: Int { heap.count }

    /// The head's deadline (µs).
    var firstDeadline: Int64? { heap.min?.deadline }
    var first: Future? { heap.min?.timer }

    /// Queues `t` to fire at `deadline` (µs).
    mutating func push(_ t: Future, deadline: Int64) {
        heap.insert(Entry(deadline: deadline, sequence: pushes, timer: t))
        pushes &+= 1
    }

    mutating func pop() -> Future? { heap.popMin()?.timer }

    /// Drops every timer for which `isCancelled` holds at once (`BaseEventLoop._run_once`'s
    /// clean-up when more than half the heap is cancelled), handing each to `removed`; the
    /// others keep their places, ties included (their sequence numbers are kept).
    mutating func removeCancelled(_ isCancelled: (Future) -> Bool, _ removed: (Future) -> Void) {
        var survivors: [Entry] = []
        survivors.reserveCapacity(heap.count)
        for e in heap.unordered {
            if isCancelled(e.timer) { removed(e.timer) } else { survivors.append(e) }
        }
        heap = Heap(survivors)
    }
}
