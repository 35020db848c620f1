import XCTest
import AsyncPlay

/// `Body`: one step inline, the rest and the value aside; read the same either way.
final class BodyTests: XCTestCase {
    private func body(_ line: String) -> Body? {
        guard case .success(let l?) = Script.parseLine(line, number: 1),
              case .spawn(_, let body) = l.commands.first else { return nil }
        return body
    }

    func testOneStep() throws {
        let b = try XCTUnwrap(body("spawn A 250ms"))
        XCTAssertEqual(b.stepCount, 1)
        XCTAssertEqual(b.step(at: 0), .sleep(.milliseconds(250)))
        XCTAssertEqual(b.steps, [.sleep(.milliseconds(250))])
        XCTAssertNil(b.value)
    }

    func testStepsAndValue() throws {
        let b = try XCTUnwrap(body("spawn A 1s, cpu 2s, await B -> 7"))
        XCTAssertEqual(b.stepCount, 3)
        XCTAssertEqual(b.steps, [.sleep(.milliseconds(1000)), .cpu(.milliseconds(2000)), .await(NameRef(name: "B", column: 27))])
        XCTAssertEqual((0..<b.stepCount).map(b.step(at:)), b.steps)
        XCTAssertEqual(b.value, .int("7"))
        XCTAssertEqual(try XCTUnwrap(body("spawn A thread 1s -> 'x'")).value, .string("x"))
        XCTAssertEqual(try XCTUnwrap(body("spawn A fail KeyError 'k'")).steps, [.fail(type: "KeyError", message: "k")])
        XCTAssertNotEqual(body("spawn A 1s"), body("spawn A 1s -> 1"))
    }
}
