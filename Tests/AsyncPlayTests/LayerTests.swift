import Foundation
import XCTest

/// The layers are SwiftPM targets: the compiler keeps each from naming what its target
/// does not depend on. These tests keep the dependencies themselves as the README draws
/// them: the views read records only (never the loop or the session), the loop knows no
/// commands, the language knows no loop.
final class LayerTests: XCTestCase {
    /// Each target's dependencies on the package's own targets, read from Package.swift.
    private func dependencies() throws -> [String: Set<String>] {
        let manifest = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Package.swift")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        var out: [String: Set<String>] = [:]
        let targets = text.components(separatedBy: ".target(").dropFirst()
        for t in targets {
            guard let name = t.firstMatch(#"name: "([A-Za-z]+)""#) else { continue }
            let deps = t.components(separatedBy: "dependencies:").dropFirst().first?
                .components(separatedBy: "]").first ?? ""
            out[name] = Set(deps.allMatches(#""(AsyncPlay[A-Za-z]*)""#))
        }
        return out
    }

    func testTheViewsReadRecordsNeverTheLoopOrTheSession() throws {
        let render = try XCTUnwrap(dependencies()["AsyncPlayRender"])
        XCTAssertTrue(render.contains("AsyncPlayEvents"))
        XCTAssertFalse(render.contains("AsyncPlayLoop"))
        XCTAssertFalse(render.contains("AsyncPlaySession"))
    }

    /// A target imports only what Package.swift says it depends on (a module found through
    /// the search path builds here and fails on a clean clone).
    func testEveryImportIsADeclaredDependency() throws {
        let deps = try dependencies()
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        XCTAssertGreaterThan(deps.count, 5)
        for (target, declared) in deps {
            let dir = sources.appendingPathComponent(target)
            let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            XCTAssertFalse(files.isEmpty, target)
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for imported in text.allMatches(#"(?m)^(?:@_exported |@testable )?import (AsyncPlay[A-Za-z]*)$"#) {
                    XCTAssertTrue(declared.contains(imported), "\(target)/\(file.lastPathComponent) imports \(imported), not in its dependencies")
                }
            }
        }
    }

    func testTheLoopKnowsNoCommandsAndTheLanguageNoLoop() throws {
        let deps = try dependencies()
        XCTAssertEqual(deps["AsyncPlayLoop"], ["AsyncPlayCore", "AsyncPlayCollections"])
        XCTAssertEqual(deps["AsyncPlayCollections"] ?? [], [], "the tables know nothing of asyncplay")
        XCTAssertEqual(deps["AsyncPlayLanguage"], ["AsyncPlayCore"])
        XCTAssertEqual(deps["AsyncPlayCore"] ?? [], [])
        XCTAssertFalse(try XCTUnwrap(deps["AsyncPlayExport"]).contains("AsyncPlayLoop"))
        XCTAssertFalse(try XCTUnwrap(deps["AsyncPlaySession"]).contains("AsyncPlayRender"))
    }
}

private extension String {
    func firstMatch(_ pattern: String) -> String? { allMatches(pattern).first }
    func allMatches(_ pattern: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        return re.matches(in: self, range: NSRange(startIndex..., in: self)).compactMap {
            Range($0.range(at: 1), in: self).map { String(self[$0]) }
        }
    }
}
