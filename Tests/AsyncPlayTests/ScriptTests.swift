import XCTest
import AsyncPlay
@testable import AsyncPlayLanguage

/// A script is checked whole, then its lines are handed to main as they run: from what
/// the check kept (short scripts) or parsed again (long ones), and a line typed in the
/// shell parses as the same line in a file.
final class ScriptTests: XCTestCase {
    /// Lines near the commonest shape (`spawn NAME DUR`), valid and not.
    private var lines: [String] {
        let heads = ["spawn", "run", "spwan", "gather", "Spawn", "spawn;", "  spawn", "\tspawn"]
        let names = ["", "T1", "_a", "a.b", "a-b", "a+b", "sleep", "cpu", "tree", "gather", "1x", "é", "\"x\"", "x->", "x#",
                     "Task_99", "sleepy", "Sleep", "return_exceptions", "z9"]
        let steps = ["1s", ".5ms", "0", "1.0000005s", "25h", "1441m", "2sec", "-1s", "sleep 1s", "cpu 2m", "thread 3",
                     "sleep", "await A", "fail", "1s, 2s", "1s -> 5", "1s->5", "sleep x", "",
                     "999ms", "0001ms", "000000000001ms", "1234567890ms", "86400000ms", "86400001ms", "86400s", "86401",
                     "7mss", "7m", "12", "3 ms"]
        let tails = ["", " ", "\t\r", " # note", "#x", " ; gather", " extra", ",", " é"]
        var out: [String] = []
        for h in heads { for n in names { for s in steps { for t in tails {
            out.append([h, n, s].filter { !$0.isEmpty }.joined(separator: " ") + t)
        } } } }
        return out
    }

    /// A line parses the same in the shell and in a file: the same commands and text,
    /// or the same diagnostics.
    func testALineParsesTheSameInTheShellAndInAFile() {
        for text in lines {
            let viaShell = Script.parseLine(text, number: 3)
            let script = Script.parse("\n\n" + text + "\n")
            switch viaShell {
            case .success(let line):
                XCTAssertFalse(script.hasErrors, text.debugDescription)
                XCTAssertEqual(script.commands(ofLine: 3)?.commands, line?.commands, text.debugDescription)
                XCTAssertEqual(script.commands(ofLine: 3)?.text, line?.text, text.debugDescription)
            case .failure(let e):
                XCTAssertEqual(script.diagnostics, e.diagnostics, text.debugDescription)
            }
        }
    }

    /// A script too long to keep its parsed lines parses them again as they run: every
    /// line must come back as the kept parse has it (commands, text). (The script is the near-miss lines that parse, padded past
    /// `keepParsedUpTo` with blank lines.)
    func testLongScriptsRebuildTheSameLines() {
        let good = lines.filter { if case .success = Script.parseLine($0, number: 1) { return true } else { return false } }
        let text = good.joined(separator: "\n") + "\n"
        let kept = Script.parse(text)
        let long = Script.parse(text + String(repeating: "\n", count: Script.keepParsedUpTo))
        XCTAssertFalse(kept.hasErrors)
        XCTAssertFalse(long.hasErrors)
        for n in 1...good.count {
            let a = kept.commands(ofLine: n), b = long.commands(ofLine: n)
            XCTAssertEqual(a?.commands, b?.commands, good[n - 1].debugDescription)
            XCTAssertEqual(a?.text, b?.text, good[n - 1].debugDescription)
            XCTAssertEqual(a?.number, b?.number)
        }
        XCTAssertGreaterThan(good.count, 500)
    }

    func testReadsTheCommonShapes() {
        func command(_ text: String) -> Command? {
            guard case .success(let line?) = Script.parseLine(text, number: 1), line.commands.count == 1 else { return nil }
            return line.commands[0]
        }
        XCTAssertEqual(command("spawn T12 250ms"),
                       .spawn(name: NameRef(name: "T12", column: 7), body: Body(first: .sleep(TimeAmount(microseconds: 250_000)))))
        XCTAssertEqual(command("run cpu 2s   # busy"),
                       .run(name: nil, body: Body(first: .cpu(TimeAmount(microseconds: 2_000_000)))))
        XCTAssertEqual(command("spawn tree thread .5s"),
                       .spawn(name: NameRef(name: "tree", column: 7), body: Body(first: .thread(TimeAmount(microseconds: 500_000)))))
        XCTAssertEqual(command("spawn A 1s -> 5"),
                       .spawn(name: NameRef(name: "A", column: 7),
                              body: Body(first: .sleep(TimeAmount(microseconds: 1_000_000)), value: .int("5"))))
        XCTAssertNil(command("spawn gather 1s"))     // a keyword is no name
        XCTAssertNil(command("spawn A 25h"))         // over 24 h
    }

    /// The limit on a body's steps still holds when it allows none.
    func testStepLimitStillApplies() {
        var limits = Limits()
        limits.maxStepsPerBody = 0
        guard case .failure(let e) = Script.parseLine("spawn A 1s", number: 1, limits: limits) else { return XCTFail("accepted") }
        XCTAssertEqual(e.diagnostics.first?.message, "a body has at most 0 steps (this one has 1)")
    }

    func testWordAndSpaceBytes() {
        for b in 0...255 {
            let c = UInt8(b)
            let word = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || [0x5F, 0x2E, 0x2B, 0x2D].contains(c)
            XCTAssertEqual(Lexer.isWordByte(c), word, "byte \(b)")
            XCTAssertEqual(Lexer.isSpaceByte(c), [0x20, 0x09, 0x0D, 0x0B, 0x0C].contains(c), "byte \(b)")
        }
    }

    func testScriptCountsItsSpawnLinesAsAHint() {
        let script = Script.parse(Array("spawn A 1s\nspawn B 2s; spawn C 1s\n# spawn X\nrun 1s\nsleep 1ms\ngather\n  spawn D 1s\n".utf8))
        XCTAssertFalse(script.hasErrors)
        XCTAssertEqual(script.spawnCount, 2)       // lines starting with `spawn `, not commands
    }

    func testLineStarts() {
        let text = "a\nbb\r\n\n" + String(repeating: "x", count: 20) + "\nlast"
        let script = Script.parse(text)
        XCTAssertEqual(script.lineCount, 5)
        XCTAssertEqual((1...5).map { script.echoText($0) }, ["a", "bb", "", String(repeating: "x", count: 20), "last"])
        XCTAssertEqual(Script.parse("a\n").lineCount, 1)
        XCTAssertEqual(Script.parse("").lineCount, 0)
    }
}
