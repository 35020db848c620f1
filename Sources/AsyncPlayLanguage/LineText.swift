import AsyncPlayCore
/// A line's text as the learner wrote it: a range of bytes in the file it came from,
/// shared with the file rather than copied. A script's lines are echoed into the
/// transcript byte for byte, and making a String of each (most lines are too long to be
/// stored inline in one) was an allocation and a UTF-8 validation per line.
public struct LineText: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    private let storage: [UInt8]
    private let start: Int32
    public let count: Int32

    /// Bytes `start ..< start + count` of `storage` (already valid UTF-8).
    init(_ storage: [UInt8], start: Int, count: Int) {
        self.storage = storage
        self.start = Int32(start)
        self.count = Int32(count)
    }

    public init(_ string: String) {
        let bytes = Array(string.utf8)
        self.init(bytes, start: 0, count: bytes.count)
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var isEmpty: Bool { count == 0 }

    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        storage.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[Int(start) ..< Int(start) + Int(count)]))
        }
    }

    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
    public var description: String { string }
}

/// One line main ran, as typed.
public struct InputLine: Sendable {
    public let line: Int
    public let text: String

    public init(line: Int, text: String) {
        self.line = line
        self.text = text
    }
}
