import Foundation
import AsyncPlay

/// Where the fixtures copied into the repository live (Tests/Fixtures).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func files(in folder: String, withExtension ext: String) -> [URL] {
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted().map { dir.appendingPathComponent($0) }
    }

    static func bytes(_ url: URL) -> [UInt8] { Array((try? Data(contentsOf: url)) ?? Data()) }

    /// Runs a script the way `asyncplay run [--json]` does.
    static func run(_ source: String, json: Bool = false, name: String = "test.async") -> (output: String, exitCode: Int32, errors: String) {
        var runner = ScriptRunner(fileName: name)
        runner.format = json ? .jsonLines : .transcript
        let out = OutputBuffer()
        let outcome = runner.run(Array(source.utf8), out: out)
        return (out.text, outcome.exitCode, outcome.syntaxErrors)
    }
}
