import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// Bytes on their way out. Renderers append here; whoever owns the buffer decides where
/// the bytes go (stdout, a file, a test's string) and when (`flush`).
///
/// The bytes live in memory the buffer manages itself: an append is a capacity check and
/// a copy, with none of `[UInt8].append(contentsOf:)`'s generic path (PERFORMANCE.md).
public final class OutputBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let drain: ((UnsafeRawBufferPointer) -> Void)?
    private let threshold: Int
    /// The text of the last stamp `writeStamp` wrote in the 10-byte form (bytes 0–7
    /// and 8–9), and its time.
    private var stamp: (time: Int64, head: UInt64, tail: UInt16) = (0, 0, 0)

    /// `drain` receives full chunks of at least `threshold` bytes, and the rest on `flush`,
    /// lent for the length of the call (copying them into an array first cost about an
    /// instruction per byte written). Without a drain, everything stays in `bytes`.
    public init(threshold: Int = 1 << 16, drain: ((UnsafeRawBufferPointer) -> Void)? = nil) {
        self.drain = drain
        self.threshold = threshold
        capacity = drain == nil ? 4096 : threshold + 1024
        storage = .allocate(capacity: capacity)
        _ = keepStamp(0)
    }

    deinit { storage.deallocate() }

    /// What was written and not yet drained.
    public var bytes: [UInt8] {
        // One memcpy; `Array(UnsafeBufferPointer)` copied byte by byte.
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.update(from: storage, count: count) }
            initialized = count
        }
    }

    /// How many bytes were written and not yet drained.
    var writtenCount: Int { count }

    /// The bytes written and not yet drained, lent for the call.
    func withWritten<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: storage, count: count))
    }

    public var text: String { String(decoding: UnsafeBufferPointer(start: storage, count: count), as: UTF8.self) }

    /// Room for `n` more bytes at the returned address; `commit` says how many were used.
    @inline(__always)
    func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < n { makeRoom(n) }
        return storage + count
    }

    @inline(__always)
    func commit(_ n: Int) { count += n }

    /// Drains a full chunk if there is a drain, else (or if still too small) grows.
    @inline(never)
    private func makeRoom(_ n: Int) {
        if drain != nil && count >= threshold { flush() }
        guard capacity - count < n else { return }
        let newCapacity = max(capacity * 2, count + n)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    @inline(__always)
    func write(_ p: UnsafeRawBufferPointer) {
        let n = p.count
        guard n > 0 else { return }
        reserve(n).update(from: p.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    @inline(__always)
    public func write(_ s: String) {
        withUTF8(s) { write(UnsafeRawBufferPointer($0)) }
    }

    /// The string's UTF-8 bytes in place (iterating `utf8` cost ten times more). Native
    /// and small strings lend their bytes without a copy of the String (a `var` copy
    /// cost a retain and a release a call); only a bridged one is made contiguous.
    @inline(__always)
    func withUTF8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var s = s
        return s.withUTF8(body)
    }

    /// `head`, the string and `tail` with one capacity check: most transcript lines are
    /// a name or an input between two literals.
    @inline(__always)
    func write(_ head: StaticString, _ s: String, _ tail: StaticString) {
        withUTF8(s) { u in
            let h = head.utf8CodeUnitCount, n = u.count, t = tail.utf8CodeUnitCount
            let p = reserve(h + n + t)
            p.update(from: head.utf8Start, count: h)
            if n > 0 { (p + h).update(from: u.baseAddress!, count: n) }
            (p + h + n).update(from: tail.utf8Start, count: t)
            count += h + n + t
        }
    }

    @inline(__always)
    func write(byte: UInt8) {
        reserve(1).pointee = byte
        count += 1
    }

    /// Appends a literal's bytes (no String is made).
    @inline(__always)
    func write(literal: StaticString) {
        write(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends seconds with three decimals (`12.345`) without building a String.
    func writeSeconds(_ us: Int64) {
        if us < 0 { write(byte: UInt8(ascii: "-")) }
        let ms = (us.magnitude + 500) / 1000
        writeInt(ms / 1000)
        let frac = Int(ms % 1000)
        let p = reserve(4)
        p[0] = UInt8(ascii: ".")
        p[1] = UInt8(truncatingIfNeeded: 48 + frac / 100)
        p[2] = UInt8(truncatingIfNeeded: 48 + (frac / 10) % 10)
        p[3] = UInt8(truncatingIfNeeded: 48 + frac % 10)
        count += 4
    }

    /// A transcript line's time, `  [1.234] `. Lines in a row mostly share their time:
    /// the last stamp's 10 bytes are kept, and a repeat is two stores instead of four
    /// divisions and ten byte writes.
    @inline(__always)
    func writeStamp(_ us: Int64) {
        guard us == stamp.time else { writeNewStamp(us); return }
        let p = UnsafeMutableRawPointer(reserve(10))
        p.storeBytes(of: stamp.head, as: UInt64.self)
        p.storeBytes(of: stamp.tail, toByteOffset: 8, as: UInt16.self)
        count += 10
    }

    @inline(never)
    private func writeNewStamp(_ us: Int64) {
        if keepStamp(us) {
            writeStamp(us)
        } else {
            write(literal: "  [")
            writeSeconds(us)
            write(literal: "] ")
        }
    }

    /// Makes `us` the kept stamp, when its text has the 10-byte form (under 10 s).
    private func keepStamp(_ us: Int64) -> Bool {
        guard us >= 0 && us < 9_999_500 else { return false }
        let ms = Int(us + 500) / 1000
        var text: (head: UInt64, tail: UInt16) = (0, 0)
        withUnsafeMutableBytes(of: &text) { p in
            p[0] = 0x20; p[1] = 0x20; p[2] = UInt8(ascii: "[")
            p[3] = UInt8(truncatingIfNeeded: 48 + ms / 1000)
            p[4] = UInt8(ascii: ".")
            p[5] = UInt8(truncatingIfNeeded: 48 + (ms / 100) % 10)
            p[6] = UInt8(truncatingIfNeeded: 48 + (ms / 10) % 10)
            p[7] = UInt8(truncatingIfNeeded: 48 + ms % 10)
            p[8] = UInt8(ascii: "]"); p[9] = 0x20
        }
        stamp = (us, text.head, text.tail)
        return true
    }

    func writeInt(_ v: Int64) {
        if v < 0 { write(byte: UInt8(ascii: "-")) }
        writeInt(v.magnitude)
    }

    func writeInt(_ v: Int) { writeInt(Int64(v)) }

    /// Decimal digits, written backwards into place (at most 20 of them).
    func writeInt(_ v: UInt64) {
        if v < 10 { write(byte: UInt8(truncatingIfNeeded: 48 + v)); return }
        var digits = 0
        var rest = v
        while rest > 0 { digits += 1; rest /= 10 }
        let p = reserve(digits)
        rest = v
        for i in stride(from: digits - 1, through: 0, by: -1) {
            p[i] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        }
        count += digits
    }

    /// Forgets what was written (after the owner has taken `text`).
    public func discard() { count = 0 }

    public func flush() {
        guard let drain, count > 0 else { return }
        drain(UnsafeRawBufferPointer(start: storage, count: count))
        count = 0
    }
}

extension OutputBuffer {
    /// Writes `s` between two `quote` bytes when none of its bytes needs an escape (see
    /// `EscapeCheck`), and returns true; otherwise writes nothing and returns false (the
    /// caller escapes). Most strings (task names, values) need none: the bytes are checked
    /// while they are copied, a word at a time.
    @inline(__always)
    func writeQuoted(_ s: String, quote: UInt8, asciiOnly: Bool) -> Bool {
        withUTF8(s) { u -> Bool in
            let n = u.count
            let p = reserve(n + 2)
            if n > 0 {
                let check = EscapeCheck(quote: quote, asciiOnly: asciiOnly)
                let from = UnsafeRawPointer(u.baseAddress!), to = UnsafeMutableRawPointer(p + 1)
                let escape: Bool
                switch n {
                case 8...: escape = check.copy(UInt64.self, from: from, to: to, count: n)
                case 4...: escape = check.copy(UInt32.self, from: from, to: to, count: n)
                case 2...: escape = check.copy(UInt16.self, from: from, to: to, count: n)
                default: escape = check.copy(UInt8.self, from: from, to: to, count: n)
                }
                guard !escape else { return false }
            }
            p[0] = quote
            p[n + 1] = quote
            commit(n + 2)
            return true
        }
    }
}

/// The bytes a quoted string cannot hold as they are: control bytes (below 0x20), the
/// quote, a backslash and, when `asciiOnly` (Python's repr), 0x7F and above. Tested on
/// whole words with the usual bit tricks (a short name is one or two words), not byte by
/// byte: every value a transcript prints goes through it.
struct EscapeCheck {
    let quote: UInt8
    let asciiOnly: Bool

    /// Copies `n` bytes (at least one word's worth) a word at a time, the last word
    /// overlapping the one before, and tells whether one of them needs an escape.
    @inline(__always)
    func copy<W: FixedWidthInteger & UnsignedInteger>(_: W.Type, from: UnsafeRawPointer, to: UnsafeMutableRawPointer,
                                                     count n: Int) -> Bool {
        let size = MemoryLayout<W>.size
        var found: W = 0
        var i = 0
        repeat {
            let at = min(i, n - size)
            let w = from.loadUnaligned(fromByteOffset: at, as: W.self)
            to.storeBytes(of: w, toByteOffset: at, as: W.self)
            found |= needsEscape(w)
            i += size
        } while i < n
        return found != 0
    }

    /// Nonzero when a byte of `x` needs an escape. Each test sets the high bit of some
    /// byte exactly when one exists (a borrow may mark a byte above a hit, never a word
    /// without one).
    @inline(__always)
    func needsEscape<W: FixedWidthInteger & UnsignedInteger>(_ x: W) -> W {
        let ones = W.max / 0xFF, high = ones &* 0x80
        func zeroByte(_ v: W) -> W { (v &- ones) & ~v & high }
        var found = (x &- ones &* 0x20) & ~x & high                    // below 0x20
        found |= zeroByte(x ^ (ones &* W(quote))) | zeroByte(x ^ (ones &* 0x5C))
        if asciiOnly { found |= ((x &+ ones) | x) & high }               // 0x7F and above
        return found
    }
}

extension OutputBuffer {
    /// `[a, b, c]`: the items between square brackets, `separator` between them (JSON
    /// writes ",", Python's repr ", ").
    @inline(__always)
    func writeList<Items: Sequence>(_ items: Items, separator: StaticString, _ writeItem: (Items.Element) -> Void) {
        write(byte: UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { write(literal: separator) }
            first = false
            writeItem(item)
        }
        write(byte: UInt8(ascii: "]"))
    }
}


extension OutputBuffer {
    /// Characters of what was written (one a byte when it is all ASCII).
    var displayWidth: Int {
        withWritten { b in
            b.allSatisfy { $0 < 0x80 } ? b.count : String(decoding: b, as: UTF8.self).count
        }
    }
}
