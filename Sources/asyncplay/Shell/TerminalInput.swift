import Glibc

/// Bytes read from the terminal, handed out one Unicode scalar at a time.
///
/// libedit's read-character hook must return wide characters, and a read(2) can end in
/// the middle of a UTF-8 sequence, so undecoded bytes wait here for the rest.
struct TerminalInput {
    private var bytes: [UInt8] = []
    private var start = 0

    enum ReadResult { case data, endOfFile, wouldBlock, failed }

    /// One read(2) from `fd` into the buffer.
    mutating func fill(from fd: Int32) -> ReadResult {
        if start > 0 && start == bytes.count {  // everything consumed: reuse the storage
            bytes.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 65536 {
            bytes.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 16384)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            bytes.append(contentsOf: chunk[0..<count])
            return .data
        }
        if count == 0 { return .endOfFile }
        switch errno {
        case EINTR, EAGAIN: return .wouldBlock
        case EIO: return .endOfFile  // the terminal hung up (Linux reports EIO on a closed pty)
        default: return .failed
        }
    }

    /// Forgets what was read and not yet handed out (keys typed before a Ctrl-C).
    mutating func discard() {
        bytes.removeAll(keepingCapacity: true)
        start = 0
    }

    /// The next complete scalar, or nil if the buffer holds none (empty, or the start of
    /// a sequence whose remaining bytes have not arrived). Malformed bytes become U+FFFD.
    mutating func next() -> Unicode.Scalar? {
        guard start < bytes.count else { return nil }
        let lead = bytes[start]
        if lead < 0x80 {
            start += 1
            return Unicode.Scalar(lead)
        }
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default:
            start += 1
            return "\u{FFFD}"
        }
        let available = min(length, bytes.count - start)
        for offset in 1..<available where !Self.isContinuation(bytes[start + offset]) {
            start += 1  // the sequence is cut short: drop its lead byte only
            return "\u{FFFD}"
        }
        if available < length { return nil }  // wait for the rest
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[start + offset] & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else {  // overlong, surrogate, > U+10FFFF
            start += 1
            return "\u{FFFD}"
        }
        start += length
        return scalar
    }

    /// Called at end of input: any dangling partial sequence becomes U+FFFD.
    mutating func flushIncomplete() -> Unicode.Scalar? {
        guard start < bytes.count else { return nil }
        start = bytes.count
        return "\u{FFFD}"
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
