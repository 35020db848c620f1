import Foundation
import XCTest
import AsyncPlay

/// Transcripts are the project's snapshot tests: replaying one must give back exactly
/// the recorded text, and a change in behaviour must show up as a readable diff.
final class TranscriptTests: XCTestCase {
    private func transcripts() -> [URL] {
        let lessons = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lessons")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
        return Fixtures.files(in: "transcripts", withExtension: "transcript")
            + names.filter { $0.hasSuffix(".transcript") }.sorted().map { lessons.appendingPathComponent($0) }
    }

    func testEveryTranscriptReplaysExactly() throws {
        let files = transcripts()
        XCTAssertGreaterThanOrEqual(files.count, 20)
        for file in files {
            let expected = String(decoding: Fixtures.bytes(file), as: UTF8.self)
            let source = Array(TranscriptFile.script(of: expected).utf8)
            let actual = TranscriptFile.record(source: source, scriptName: TranscriptFile.scriptName(forTranscriptPath: file.path)).text
            XCTAssertEqual(actual, expected, "\(file.lastPathComponent):\n" + TextDiff.unified(expected: expected, actual: actual))
        }
    }

    func testAChangedOutcomeShowsAsADiff() {
        let recorded = TranscriptFile.record(source: Array("spawn A 1s -> 1\ngather\n".utf8), scriptName: "x.async").text
        let tampered = recorded.replacingOccurrences(of: "[1]", with: "[2]")
        XCTAssertNotEqual(recorded, tampered)
        let diff = TextDiff.unified(expected: tampered, actual: recorded)
        XCTAssertTrue(diff.contains("- [2]") && diff.contains("+ [1]"), diff)
    }

    func testScriptOfATranscriptKeepsEveryLine() {
        let text = ">>> # comment\n>>>\n>>> spawn A 1s\n  [0.000] A created\n"
        XCTAssertEqual(TranscriptFile.script(of: text), "# comment\n\nspawn A 1s\n")
    }

    func testSyntaxErrorsAreRecordedWithCarets() {
        let r = TranscriptFile.record(source: Array("spawn A 1s\nspwan B 2s\n".utf8), scriptName: "bad.async")
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertEqual(r.text, """
            >>> spawn A 1s
            >>> spwan B 2s
            bad.async:2:1: error: unknown command 'spwan'; did you mean 'spawn'?
                spwan B 2s
                ^
            1 error; nothing was run

            """)
    }
}
