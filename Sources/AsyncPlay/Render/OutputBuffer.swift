/// Bytes on their way out. Renderers append here; whoever owns the buffer decides where
/// the bytes go (stdout, a file, a test's string) and when (`flush`).
public final class OutputBuffer {
    public private(set) var bytes: [UInt8] = []
    private let drain: (([UInt8]) -> Void)?
    private let threshold: Int

    /// `drain` receives full chunks of at least `threshold` bytes, and the rest on `flush`.
    /// Without a drain, everything stays in `bytes` (tests, transcripts).
    public init(threshold: Int = 1 << 16, drain: (([UInt8]) -> Void)? = nil) {
        self.drain = drain
        self.threshold = threshold
        bytes.reserveCapacity(drain == nil ? 4096 : threshold + 1024)
    }

    @inline(__always)
    public func write(_ s: String) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) {
            _ = done
        } else {
            bytes.append(contentsOf: s.utf8)
        }
        if drain != nil && bytes.count >= threshold { flush() }
    }

    @inline(__always)
    func write(byte: UInt8) { bytes.append(byte) }

    /// Appends a literal's bytes (no String is made).
    @inline(__always)
    func write(literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends seconds with three decimals (`12.345`) without building a String.
    func writeSeconds(_ us: Int64) {
        if us < 0 { bytes.append(UInt8(ascii: "-")); writeSeconds(-us); return }
        let ms = (us + 500) / 1000
        let whole = ms / 1000
        if whole < 10 { bytes.append(UInt8(48 + whole)) } else { writeInt(whole) }
        bytes.append(UInt8(ascii: "."))
        let frac = Int(ms % 1000)
        bytes.append(UInt8(48 + frac / 100))
        bytes.append(UInt8(48 + (frac / 10) % 10))
        bytes.append(UInt8(48 + frac % 10))
    }

    func writeInt(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")); writeInt(-v); return }
        if v >= 10 { writeInt(v / 10) }
        bytes.append(UInt8(48 + v % 10))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Forgets what was written (after the owner has taken `text`).
    public func discard() { bytes.removeAll(keepingCapacity: true) }

    public func flush() {
        guard let drain, !bytes.isEmpty else { return }
        drain(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
