import XCTest
import AsyncPlay

/// What asyncio does, one behaviour per test, in the manner of CPython's test_asyncio
/// (test_tasks.py, test_futures.py, test_base_events.py): each runs a few lines on the
/// virtual clock and reads the transcript. The oracle fixtures check the same machinery
/// against CPython itself; these say, in words, what each primitive promises.
final class AsyncioSemanticsTests: XCTestCase {
    /// The transcript of `script`, a line each.
    private func run(_ script: String) -> [String] {
        let (output, exitCode, errors) = Fixtures.run(script)
        XCTAssertEqual(errors, "", script)
        XCTAssertEqual(exitCode, 0, script)
        return output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    // MARK: Task (tasks.py)

    func testATaskCancelledBeforeItStartsNeverRunsAStep() {
        let lines = run("spawn A 1s; cancel A\ngather A return_exceptions\n")
        XCTAssertFalse(lines.contains("  [0.000] A started"))
        XCTAssertEqual(Array(lines.prefix(4)), [">>> spawn A 1s; cancel A", "  [0.000] A created", "True", "  [0.000] A cancelled"])
        XCTAssertEqual(lines.last, "[CancelledError('')]")
    }

    func testCreateTaskSchedulesButDoesNotRunUntilMainYields() {
        // `;` joins commands with no yield: A is still pending when status runs.
        let lines = run("spawn A 1s; status\n")
        XCTAssertEqual(lines[1], "  [0.000] A created")
        XCTAssertTrue(lines[3].hasPrefix("A     pending"), lines[3])
        XCTAssertEqual(lines[4], "  [0.000] A started")
    }

    func testNewTasksStartInCreationOrder() {
        let lines = run("spawn C 1s; spawn A 1s; spawn B 1s\n")
        XCTAssertEqual(lines.filter { $0.hasSuffix("started") }, ["  [0.000] C started", "  [0.000] A started", "  [0.000] B started"])
    }

    func testCancellingADoneTaskReturnsFalse() {
        let lines = run("spawn A 0\nsleep 1ms\ncancel A\n")
        XCTAssertEqual(lines.last, "False")
    }

    func testAwaitingAFailedTaskRaisesItsExceptionAndACancelledOneCancelsTheAwaiter() {
        let lines = run("""
            spawn A 1s, fail ValueError "boom"
            spawn B await A
            spawn C 5s
            spawn D await C
            cancel C
            gather B D return_exceptions
            """)
        XCTAssertTrue(lines.contains("  [0.000] D cancelled"))
        XCTAssertTrue(lines.contains("  [1.000] B failed: ValueError('boom')"))
        XCTAssertEqual(lines.last, "[ValueError('boom'), CancelledError('')]")
    }

    func testResultOfAnUnfinishedTaskRaisesInvalidStateError() {
        XCTAssertTrue(run("spawn A 1s\nresult A\n").contains("InvalidStateError: Result is not set."))
    }

    func testAnExceptionNobodyRetrievedIsReportedAtExit() {
        XCTAssertEqual(run("spawn A 0, fail KeyError \"k\"\n").last, "  [0.000] A: Task exception was never retrieved: KeyError('k')")
    }

    func testExitCancelsPendingTasksAsAsyncioRunDoes() {
        XCTAssertEqual(run("spawn A 1s\n").last, "  [0.000] A cancelled")
    }

    // MARK: gather, wait, wait_for (tasks.py)

    func testGatherReturnsResultsInArgumentOrderNotFinishingOrder() {
        XCTAssertEqual(run("spawn B 1s\nspawn A 2s\ngather A B\n").last, "['A', 'B']")
    }

    func testGatherRaisesTheFirstExceptionAndLeavesTheOtherTasksRunning() {
        let lines = run("spawn A 1s\nspawn B 2s, fail ValueError \"x\"\nspawn C 3s\ngather A B C\nstatus C\n")
        XCTAssertTrue(lines.contains("ValueError: x"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("C     sleeping  timer at 3.000") })
    }

    func testWaitForCancelsTheTaskOnTimeoutAndRaisesTimeoutError() {
        let lines = run("spawn A 2s\nawait A timeout 1s\n")
        XCTAssertEqual(Array(lines.suffix(2)), ["  [1.000] A cancelled", "TimeoutError"])
    }

    func testWaitWithATimeoutCancelsNothing() {
        let lines = run("spawn A 2s\nwait A timeout 1s\nstatus A\n")
        XCTAssertTrue(lines.contains("done: []  pending: [A]"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("A     sleeping") })
    }

    // MARK: The loop (base_events.py)

    func testACallbackThatHoldsTheLoopMakesTimersFireLate() {
        let lines = run("spawn A 10ms\nspawn B cpu 50ms\nsleep 100ms\n")
        XCTAssertTrue(lines.contains("  [0.050] A woke up 0.040s late (the loop was held)"))
    }

    func testEqualDeadlinesFireInSchedulingOrder() {
        let lines = run("spawn B 1s; spawn A 1s; spawn C 1s\ngather\n")
        XCTAssertEqual(lines.filter { $0.contains("done") }, ["  [1.000] B done: 'B'", "  [1.000] A done: 'A'", "  [1.000] C done: 'C'"])
    }

    func testAFullExecutorQueuesTheJob() {
        let lines = run("set workers 1\nspawn A thread 1s\nspawn B thread 1s\nstatus\ngather\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("B     in-thread  a free worker (queued)") })
        XCTAssertTrue(lines.contains("  [2.000] B done: 'B'"))
    }

    func testMainWaitingForeverIsExplainedInsteadOfHanging() {
        let lines = run("spawn A await B; spawn B await A\nawait A\n")
        XCTAssertTrue(lines.contains("DeadlockError: A waits for B, B waits for A"))
    }
}
