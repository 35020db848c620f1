import XCTest
@testable import AsyncPlayCore
@testable import AsyncPlayLoop

/// A driver for loop-level tests: each task's coroutine is a closure over the loop,
/// numbered by its place in `coroutines`; it also records the done-callbacks it gets.
final class LoopTestDriver: TaskDriver {
    typealias Step = (_ task: Task, _ thrown: PyException?, _ loop: EventLoop) -> Suspension
    var coroutines: [Step] = []
    var log: [String] = []

    /// Creates and starts a task whose coroutine is `step`.
    func spawn(_ loop: EventLoop, _ name: String, _ step: @escaping Step) -> Task {
        coroutines.append(step)
        let task = loop.createTask(name: name, coroutine: Int32(coroutines.count - 1))
        loop.start(task)
        return task
    }

    func resume(_ task: Task, coroutine: Int32, thrown: PyException?, awaited: Future?, on loop: EventLoop) -> Suspension {
        coroutines[Int(coroutine)](task, thrown, loop)
    }
    func futureDone(_ future: Future, tag: Int32, on loop: EventLoop) { log.append("callback \(tag)") }
    func threadJob(_ job: ThreadJob, changedTo state: ThreadJob.State, at t: Instant, on loop: EventLoop) {}
    func loopIsIdle(_ loop: EventLoop) -> Bool { false }
    func loopStalled(_ loop: EventLoop) -> Bool { false }
    func willRun(_ handle: Handle, at t: Instant, lateBy: TimeAmount?, on loop: EventLoop) {}

    /// Runs the loop until `done()` holds (at most 1,000 iterations).
    func run(_ loop: EventLoop, until done: () -> Bool) {
        var iterations = 0
        while !done() {
            loop.runOnce(self)
            iterations += 1
            XCTAssertLessThan(iterations, 1000, "the loop did not finish")
            if iterations >= 1000 { return }
        }
    }
}
