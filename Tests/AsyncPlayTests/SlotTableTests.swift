import XCTest
@testable import AsyncPlayCollections

/// A SlotTable is an array that its owner changes in place: elements keep their index,
/// survive growth, change field by field through the subscript, and are released when
/// the table goes (checked with weak references).
final class SlotTableTests: XCTestCase {
    private struct Row {
        var n: Int
        var label: String
    }

    func testElementsKeepTheirIndexThroughGrowthAndChangeInPlace() {
        let table = SlotTable<Row>()
        for i in 0..<1000 { XCTAssertEqual(table.append(Row(n: i, label: "r\(i)")), i) }
        XCTAssertEqual(table.count, 1000)
        for i in table.indices { table[i].n *= 2 }
        XCTAssertEqual(table[999].n, 1998)
        XCTAssertEqual(table[500].label, "r500")
        XCTAssertEqual(Array(table.map(\.n).prefix(3)), [0, 2, 4])
    }

    func testRemoveAllEmptiesAndTheTableIsUsableAgain() {
        let table = SlotTable<Row>(minimumCapacity: 4)
        for i in 0..<100 { table.append(Row(n: i, label: "")) }
        table.removeAll()
        XCTAssertTrue(table.isEmpty)
        XCTAssertEqual(table.append(Row(n: 7, label: "again")), 0)
        XCTAssertEqual(table[0].n, 7)
    }

    func testElementsAreReleasedWithTheTableOrOnRemoveAll() {
        final class Payload {}
        weak var first: Payload?
        weak var second: Payload?
        var table: SlotTable<Payload>? = SlotTable()
        do {
            let p = Payload(), q = Payload()
            first = p
            second = q
            table!.append(p)
            table!.append(q)
        }
        XCTAssertNotNil(first)
        table!.removeAll(keepingCapacity: true)
        XCTAssertNil(first, "removeAll lets go of the elements")
        table!.append(Payload())
        table = nil
        XCTAssertNil(second)
    }

    func testACellIsChangedInPlace() {
        let cell = Cell([1, 2])
        cell.value.append(3)
        XCTAssertEqual(cell.value, [1, 2, 3])
    }
}
