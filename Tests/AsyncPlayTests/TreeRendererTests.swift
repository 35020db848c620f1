import XCTest
import AsyncPlay

/// `tree` draws under main what main's blocked event says it awaits (task IDs, as data),
/// not names read back out of the typed line.
final class TreeRendererTests: XCTestCase {
    /// The lines of a run's transcript from the tree's first line on.
    private func tree(after source: String) -> String {
        let text = Fixtures.run(source).output
        guard let r = text.range(of: "\nmain  ", options: .backwards) else { return text }
        return String(text[text.index(after: r.lowerBound)...])
    }

    func testATaskSpawnedOnTheSameLineIsNotUnderMain() {
        // Main last blocked in a `sleep`, which awaits no task; J is only named on the line.
        let t = tree(after: "sleep 10ms; sleep 10ms; spawn J 1s; tree\n")
        XCTAssert(t.hasPrefix("main  blocked in `sleep 10ms; sleep 10ms; spawn J 1s; tree` (line 1)\nJ  pending (not started yet)\n"), t)
    }

    func testGatherShowsTheTasksItAwaitsOnceEach() {
        let t = tree(after: "spawn A 1s; spawn B 2s; spawn C 3s\ngather B A B; tree\n")
        XCTAssert(t.hasPrefix("""
        main  blocked in `gather B A B` (line 2)
        └── gather
            ├── B  ✓ 'B'
            └── A  ✓ 'A'
        C  sleeping until 3.000

        """), t)
    }

    func testARunBodyAwaitingATaskShowsThatTask() {
        let t = tree(after: "spawn A 1s; spawn B 5s\nrun await A; tree\n")
        XCTAssert(t.hasPrefix("main  blocked in `run await A` (line 2)\n└── A  ✓ 'A'\nB  sleeping until 5.000\n"), t)
    }
}
