import XCTest
@testable import AsyncPlay

/// The parser tells commands by `CommandWord`: it must know exactly `Keywords.commands`.
final class CommandWordTests: XCTestCase {
    func testRecognisesExactlyTheCommands() {
        let words = Keywords.all.union(Keywords.commands).union(["spawns", "spaw", "Spawn", "tim", "timelines", "x", ""])
        for w in words {
            var bytes = Array(w.utf8)
            let recognised = bytes.withUnsafeMutableBufferPointer { CommandWord(UnsafeBufferPointer($0)) }
            XCTAssertEqual(recognised != nil, Keywords.commands.contains(w), w)
            if let recognised { XCTAssertEqual("\(recognised.spelling)", w) }
        }
    }
}
