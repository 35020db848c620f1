import XCTest
import AsyncPlay
@testable import AsyncPlayLoop

/// The loop's timer queue hands timers out exactly as a heap keyed by (deadline,
/// scheduling order) would: checked against a sorted reference over random pushes and
/// pops interleaved, with repeated and distinct deadlines, and cancelled timers dropped.
final class TimerQueueTests: XCTestCase {
    
    private struct Reference {
        var items: [(deadline: Int64, order: Int, timer: Future)] = []
        mutating func pop() -> Future? {
            guard let i = items.indices.min(by: { (items[$0].deadline, items[$0].order) < (items[$1].deadline, items[$1].order) })
            else { return nil }
            return items.remove(at: i).timer
        }
    }

    func testPopsInDeadlineThenSchedulingOrder() {
        var rng = SplitMix(seed: 7)
        for round in 0..<8 {
            var queue = TimerQueue()
            var reference = Reference()
            var order = 0
            // Few distinct deadlines in some rounds (big buckets), many in others.
            let spread = round % 2 == 0 ? 5 : 10_000
            for _ in 0..<2000 {
                if rng.next() % 3 != 0 {
                    let deadline = Int64(rng.next() % UInt64(spread))
                    let t = Future(order)
                    queue.push(t, deadline: deadline)
                    reference.items.append((deadline, order, t))
                    order += 1
                } else {
                    XCTAssertEqual(queue.firstDeadline, reference.items.map(\.deadline).min())
                    let expected = reference.pop()
                    XCTAssertEqual(queue.pop(), expected, "round \(round)")
                }
                XCTAssertEqual(queue.count, reference.items.count)
            }
            while let expected = reference.pop() { XCTAssertEqual(queue.pop(), expected) }
            XCTAssertNil(queue.pop())
            XCTAssertNil(queue.firstDeadline)
        }
    }

    func testRemoveCancelledKeepsTheOrderOfTheRest() {
        var rng = SplitMix(seed: 11)
        var queue = TimerQueue()
        var reference = Reference()
        for order in 0..<3000 {
            let deadline = Int64(rng.next() % 40)
            let t = Future(order)
            queue.push(t, deadline: deadline)
            reference.items.append((deadline, order, t))
        }
        var cancelled = Set<Future>()
        for (_, _, t) in reference.items where rng.next() % 2 == 0 { cancelled.insert(t) }
        var removed = 0
        queue.removeCancelled({ cancelled.contains($0) }) { t in XCTAssertTrue(cancelled.contains(t)); removed += 1 }
        reference.items.removeAll { cancelled.contains($0.timer) }
        XCTAssertEqual(queue.count, reference.items.count)
        XCTAssertEqual(removed + queue.count, 3000)
        XCTAssertFalse(queue.first.map(cancelled.contains) ?? false)
        // Timers pushed after the clean-up go behind the survivors of the same deadline.
        for order in 3000..<3100 {
            let deadline = Int64(rng.next() % 40)
            let t = Future(order)
            queue.push(t, deadline: deadline)
            reference.items.append((deadline, order, t))
        }
        while let expected = reference.pop() { XCTAssertEqual(queue.pop(), expected) }
        XCTAssertNil(queue.pop())
    }
}

/// A small deterministic generator (tests must not depend on the system's randomness).
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
