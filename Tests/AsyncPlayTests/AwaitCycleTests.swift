import Foundation
import XCTest
import AsyncPlay

/// CPython 3.11's `Task.cancel` forwards to the awaited future on every call, so on an
/// await cycle it recurses until RecursionError. The oracle's decision 7 turns each such
/// recursion from `cancel`, `reset` or the end of the script into a CancelledError thrown
/// into the task; a timeout or a gather that cancels raises the RecursionError into main.
/// And `asyncio.wait(..., FIRST_EXCEPTION)` asks a task for its exception only when that
/// completion does not already end the wait (decisions 30-31). Each scenario is in
/// Tests/Fixtures/issue19, with the oracle's JSON Lines; "Task exception was never
/// retrieved" is compared, and every task created must end before the run does.
final class AwaitCycleTests: XCTestCase {
    func testACancelledMemberOfAnAwaitCycleUnwindsTheWholeCycle() {
        check("cancel_of_a_cycle_member_unwinds_the_whole_cycle")
    }

    func testShutdownCancelsEveryMemberOfAChainIntoACycle() {
        check("shutdown_cancels_every_member_of_a_chain_into_a_cycle")
    }

    func testResetCancelsEveryMemberOfACycle() {
        check("reset_cancels_every_member_of_a_cycle")
    }

    func testACancelThatRecursesEndsTheChainsIntoTheCycleToo() {
        check("a_cancel_that_recurses_ends_the_chain_into_the_cycle_too")
    }

    func testATimeoutOnALeftOverCycleRaisesRecursionErrorIntoMain() {
        check("a_timeout_on_a_left_over_cycle_raises_recursion_error")
    }

    func testWaitFirstExceptionRetrievesAsOnCompletionDoes() {
        check("wait_first_exception_retrieves_as_on_completion_does")
    }

    func testWaitHandsItsTasksInArgumentOrder() {
        check("wait_hands_its_tasks_in_argument_order")
    }

    /// The end-of-run invariant is checked on its own too: a stream in which a task was
    /// created and never ended is caught (else the check could never fail).
    func testTheInvariantCatchesATaskThatNeverEnds() {
        let stream = """
        {"type":"event","t":0.0,"task":"A","event":"created"}
        {"type":"event","t":0.0,"task":"B","event":"created"}
        {"type":"event","t":0.0,"task":"A","event":"cancelled"}
        {"type":"event","t":0.0,"task":"A","event":"created"}
        """
        XCTAssertEqual(JSONLines.tasksNeverFinished(stream), ["A", "B"])
    }

    private func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let scenario = Fixtures.root.appendingPathComponent("issue19/scenarios/\(name).async")
        let expectedURL = Fixtures.root.appendingPathComponent("issue19/expected/\(name).jsonl")
        let source = String(decoding: Fixtures.bytes(scenario), as: UTF8.self)
        XCTAssertFalse(source.isEmpty, "missing \(scenario.path)", file: file, line: line)
        let run = Fixtures.run(source, json: true)
        XCTAssertEqual(run.exitCode, 0, file: file, line: line)
        let expected = JSONLines.parse(String(decoding: Fixtures.bytes(expectedURL), as: UTF8.self), neverRetrieved: true)
        let actual = JSONLines.parse(run.output, neverRetrieved: true)
        XCTAssertGreaterThan(expected.count, 5, file: file, line: line)
        if let difference = JSONLines.firstDifference(expected: expected, actual: actual) {
            XCTFail(difference, file: file, line: line)
        }
        XCTAssertEqual(JSONLines.tasksNeverFinished(run.output), [], "tasks left unfinished", file: file, line: line)
    }
}
