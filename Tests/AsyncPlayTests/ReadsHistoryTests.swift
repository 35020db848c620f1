import XCTest
import AsyncPlay
@testable import AsyncPlayLanguage

/// `Script.readsHistory`: set exactly when a command of the script is one of the views
/// that read the event log (timeline, tree, why, export), on any line.
final class ReadsHistoryTests: XCTestCase {
    func testOnlyTheViewsReadTheHistory() {
        let reading = ["timeline", "timeline ascii width 40", "tree", "why A", "export python",
                       "export python out.py", "spawn A 1s; timeline"]
        let notReading = ["help timeline", "help why", "trace on", "status", "ps A", "time",
                          "result A", "# timeline", "spawn tree 1s; await tree", "set workers 2"]
        for line in reading {
            let script = Script.parse("spawn A 1s\n" + line + "\ngather\n")
            XCTAssertFalse(script.hasErrors, "\(line): \(script.diagnostics)")
            XCTAssertTrue(script.readsHistory, line)
        }
        for line in notReading {
            let script = Script.parse("spawn A 1s\n" + line + "\ngather\n")
            XCTAssertFalse(script.hasErrors, "\(line): \(script.diagnostics)")
            XCTAssertFalse(script.readsHistory, line)
        }
    }

    /// A long script is only checked (nothing kept): the flag is found all the same.
    func testLongScript() {
        let blank = String(repeating: "\n", count: Script.keepParsedUpTo)
        XCTAssertTrue(Script.parse("spawn A 1s\n" + blank + "why A\n").readsHistory)
        XCTAssertFalse(Script.parse("spawn A 1s\n" + blank + "gather\n").readsHistory)
    }
}
