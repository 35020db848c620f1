import XCTest
import AsyncPlay

/// The views on a clock that moves between two readings, as the real clock does: each
/// view says what the records of the moment say, never what a later reading of the clock
/// or of a live object would.
final class RealClockViewTests: XCTestCase {
    /// A clock that moves on by one microsecond each time it is read (the real clock moves
    /// by some between any two readings), and jumps to deadlines as the virtual clock does,
    /// so that every run is the same.
    final class DriftingClock: LoopClock {
        private var t: Int64 = 0
        var now: Instant {
            t += 1
            return Instant(microseconds: t)
        }
        var isVirtual: Bool { true }
        func hold(_ amount: TimeAmount) { t += amount.microseconds }
        func wait(until deadline: Instant?) {
            if let deadline, deadline.microseconds > t { t = deadline.microseconds }
        }
        func wake() {}
        var waker: @Sendable () -> Void { {} }
        var timeSource: (@Sendable () -> Instant)? { nil }
    }

    private func runDrifting(_ source: String) -> String {
        var runner = ScriptRunner(fileName: "drift.async")
        runner.sessionOptions.clock = { DriftingClock() }
        let out = OutputBuffer()
        let outcome = runner.run(Array(source.utf8), out: out)
        XCTAssertEqual(outcome.exitCode, 0, out.text + outcome.syntaxErrors)
        return out.text
    }

    /// The part of a transcript after the last input line `>>> command`.
    private func after(_ command: String, in text: String) -> String {
        guard let r = text.range(of: ">>> " + command + "\n", options: .backwards) else { return "" }
        return String(text[r.upperBound...])
    }

    func testWhyQuotesTheSleepAsTyped() {
        let text = runDrifting("spawn A 2s\nawait A\nwhy A\n")
        let why = after("why A", in: text)
        XCTAssert(why.contains("(`sleep 2s`)"), why)
        XCTAssertFalse(why.contains("1.999"), why)
    }

    func testWhyOfAThreadStepOnAnIdlePoolSaysItStartedAtOnce() {
        let text = runDrifting("spawn A thread 2s\nsleep 1s\nwhy A\n")
        let why = after("why A", in: text)
        XCTAssert(why.contains("hands a 2s job to a worker of the pool (`thread 2s`), which starts it at once"), why)
        XCTAssertFalse(why.contains("busy"), why)
        // At 1s the job runs: its end is the summary's plan, not a line of the story.
        XCTAssertFalse(why.contains("the worker finishes the job"), why)
        XCTAssert(why.contains("a worker runs its 2s job until 2.000s"), why)
    }

    func testWhyTellsAQueuedJobStartingWhenAWorkerIsFree() {
        let text = runDrifting("set workers 1\nspawn A thread 2s; spawn B thread 1s\ngather\nwhy B\n")
        let why = after("why B", in: text)
        XCTAssert(why.contains("every worker is busy, so it waits in the queue"), why)
        XCTAssert(why.contains("a worker is free and starts the job"), why)
        XCTAssert(why.contains("the worker finishes the job"), why)
    }

    func testTimelineAfterResetRunsOnTheNewLoopsAxis() {
        let script = "spawn A 5s\nawait A\nreset\nspawn B 1s\nawait B\ntimeline\n"
        // The virtual clock too: the reset happened at the old loop's 5s.
        let virtual = Fixtures.run(script).output
        XCTAssert(after("timeline", in: virtual).hasPrefix("timeline: 0 → 1.000s,"), virtual)
        let drifting = after("timeline", in: runDrifting(script))
        XCTAssert(drifting.hasPrefix("timeline: 0 → 1.000s,"), drifting)
    }

    func testWhyNeverTellsAThreadJobsEndBeforeItHappens() {
        // At 0.5s of the new loop the 1s job still runs (the old loop's 5s are no instant
        // of this one).
        let script = "spawn X 5s\nawait X\nreset\nspawn C thread 1s\nsleep 500ms\nwhy C\n"
        for text in [Fixtures.run(script).output, runDrifting(script)] {
            let why = after("why C", in: text)
            XCTAssert(why.hasPrefix("why C: in-thread\n"), why)
            XCTAssertFalse(why.contains("finishes the job"), why)
        }
    }

    /// `why` is a function of the records: a job whose end is not recorded has not ended,
    /// however late the view is drawn.
    func testWhyNeverTellsAThreadJobsEndThatIsNotRecorded() {
        let log = EventLog()
        let a = TaskID(0)
        func event(_ us: Int64, _ kind: TaskEvent.Kind) {
            log.taskEvent(kind, of: a, named: "A", at: Instant(microseconds: us))
        }
        log.record(.input(line: 1, text: "spawn A thread 2s"))
        event(0, .created(name: "A", line: 1))
        event(0, .started)
        event(0, .inThread(step: .seconds(2)))
        event(0, .threadStarted)
        let late = Instant(microseconds: 5_000_000)
        let why = WhyRenderer().render(log, now: late, task: "A")
        XCTAssertFalse(why.contains("finishes the job"), why)
        XCTAssert(why.hasPrefix("why A: in-thread\n"), why)

        event(2_000_000, .threadEnded)
        let ended = WhyRenderer().render(log, now: late, task: "A")
        XCTAssert(ended.contains("2.000  the worker finishes the job\n"), ended)
    }
}
