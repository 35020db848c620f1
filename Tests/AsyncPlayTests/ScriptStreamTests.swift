import XCTest
@testable import AsyncPlayLanguage

/// `export python` reads a script as a stream (ScriptLineSplitter) and `run` reads it whole
/// (Script): both must cut the same bytes into the same lines (a BOM skipped, lines ending
/// at `\n`, trailing CRs dropped, a final `\n` starting no empty line), whatever the sizes
/// of the chunks the stream comes in.
final class ScriptStreamTests: XCTestCase {
    func testTheSplitterCutsLinesAsScriptDoesInAnyChunks() {
        var rng = SplitMix(seed: 23)
        let alphabet: [UInt8] = Array("ab \r\n\n".utf8)
        for round in 0..<500 {
            var bytes: [UInt8] = round % 5 == 0 ? [0xEF, 0xBB, 0xBF] : []
            if round % 7 == 0 { bytes += [0xEF, 0xBB] }              // half a BOM: not one
            for _ in 0..<Int(rng.next() % 40) { bytes.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            let script = Script.parse(bytes)
            let expected = (0..<script.lineCount).map { Array(script.lineBytes($0 + 1)) }

            var splitter = ScriptLineSplitter()
            var lines: [[UInt8]] = []
            var numbers: [Int] = []
            var rest = bytes[...]
            while !rest.isEmpty {
                let n = min(rest.count, 1 + Int(rng.next() % 5))
                Array(rest.prefix(n)).withUnsafeBufferPointer { chunk in
                    splitter.feed(chunk) { number, line in numbers.append(number); lines.append(Array(line)) }
                }
                rest = rest.dropFirst(n)
            }
            splitter.finish { number, line in numbers.append(number); lines.append(Array(line)) }
            XCTAssertEqual(lines, expected, "round \(round): \(bytes)")
            XCTAssertEqual(numbers, (0..<lines.count).map { $0 + 1 })
        }
    }
}
