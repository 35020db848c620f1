import Foundation
import XCTest
import AsyncPlay
@testable import AsyncPlayLanguage

/// The catalogue of bad (and odd but accepted) input in Tests/Fixtures/bad-input: each
/// NAME.async comes with NAME.expect — the exit status and every diagnostic as
/// `LINE:COLUMN: message`, in order — and with the exact text `asyncplay run` prints
/// (NAME.stdout, NAME.stderr; a missing file means nothing is printed there).
/// scripts/test-bad-input runs the same catalogue through the release binary.
final class BadInputCatalogueTests: XCTestCase {
    struct Expectation {
        var what = ""
        var exitCode: Int32 = -1
        var diagnostics: [String] = []
        var oracle = ""
    }

    static func expectation(_ url: URL) -> Expectation? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var e = Expectation()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# ") { e.what = String(line.dropFirst(2)) }
            else if line.hasPrefix("exit ") { e.exitCode = Int32(line.dropFirst(5)) ?? -1 }
            else if line.hasPrefix("oracle ") { e.oracle = String(line.dropFirst(7)) }
            else { e.diagnostics.append(String(line)) }
        }
        return e
    }

    static var cases: [URL] { Fixtures.files(in: "bad-input", withExtension: "async") }

    func testTheCatalogueIsLargeAndComplete() throws {
        let names = Self.cases.map { $0.deletingPathExtension().lastPathComponent }
        XCTAssertGreaterThanOrEqual(names.count, 40, "the catalogue holds at least 40 inputs")
        // Every kind of bad input the hardening issue lists has at least one entry.
        for prefix in ["cmd-misspelled", "dur-unit", "dur-missing", "dur-overflow", "dur-over-24h", "val-float-overflow",
                       "kw-", "chr-", "str-unterminated", "str-bad-escape", "arrow-", "fail-", "body-empty", "sep-",
                       "utf8-invalid", "chr-nul", "crlf-accepted", "bom-accepted", "limit-long-line",
                       "run-unknown-task", "run-duplicate-name", "set-workers"] {
            XCTAssert(names.contains { $0.hasPrefix(prefix) }, "no catalogue entry for \(prefix)*")
        }
        for url in Self.cases {
            let expectURL = url.deletingPathExtension().appendingPathExtension("expect")
            guard let e = Self.expectation(expectURL) else { XCTFail("\(url.lastPathComponent) has no .expect"); continue }
            XCTAssert([0, 1, 2].contains(e.exitCode), "\(expectURL.lastPathComponent): no exit line")
            XCTAssert(e.oracle == "same" || e.oracle.hasPrefix("differs: "), "\(expectURL.lastPathComponent): oracle line")
            if e.exitCode != 0 { XCTAssertFalse(e.diagnostics.isEmpty, "\(expectURL.lastPathComponent): no diagnostic for exit \(e.exitCode)") }
        }
    }

    /// The diagnostics (line, column, message) and the exit status, through the JSON
    /// renderer (as `asyncplay run --json`).
    func testEveryEntryGivesItsExactDiagnostics() throws {
        var failures: [String] = []
        for url in Self.cases {
            let name = url.deletingPathExtension().lastPathComponent
            guard let e = Self.expectation(url.deletingPathExtension().appendingPathExtension("expect")) else { continue }
            var runner = ScriptRunner(fileName: url.lastPathComponent)
            runner.format = .jsonLines
            let out = OutputBuffer()
            let outcome = runner.run(Fixtures.bytes(url), out: out)
            var got: [String] = []
            for line in out.text.split(separator: "\n") {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    failures.append("\(name): not a JSON object: \(line.prefix(120))")
                    continue
                }
                if o["type"] as? String == "diagnostic" {
                    got.append("\(o["line"] as? Int ?? -1):\(o["column"] as? Int ?? -1): \(o["message"] as? String ?? "")")
                }
            }
            if outcome.exitCode != e.exitCode { failures.append("\(name): exit \(outcome.exitCode), expected \(e.exitCode)") }
            if got != e.diagnostics {
                failures.append("\(name):\n    expected \(e.diagnostics)\n    got      \(got)")
            }
        }
        XCTAssert(failures.isEmpty, failures.joined(separator: "\n"))
    }

    /// The exact text: the transcript on stdout, syntax errors (with carets) on stderr.
    func testEveryEntryPrintsExactlyItsText() throws {
        var failures: [String] = []
        for url in Self.cases {
            let name = url.deletingPathExtension().lastPathComponent
            var runner = ScriptRunner(fileName: url.lastPathComponent)
            runner.format = .transcript
            let out = OutputBuffer()
            let outcome = runner.run(Fixtures.bytes(url), out: out)
            let stdoutURL = url.deletingPathExtension().appendingPathExtension("stdout")
            let stderrURL = url.deletingPathExtension().appendingPathExtension("stderr")
            let expectedOut = (try? Data(contentsOf: stdoutURL)).map { Array($0) } ?? []
            let expectedErr = (try? Data(contentsOf: stderrURL)).map { Array($0) } ?? []
            if out.bytes != expectedOut {
                failures.append("\(name): stdout differs:\n" + TextDiff.unified(expected: String(decoding: expectedOut, as: UTF8.self), actual: out.text))
            }
            if Array(outcome.syntaxErrors.utf8) != expectedErr {
                failures.append("\(name): stderr differs:\n" + TextDiff.unified(expected: String(decoding: expectedErr, as: UTF8.self), actual: outcome.syntaxErrors))
            }
        }
        XCTAssert(failures.isEmpty, failures.prefix(10).joined(separator: "\n"))
    }

    /// CRLF, a BOM, no final newline: accepted, and the run is the same as the plain file's.
    func testLineEndingsAndBOMDoNotChangeTheRun() {
        let plain = "spawn A 1s -> 1\nspawn B 2s, fail ValueError \"x\"\ngather return_exceptions\nstatus\n"
        let expected = Fixtures.run(plain)
        XCTAssertEqual(expected.exitCode, 0)
        let variants: [(String, [UInt8])] = [
            ("CRLF", Array(plain.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("BOM", [0xEF, 0xBB, 0xBF] + Array(plain.utf8)),
            ("BOM+CRLF", [0xEF, 0xBB, 0xBF] + Array(plain.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("no final newline", Array(plain.dropLast().utf8)),
            ("CRLF, no final newline", Array(plain.dropLast().replacingOccurrences(of: "\n", with: "\r\n").utf8)),
        ]
        for (what, bytes) in variants {
            for json in [false, true] {
                var runner = ScriptRunner(fileName: "test.async")
                runner.format = json ? .jsonLines : .transcript
                let out = OutputBuffer()
                let outcome = runner.run(bytes, out: out)
                XCTAssertEqual(outcome.exitCode, 0, what)
                XCTAssertEqual(out.text, json ? Fixtures.run(plain, json: true).output : expected.output, "\(what), json: \(json)")
            }
        }
    }

    /// Every single byte value, alone and inside a command, and every two-byte pair of
    /// a few interesting bytes: never a crash, always 0/1/2, diagnostics inside the line.
    func testNoByteCrashesTheParser() {
        for b in 0...255 {
            for template in [[UInt8(b)], Array("spawn A ".utf8) + [UInt8(b)] + Array(" 1s\n".utf8),
                             Array("spawn A 1s -> \"".utf8) + [UInt8(b)] + Array("\"\n".utf8)] {
                let script = Script.parse(template)
                for d in script.diagnostics {
                    XCTAssert(d.line >= 1 && d.line <= 2 && d.column >= 1 && d.column <= template.count + 1, "byte \(b): \(d)")
                }
                var runner = ScriptRunner(fileName: "b.async")
                runner.format = .jsonLines
                let outcome = runner.run(template, out: OutputBuffer())
                XCTAssert([0, 1, 2].contains(outcome.exitCode))
            }
        }
    }

    /// `--record` then `check` of each entry: the transcript replays to itself. (The
    /// fuzzer found an empty script, a line starting with a combining mark, and blanks
    /// after a bad line breaking this; their entries are named empty-file and fuzz-*.)
    func testTheTranscriptOfEveryEntryReplaysToItself() {
        for url in Self.cases {
            let bytes = Fixtures.bytes(url)
            guard Script.firstInvalidUTF8(bytes[...]) == nil else { continue }   // a transcript is UTF-8 text
            let recorded = TranscriptFile.record(source: bytes, scriptName: url.lastPathComponent)
            let replayed = TranscriptFile.record(source: Array(TranscriptFile.script(of: recorded.text).utf8), scriptName: url.lastPathComponent)
            XCTAssertEqual(Array(recorded.text.utf8), Array(replayed.text.utf8), url.lastPathComponent + ":\n" + TextDiff.unified(expected: recorded.text, actual: replayed.text))
        }
    }

    /// The shell parses one typed line at a time: same diagnostics as the file's parse.
    func testTheShellsLineParseAgreesWithTheFile() {
        for url in Self.cases {
            let bytes = Fixtures.bytes(url)
            let script = Script.parse(bytes)
            guard Script.firstInvalidUTF8(bytes[...]) == nil, script.lineCount < 50 else { continue }
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            var fromShell: [Diagnostic] = []
            var n = 0
            for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                n += 1
                if n > script.lineCount { break }
                var l = line[...]
                while l.last == UInt8(ascii: "\r") { l = l.dropLast() }
                if case .failure(let e) = Script.parseLine(String(decoding: l, as: UTF8.self), number: n) { fromShell += e.diagnostics }
            }
            XCTAssertEqual(fromShell, script.diagnostics, url.lastPathComponent)
        }
    }
}
