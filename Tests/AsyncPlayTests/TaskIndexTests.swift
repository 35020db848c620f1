import XCTest
@testable import AsyncPlay

/// The session's name index: every name found again after many growths, a taken name
/// reported as taken, an unknown name not found (names that differ only at the end, as
/// a generated script's T0…Tn, are the worst case for a weak hash).
final class TaskIndexTests: XCTestCase {
    func testFindsEveryNameAfterGrowingAndReportsTakenNames() {
        findsEveryName(in: TaskIndex())
    }

    /// Sized up front for fewer names than it gets (a script's spawn-line count is a hint),
    /// it grows past the hint and still finds everything.
    func testAnIndexSizedForFewerNamesStillGrows() {
        findsEveryName(in: TaskIndex(expecting: 1000))
    }

    func testScriptCountsItsSpawnLinesAsAHint() {
        let script = Script.parse(Array("spawn A 1s\nspawn B 2s; spawn C 1s\n# spawn X\nrun 1s\nsleep 1ms\ngather\n  spawn D 1s\n".utf8))
        XCTAssertFalse(script.hasErrors)
        XCTAssertEqual(script.spawnCount, 2)       // lines starting with `spawn `, not commands
    }

    private func findsEveryName(in index: TaskIndex) {
        let session = Session(lines: .external(waitForLine: nil), sink: NullSink())
        let body = Body(first: .sleep(.zero))
        var records: [TaskRecord] = []
        for i in 0..<5000 {
            let name = i % 2 == 0 ? "T\(i)" : "a_much_longer_task_name_\(i)"
            let slot = index.slot(for: name)
            XCTAssertNil(slot.found, name)
            let r = TaskRecord(name: name, sequence: i, line: i + 1, body: body, session: session)
            index.insert(r, at: slot)
            records.append(r)
        }
        XCTAssertEqual(index.count, 5000)
        for r in records {
            XCTAssertTrue(index[r.name] === r, r.name)
            XCTAssertTrue(index.slot(for: r.name).found === r)
        }
        XCTAssertNil(index["T1"])          // odd numbers got the long names
        XCTAssertNil(index["T5000"])
        XCTAssertNil(index[""])
    }

    /// A table of 100,000 names (grown many times over) still finds every one.
    func testGrowsToAHundredThousandNames() {
        let session = Session(lines: .external(waitForLine: nil), sink: NullSink())
        let index = TaskIndex()
        let body = Body(first: .sleep(.zero))
        let n = 100_000     // past 65,536 names the table is 4 MB
        for i in 0..<n {
            let name = "T\(i)"
            let slot = index.slot(for: name)
            XCTAssertNil(slot.found)
            index.insert(TaskRecord(name: name, sequence: i, line: i + 1, body: body, session: session), at: slot)
        }
        XCTAssertEqual(index.count, n)
        for i in stride(from: 0, to: n, by: 997) { XCTAssertEqual(index["T\(i)"]?.sequence, i) }
        XCTAssertNil(index["T\(n)"])
    }
}

private final class NullSink: RecordSink {
    func record(_ r: Record) {}
}
