import Foundation
import XCTest
import AsyncPlay

/// Snapshots of the views — status, timeline (Unicode and ASCII, two widths), tree, why
/// and help — in English and Portuguese, on every lesson and on the scenarios under
/// Tests/Fixtures/views. Re-record with `UPDATE_SNAPSHOTS=1 swift test --filter ViewSnapshotTests`
/// and review the diff.
final class ViewSnapshotTests: XCTestCase {
    static let languages: [Language] = [.english, .portuguese]

    func testLessons() {
        let lessons = ExportPythonTests.lessons()
        XCTAssertGreaterThanOrEqual(lessons.count, 16)
        for lesson in lessons {
            for language in Self.languages {
                let name = lesson.deletingPathExtension().lastPathComponent
                Golden.check(ViewProbe.views(of: Fixtures.bytes(lesson), language: language),
                             "\(name).\(language.rawValue).txt")
            }
        }
    }

    func testScenarios() {
        let scenarios = Fixtures.files(in: "views", withExtension: "async")
        XCTAssertGreaterThanOrEqual(scenarios.count, 3)
        for scenario in scenarios {
            for language in Self.languages {
                let name = scenario.deletingPathExtension().lastPathComponent
                Golden.check(ViewProbe.views(of: Fixtures.bytes(scenario), language: language),
                             "\(name).\(language.rawValue).txt")
            }
        }
    }

    func testHelp() {
        for language in Self.languages {
            var s = Help.text(topic: nil, language: language, style: .plain)
            for topic in Help.topics {
                s += "\n" + String(repeating: "=", count: 20) + " help \(topic)\n"
                s += Help.text(topic: topic, language: language, style: .plain)
            }
            s += "\n" + String(repeating: "=", count: 20) + " help gathr\n"
            s += Help.text(topic: "gathr", language: language, style: .plain)
            Golden.check(s, "help.\(language.rawValue).txt")
        }
    }
}

/// Runs a script and draws the views at the moments they tell most: every `status` the
/// script asks for, the tree each time main blocks, and at the end the timelines, the tree
/// and `why` for every task.
final class ViewProbe: RecordSink {
    let log = EventLog()
    let language: Language
    var text = ""

    init(language: Language) { self.language = language }

    static func views(of source: [UInt8], language: Language) -> String {
        let script = Script.parse(source)
        precondition(!script.hasErrors, "the script has syntax errors")
        let probe = ViewProbe(language: language)
        Session(lines: .script(script.lineFeed()), sink: probe).run()
        return probe.text + probe.finalViews()
    }

    func record(_ r: Record) {
        log.record(r)
        switch r {
        case .result(let res):
            if case .status(let tasks) = res.value {
                let rows = log.status.rows(tasks)
                text += heading("status, line \(res.line), t = \(formatSeconds(res.time.microseconds))")
                text += StatusTable.render(rows, style: .plain, now: res.time, language: language)
                // What `why` says of the tasks still running at that moment.
                for row in rows where ![.done, .failed, .cancelled].contains(row.state) {
                    var o = WhyRenderer.Options()
                    o.language = language
                    text += WhyRenderer(options: o).render(log, now: res.time, task: row.name)
                }
            }
        case .main(let m):
            if case .blocked(let awaiting) = m.kind {
                text += heading("tree while main is blocked in \(awaiting.command), line \(awaiting.line), t = \(formatSeconds(m.time.microseconds))")
                var o = TreeRenderer.Options()
                o.language = language
                text += TreeRenderer(options: o).render(log, now: m.time)
            }
        default:
            break
        }
    }

    func heading(_ s: String) -> String { "\n── " + s + "\n" }

    func finalViews() -> String {
        var s = ""
        let end = Instant.start
        for (ascii, width) in [(false, 80), (false, 50), (true, 80), (true, 50)] {
            var o = TimelineRenderer.Options()
            o.ascii = ascii
            o.width = width
            o.language = language
            s += heading("timeline\(ascii ? " ascii" : "") width \(width)")
            s += TimelineRenderer(options: o).render(log, now: end)
        }
        for ascii in [false, true] {
            var o = TreeRenderer.Options()
            o.ascii = ascii
            o.language = language
            s += heading("tree at the end\(ascii ? " (ascii)" : "")")
            s += TreeRenderer(options: o).render(log, now: end)
        }
        var seen = Set<String>()
        for e in log.taskEvents {
            guard let name = log.info(e.task)?.name, seen.insert(name).inserted else { continue }
            var o = WhyRenderer.Options()
            o.language = language
            s += heading("why \(name)")
            s += WhyRenderer(options: o).render(log, now: end, task: name)
        }
        return s
    }
}

/// Golden files under Tests/Fixtures/views: compared byte for byte, re-recorded with
/// UPDATE_SNAPSHOTS=1.
enum Golden {
    static var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" }

    static func check(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let url = Fixtures.root.appendingPathComponent("views").appendingPathComponent(name)
        if updating {
            let old = try? String(contentsOf: url, encoding: .utf8)
            if old != actual { try? actual.write(to: url, atomically: true, encoding: .utf8) }
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no snapshot \(name): run UPDATE_SNAPSHOTS=1 swift test --filter ViewSnapshotTests", file: file, line: line)
            return
        }
        if expected != actual {
            XCTFail("\(name) differs (UPDATE_SNAPSHOTS=1 re-records it):\n" + TextDiff.unified(expected: expected, actual: actual),
                    file: file, line: line)
        }
    }
}
