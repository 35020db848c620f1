import XCTest
import AsyncPlay
@testable import AsyncPlayRender

/// The transcript's byte writers: the kept stamp text must never leak into a line of
/// another time, a line written with one capacity check must hold exactly its three
/// parts, the word-at-a-time escape check must agree with the byte rules everywhere in
/// a string, and a list of reprs must read as Python's, whichever path each item takes.
final class OutputBufferTests: XCTestCase {
    /// `  [s.mmm] ` from the rounding rule, without the buffer's code.
    private func expectedStamp(_ us: Int64) -> String {
        let ms = (us.magnitude + 500) / 1000
        let frac = String(ms % 1000)
        return "  [" + (us < 0 ? "-" : "") + "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac + "] "
    }

    func testStampsRepeatedChangedAndOutOfTheShortForm() {
        let times: [Int64] = [0, 0, 499, 500, 500, 999, 1000, 1000, 1499, 1500, 42_000, 42_000, 9_999_499, 9_999_500,
                              9_999_500, 12_345_678, 0, -1, -1, -1500, 3_600_000_000, 7, 7]
        let out = OutputBuffer()
        var expected = ""
        for t in times {
            out.writeStamp(t)
            out.write(byte: UInt8(ascii: "|"))
            expected += expectedStamp(t) + "|"
        }
        XCTAssertEqual(out.text, expected)
    }

    func testStampsSurviveDrainsBetweenLines() {
        var drained: [UInt8] = []
        let out = OutputBuffer(threshold: 16) { drained += $0 }
        var expected = ""
        for i in 0..<300 {
            let t = Int64(i / 3) * 1_000 + Int64(i % 3)     // runs of equal and near-equal times
            out.writeStamp(t)
            out.write("", "T\(i)", " started\n")
            expected += expectedStamp(t) + "T\(i) started\n"
        }
        out.flush()
        XCTAssertEqual(String(decoding: drained, as: UTF8.self), expected)
    }

    func testLiteralStringLiteralWritesExactlyItsParts() {
        let strings = ["", "T5", "a name of exactly 16", String(repeating: "long ", count: 30), "tâche é ✓", "\u{0}x"]
        var drained: [UInt8] = []
        let out = OutputBuffer(threshold: 8) { drained += $0 }
        var expected = ""
        for s in strings {
            out.write(">>> ", s, "\n")
            out.write("", s, " done: ")
            expected += ">>> " + s + "\n" + s + " done: "
        }
        out.flush()
        XCTAssertEqual(String(decoding: drained, as: UTF8.self), expected)
    }

    /// Every byte value at every position of strings of 1 to 20 bytes (one to three words,
    /// overlapping or not), against the rules written byte by byte.
    func testEscapeCheckAgreesWithTheByteRules() {
        let rules: [(quote: UInt8, asciiOnly: Bool, plain: (UInt8) -> Bool)] = [
            (0x27, true, { $0 >= 0x20 && $0 < 0x7F && $0 != 0x27 && $0 != 0x5C }),     // Python repr
            (0x22, false, { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }),                 // JSON
        ]
        for rule in rules {
            let check = EscapeCheck(quote: rule.quote, asciiOnly: rule.asciiOnly)
            for n in 1...20 {
                for at in 0..<n {
                    for b in 0...255 {
                        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: n)
                        bytes[at] = UInt8(b)
                        var copied = [UInt8](repeating: 0, count: n)
                        let escape = bytes.withUnsafeBytes { from in
                            copied.withUnsafeMutableBytes { to in
                                switch n {
                                case 8...: check.copy(UInt64.self, from: from.baseAddress!, to: to.baseAddress!, count: n)
                                case 4...: check.copy(UInt32.self, from: from.baseAddress!, to: to.baseAddress!, count: n)
                                case 2...: check.copy(UInt16.self, from: from.baseAddress!, to: to.baseAddress!, count: n)
                                default: check.copy(UInt8.self, from: from.baseAddress!, to: to.baseAddress!, count: n)
                                }
                            }
                        }
                        XCTAssertEqual(escape, !rule.plain(UInt8(b)), "quote \(rule.quote), byte \(b) at \(at) of \(n)")
                        XCTAssertEqual(copied, bytes)
                    }
                }
            }
        }
    }

    func testQuotedStringsAsPythonAndJSONWriteThem() {
        for s in ["", "T5", "T12345", "exactly8", "sixteen bytes ok", "a longer name, of 27 bytes", "it's", "a\\b",
                  "say \"hi\"", "é", "tab\there", "del\u{7F}", "\u{0}"] {
            let repr = OutputBuffer()
            repr.writeRepr(string: s)
            XCTAssertEqual(repr.text, PyValue.string(s).repr)
            let json = OutputBuffer()
            json.writeJSON(string: s)
            let expected = String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed]),
                                  as: UTF8.self).dropFirst().dropLast()
            XCTAssertEqual(json.text, String(expected), s)
        }
    }

    func testListReprMatchesPythonsForEveryKindOfItem() {
        let values: [PyValue] = [
            .list([]),
            .list([.string("T0"), .string("T1")]),
            .list([.string("it's"), .string("a\\b"), .string("say \"hi\""), .string("é"), .string("tab\there"), .string("")]),
            .list([.none, .bool(true), .int("-3"), .float(0.5), .string("x"),
                   .list([.string("inner"), .list([])]), .exception(PyException("ValueError", "bad"))]),
        ]
        for v in values {
            let out = OutputBuffer()
            out.writeRepr(v)
            XCTAssertEqual(out.text, v.repr)
        }
    }
}
