import XCTest
import AsyncPlay
@testable import AsyncPlayLanguage

/// One table of commands: the parser, the keywords, help and JSON all read it.
final class CommandTableTests: XCTestCase {
    /// The parser tells a command word from its bytes: exactly the table's spellings.
    func testTheParserKnowsExactlyTheTablesCommands() {
        let words = Keywords.all.union(Keywords.commands).union(["spawns", "spaw", "Spawn", "tim", "timelines", "x", "", "--svg"])
        for w in words {
            var bytes = Array(w.utf8)
            let recognised = bytes.withUnsafeMutableBufferPointer { CommandWord(UnsafeBufferPointer($0)) }
            XCTAssertEqual(recognised != nil, CommandTable.spellings.contains(w), w)
            if let recognised { XCTAssertEqual(recognised.rawValue, w) }
        }
        XCTAssertEqual(Set(CommandTable.spellings), Set(CommandWord.allCases.map(\.rawValue)))
    }

    /// Every reserved command and its reserved options are keywords; `tree`, `why` and
    /// `export` (added after the SPEC's list) stay free as task names.
    func testReservedWordsAreKeywords() {
        for row in CommandTable.rows {
            XCTAssertEqual(Keywords.isKeyword(row.spelling), row.reserved, row.spelling)
            for option in row.reservedOptions { XCTAssertTrue(Keywords.isKeyword(option), option) }
        }
        XCTAssertFalse(Keywords.isKeyword("ascii"))         // timeline's options are not reserved
        XCTAssertTrue(Keywords.isKeyword("return_exceptions"))
    }

    /// Each command has a help topic under its canonical word, showing the table's usage.
    func testEveryCommandHasHelpWithTheTablesUsage() {
        for row in CommandTable.rows where row.aliasOf == nil {
            XCTAssertTrue(Help.topics.contains(row.spelling), row.spelling)
            let text = Help.text(topic: row.spelling, language: .english, style: TextStyle(color: false), width: 1000)
            XCTAssertTrue(text.contains(row.usage), "help \(row.spelling) shows \(row.usage)")
        }
    }

    /// JSON Lines names a command by its canonical word (`ps` is `status`).
    func testAliasesAreNamedByTheirCommand() throws {
        guard case .success(let line?) = Script.parseLine("ps; quit", number: 1) else { return XCTFail("not parsed") }
        XCTAssertEqual(line.commands.map(\.keyword), ["status", "exit"])
        XCTAssertEqual(CommandWord.ps.canonical, .status)
        XCTAssertEqual(CommandWord.quit.canonical, .exit)
        XCTAssertEqual(CommandWord.gather.canonical, .gather)
    }
}
