import Foundation
import XCTest

/// The renderers read records only: no file under Sources/AsyncPlay/Render names a type
/// of the loop or the session, so every view is a function of the event stream (and
/// replaying the stream draws the same pictures).
final class RenderIsolationTests: XCTestCase {
    static let forbidden = ["TaskRecord", "ThreadJob", "Session", "EventLoop", "Task", "Future",
                            "GatheringFuture", "LoopClock", "ThreadPool"]

    func testNoRendererNamesALiveObject() throws {
        let render = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/AsyncPlay/Render")
        let files = try FileManager.default.contentsOfDirectory(atPath: render.path).filter { $0.hasSuffix(".swift") }
        XCTAssertGreaterThan(files.count, 10, "the Render folder moved: \(render.path)")
        for file in files {
            let code = RenderIsolationTests.code(of: try String(contentsOf: render.appendingPathComponent(file), encoding: .utf8))
            for word in RenderIsolationTests.identifiers(in: code) where RenderIsolationTests.forbidden.contains(word) {
                XCTFail("\(file) names \(word): renderers read records, not the loop")
            }
        }
    }

    func testTheCheckSeesCodeButNotWordsOrComments() {
        let sample = """
        // a Task in a comment
        let s = "Task.cancel() in a string, \\(job.owner as ThreadJob)"
        func f(_ r: TaskRecord) {}
        """
        XCTAssertEqual(RenderIsolationTests.identifiers(in: RenderIsolationTests.code(of: sample))
                        .filter { RenderIsolationTests.forbidden.contains($0) }, ["ThreadJob", "TaskRecord"])
    }

    /// The source with comments and the text of string literals blanked out (their
    /// interpolations are code, and kept).
    static func code(of source: String) -> String {
        var out = ""
        var chars = Array(source)[...]
        while let c = chars.first {
            if c == "/", chars.dropFirst().first == "/" {
                while let d = chars.first, d != "\n" { chars = chars.dropFirst() }
            } else if c == "/", chars.dropFirst().first == "*" {
                chars = chars.dropFirst(2)
                while !chars.isEmpty, !(chars.first == "*" && chars.dropFirst().first == "/") { chars = chars.dropFirst() }
                chars = chars.dropFirst(2)
            } else if c == "\"" {
                let triple = chars.starts(with: "\"\"\"")
                chars = chars.dropFirst(triple ? 3 : 1)
                while let d = chars.first {
                    if d == "\\", chars.dropFirst().first == "(" {
                        // An interpolation is code: kept, up to its closing parenthesis.
                        chars = chars.dropFirst(2)
                        var depth = 1
                        while let e = chars.first, depth > 0 {
                            if e == "(" { depth += 1 } else if e == ")" { depth -= 1 }
                            out.append(depth > 0 ? e : " ")
                            chars = chars.dropFirst()
                        }
                        continue
                    }
                    if d == "\\" { chars = chars.dropFirst(2); continue }
                    if triple ? chars.starts(with: "\"\"\"") : d == "\"" { break }
                    chars = chars.dropFirst()
                }
                chars = chars.dropFirst(triple ? 3 : 1)
                out.append(" ")
            } else {
                out.append(c)
                chars = chars.dropFirst()
            }
        }
        return out
    }

    static func identifiers(in code: String) -> [String] {
        code.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
    }
}
