import Foundation
import XCTest
import AsyncPlay

/// The same script gives a byte-identical transcript and JSON on every run: each lesson
/// and scenario runs many times in this process, interleaved with the others (so state
/// left behind by one run, or hash-table order, would show), and every run is compared
/// with the first. scripts/test also compares 20 runs of the binary (fresh processes,
/// fresh hash seeds).
final class DeterminismTests: XCTestCase {
    private var scripts: [(name: String, bytes: [UInt8])] {
        let lessons = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lessons")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []).filter { $0.hasSuffix(".async") }.sorted()
        var all = names.map { (name: $0, bytes: Fixtures.bytes(lessons.appendingPathComponent($0))) }
        for url in Fixtures.files(in: "oracle/scenarios", withExtension: "async") {
            all.append((name: url.lastPathComponent, bytes: Fixtures.bytes(url)))
        }
        return all
    }

    private func render(_ bytes: [UInt8], json: Bool, timeline: Bool) -> String {
        var runner = ScriptRunner(fileName: "x.async")
        runner.format = json ? .jsonLines : .transcript
        let out = OutputBuffer()
        // The pictures too: `timeline` at the end draws from every event of the run.
        let source = timeline ? bytes + Array("\ntimeline\nstatus\n".utf8) : bytes
        _ = runner.run(source, out: out)
        return out.text
    }

    func testEveryLessonAndScenarioIsByteIdenticalOverManyRuns() {
        let scripts = self.scripts
        XCTAssertGreaterThanOrEqual(scripts.count, 40)
        var first: [String: (String, String, String)] = [:]
        var differ: [String] = []
        for round in 0..<15 {
            // A different order each round: nothing may depend on what ran before.
            let order = round % 2 == 0 ? scripts : scripts.reversed()
            for s in order {
                let now = (render(s.bytes, json: false, timeline: false), render(s.bytes, json: true, timeline: false),
                           render(s.bytes, json: false, timeline: true))
                if let f = first[s.name] {
                    if f != now { differ.append("\(s.name) (round \(round))") }
                } else {
                    first[s.name] = now
                }
            }
        }
        XCTAssert(differ.isEmpty, "runs differ: " + differ.prefix(20).joined(separator: ", "))
    }

    /// Generated programs too (a sample: they cover many option and timing mixes).
    func testGeneratedProgramsAreByteIdenticalOverRuns() {
        let programs = Fixtures.files(in: "generated/scenarios", withExtension: "async").enumerated()
            .filter { $0.offset % 5 == 0 }.map { Fixtures.bytes($0.element) }
        XCTAssertGreaterThan(programs.count, 20)
        for (i, p) in programs.enumerated() {
            let a = render(p, json: true, timeline: true)
            let b = render(p, json: true, timeline: true)
            let c = render(p, json: false, timeline: true)
            let d = render(p, json: false, timeline: true)
            XCTAssertEqual(a, b, "generated program #\(i * 5): JSON differs")
            XCTAssertEqual(c, d, "generated program #\(i * 5): transcript differs")
        }
    }

    /// A recorded transcript replays to itself, for every lesson and scenario
    /// (what `asyncplay check` relies on).
    func testRecordedTranscriptsReplayToThemselves() {
        for s in scripts {
            let recorded = TranscriptFile.record(source: s.bytes, scriptName: s.name)
            let replayed = TranscriptFile.record(source: Array(TranscriptFile.script(of: recorded.text).utf8), scriptName: s.name)
            XCTAssertEqual(recorded.text, replayed.text, s.name)
            XCTAssertEqual(recorded.exitCode, replayed.exitCode, s.name)
        }
    }
}
