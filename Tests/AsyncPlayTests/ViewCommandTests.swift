import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import AsyncPlay

/// The view commands as a script types them: `timeline` with its options, `tree`, `why`,
/// `export python`, and what they refuse.
final class ViewCommandTests: XCTestCase {
    func testTimelineOptionsParseInAnyOrder() {
        let script = Script.parse("timeline ascii width 50 --svg \"out/t.svg\"\ntimeline --svg t.svg\ntimeline width 120 ascii\n")
        XCTAssertFalse(script.hasErrors, "\(script.diagnostics)")
        XCTAssertEqual(script.commands(ofLine: 1)?.commands, [.timeline(TimelineOptions(ascii: true, width: 50, svgPath: "out/t.svg"))])
        XCTAssertEqual(script.commands(ofLine: 2)?.commands, [.timeline(TimelineOptions(svgPath: "t.svg"))])
        XCTAssertEqual(script.commands(ofLine: 3)?.commands, [.timeline(TimelineOptions(ascii: true, width: 120))])
    }

    func testBadViewCommandsAreDiagnosed() {
        let cases: [(String, String)] = [
            ("timeline width 5", "1:16: expected a width in columns (20..1000)"),
            ("timeline ascii ascii", "1:16: 'ascii' given twice"),
            ("timeline --svg", "1:15: expected a file name after --svg"),
            ("timeline wide", "1:10: unexpected 'wide' (timeline [ascii] [width N] [--svg FILE])"),
            ("why", "1:4: expected a task name"),
            ("why spawn", "1:5: 'spawn' is a keyword, not a task name"),
            ("tree A", "1:6: unexpected 'A'"),
            ("export java", "1:8: expected 'python' (export python [FILE])"),
        ]
        for (line, expected) in cases {
            let d = Script.parse(line + "\n").diagnostics
            XCTAssertEqual(d.map { "\($0.line):\($0.column): \($0.message)" }, [expected], line)
        }
    }

    func testTheNewCommandWordsAreStillTaskNames() {
        // `tree`, `why` and `export` came after the SPEC: a task may still be called so.
        let r = Fixtures.run("spawn tree 1s; spawn why await tree; spawn export 1s\ngather\nwhy why\n")
        XCTAssertEqual(r.exitCode, 0, r.output + r.errors)
        XCTAssert(r.output.contains("['tree', 'why', 'export']"), r.output)
        XCTAssert(r.output.contains("why why: done"), r.output)
        XCTAssertEqual(Script.parse("spawn treee 1s\ntreee\n").diagnostics.map(\.message), ["unknown command 'treee'; did you mean 'tree'?"])
    }

    func testViewsInATranscript() {
        let r = Fixtures.run("""
        spawn A 1s; spawn B await A, 2s; spawn C 5s
        sleep 500ms
        tree
        cancel C
        gather A B
        why C
        timeline ascii width 50
        """)
        XCTAssertEqual(r.exitCode, 0, r.errors)
        XCTAssert(r.output.contains("""
        >>> tree
        main  running line 3 (`tree`): awaits nothing
        B  waiting for A
        └── A  sleeping until 1.000
        C  sleeping until 5.000
        """), r.output)
        XCTAssert(r.output.contains("So: C was cancelled at 0.500s by `cancel C` (line 4) while sleeping until 5.000s."), r.output)
        XCTAssert(r.output.contains("""
        >>> timeline ascii width 50
        timeline: 0 -> 3.000s, 1 column ≈ 0.086s
        """), r.output)
        XCTAssert(r.output.contains("\nC             -----C\n"), r.output)
    }

    func testWhyOfAnUnknownTaskIsRefused() {
        let r = Fixtures.run("spawn A 1s\nwhy B\n")
        XCTAssertEqual(r.exitCode, 1)
        XCTAssert(r.output.contains("unknown task 'B'"), r.output)
    }

    func testFilesAreWrittenThroughTheExecutablesCallback() {
        var written: [String: String] = [:]
        var options = TextRenderer.Options()
        options.writeFile = { path, contents in
            if path.hasPrefix("/forbidden") { return "permission denied" }
            written[path] = contents
            return nil
        }
        let script = "spawn A 1s\ngather\ntimeline --svg \"pics/a.svg\"\nexport python a.py\ntimeline --svg \"/forbidden/x.svg\"\n"
        let out = OutputBuffer()
        var runner = ScriptRunner(fileName: "t.async")
        runner.textOptions = options
        _ = runner.run(Array(script.utf8), out: out)
        XCTAssert(out.text.contains(">>> timeline --svg \"pics/a.svg\"\nwrote pics/a.svg\n"), out.text)
        XCTAssert(out.text.contains("wrote a.py\n"), out.text)
        XCTAssert(out.text.contains("cannot write /forbidden/x.svg: permission denied"), out.text)
        XCTAssert(written["pics/a.svg"]?.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") == true)
        XCTAssert(written["pics/a.svg"]?.contains(">A</text>") == true)
        XCTAssert(written["a.py"]?.contains("track(asyncio.create_task(A(), name='A'))") == true)
        // Without a callback (a transcript being checked) nothing is written, and it says so.
        let plain = Fixtures.run(script)
        XCTAssert(plain.output.contains("(pics/a.svg not written: this session cannot write files)"), plain.output)
    }

    func testTheSvgIsWellFormedXML() throws {
        var runner = ScriptRunner(fileName: "t.async")
        var svg = ""
        runner.textOptions.writeFile = { _, contents in svg = contents; return nil }
        _ = runner.run(Array("spawn A 1s; spawn B thread 2s; spawn C 500ms, cpu 1s, fail ValueError \"<&>\"\nsleep 1s; cancel B\nblock 1s\ngather A C return_exceptions\ntimeline --svg x.svg\n".utf8), out: OutputBuffer())
        XCTAssertFalse(svg.isEmpty)
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssert(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")\n\(svg)")
        XCTAssert(svg.contains("&lt;&amp;&gt;") || !svg.contains("<&>"), "names and labels are escaped")
    }

    func testJSONPrintsNoViews() {
        let r = Fixtures.run("spawn A 1s\ngather\ntree\nwhy A\ntimeline\nexport python\n", json: true)
        XCTAssertEqual(r.exitCode, 0)
        XCTAssertFalse(r.output.contains("\"command\":\"tree\""), r.output)
        XCTAssertFalse(r.output.contains("\"command\":\"why\""), r.output)
    }
}
