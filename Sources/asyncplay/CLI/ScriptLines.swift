#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncPlay

/// A script read line by line, as many times as a command needs (`export python` reads it
/// in three passes), for a command whose memory must not grow with the script: a regular
/// file is read again from its start for each pass, a chunk at a time, and only the line
/// being read is held. Standard input, a pipe or a device cannot be read twice: those are
/// read whole, once, into memory (at most `limit` bytes, as any script), and the passes
/// read that copy (its lines are still not held parsed).
final class ScriptLines {
    let path: String
    private let limit: Int
    private let fd: Int32
    private let bytes: [UInt8]?

    /// Opens `path` (`-`: standard input). Fails as `StandardStreams.readAll` does.
    init(_ path: String, limit: Int = Limits.standard.maxScriptBytes) throws {
        self.path = path
        self.limit = limit
        let (fd, regular) = try StandardStreams.openForReading(path)
        // Standard input is read from where it stands, which may not be its start.
        if regular && path != "-" {
            self.fd = fd
            bytes = nil
        } else {
            defer { if fd != 0 { close(fd) } }
            bytes = try StandardStreams.readAll(fd, path: path, limit: limit)
            self.fd = -1
        }
    }

    deinit { if fd > 0 { close(fd) } }

    /// Hands every line to `body` (its number and its bytes, lent for the call), split as
    /// `Script` splits a file. Returns a fingerprint of the lines read: another pass over
    /// the same lines returns the same one (in this process), so a caller can tell that
    /// the file changed between two passes.
    func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int {
        var splitter = ScriptLineSplitter()
        var hasher = Hasher()
        func line(_ n: Int, _ b: UnsafeBufferPointer<UInt8>) throws {
            hasher.combine(b.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(b))
            try body(n, b)
        }
        if let bytes {
            try bytes.withUnsafeBufferPointer { try splitter.feed($0, line) }
        } else {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var offset = 0
            while true {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StandardStreams.readFailure(path)
                }
                if n == 0 { break }
                offset += n
                if offset > limit { throw StandardStreams.tooLarge(path, limit: limit) }
                try chunk.withUnsafeBufferPointer { try splitter.feed(UnsafeBufferPointer(rebasing: $0[..<n]), line) }
            }
        }
        try splitter.finish(line)
        hasher.combine(splitter.lineCount)
        return hasher.finalize()
    }
}
