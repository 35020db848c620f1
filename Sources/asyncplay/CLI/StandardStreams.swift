#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncPlay
import ArgumentParser

/// Writing to the process's file descriptors, whole buffers at a time.
enum StandardStreams {
    /// Writes every byte (retrying interrupted writes); returns 0 or the errno that stopped it.
    @discardableResult
    static func writeFully(_ bytes: [UInt8], to fd: Int32) -> Int32 {
        bytes.withUnsafeBytes { writeFully($0, to: fd) }
    }

    static func writeFully(_ raw: UnsafeRawBufferPointer, to fd: Int32) -> Int32 {
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { write($0, to: fd) }
    }

    static func write(_ raw: UnsafeRawBufferPointer, to fd: Int32) {
        // The reader went away (`| head`): stop quietly, as a filter does, with the
        // status a shell would report for SIGPIPE.
        if writeFully(raw, to: fd) == EPIPE { exit(141) }
    }

    static func stdout(_ s: String) { write(Array(s.utf8), to: 1) }
    static func stderr(_ s: String) { write(Array(s.utf8), to: 2) }

    /// A buffer that drains to stdout in 64 KiB chunks (or at every write, for live output).
    static func stdoutBuffer(live: Bool = false) -> OutputBuffer {
        OutputBuffer(threshold: live ? 1 : 1 << 16) { write($0, to: 1) }
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The process environment, without Foundation (loading it costs start-up time).
    static var environmentVariables: [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }

    static func environment(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        return String(cString: v)
    }

    /// Reads a script for a command: on failure says why on stderr and exits with 2.
    static func readScript(_ path: String) throws -> [UInt8] {
        do {
            return try readAll(path: path)
        } catch {
            stderr("asyncplay: \(error)\n")
            throw ExitCode(2)
        }
    }

    /// Reads a whole file, or stdin for `-`; more than `limit` bytes is an error.
    static func readAll(path: String, limit: Int = Limits.standard.maxScriptBytes) throws -> [UInt8] {
        let (fd, _) = try openForReading(path)
        defer { if fd != 0 { close(fd) } }
        return try readAll(fd, path: path, limit: limit)
    }

    /// Opens a file to read (stdin for `-`, which is not to be closed) and tells whether
    /// it is a regular file; a folder is an error.
    static func openForReading(_ path: String) throws -> (fd: Int32, regular: Bool) {
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else { throw CLIError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        var st = stat()
        let known = fstat(fd, &st) == 0
        if known && (st.st_mode & S_IFMT) == S_IFDIR {
            if fd != 0 { close(fd) }
            throw CLIError("'\(path)' is a directory")
        }
        return (fd, known && (st.st_mode & S_IFMT) == S_IFREG)
    }

    /// Everything left to read from `fd`; more than `limit` bytes is an error.
    static func readAll(_ fd: Int32, path: String, limit: Int) throws -> [UInt8] {
        var st = stat()
        var out: [UInt8] = []
        // A regular file's size is known: room for exactly that, not a doubling array
        // that can end up twice the file.
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_size > 0 && st.st_size <= limit {
            out.reserveCapacity(Int(st.st_size))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw readFailure(path)
            }
            if n == 0 { break }
            if out.count + n > limit { throw tooLarge(path, limit: limit) }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func readFailure(_ path: String) -> CLIError {
        CLIError("cannot read '\(path)': \(String(cString: strerror(errno)))")
    }

    static func tooLarge(_ path: String, limit: Int) -> CLIError {
        CLIError("'\(path == "-" ? "<stdin>" : path)' is larger than \(limit >> 20) MiB, the most a script may hold")
    }

    /// Writes a file atomically: a temporary file in the same folder, then rename, so a
    /// crash or two writers at once never leave a half-written file.
    /// Any failure (a full disk, say) leaves the old file as it was and is reported: the
    /// temporary file is renamed over it only once every byte is written and synced.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let file = try AtomicFile(path)
        try bytes.withUnsafeBytes { try file.write($0) }
        try file.commit()
    }
}

/// A file written through a temporary file beside it (`StandardStreams.writeAtomically`),
/// piece by piece: `commit` renames it into place once every byte is written and synced;
/// a failure, `discard`, or dropping it uncommitted removes it and leaves `path` as it was.
final class AtomicFile {
    let path: String
    private let temporary: String
    private var fd: Int32
    private var done = false

    init(_ path: String) throws {
        self.path = path
        // A fresh name (O_EXCL): two writers, or a file left by a killed one, never share it.
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw AtomicFile.failure(path, errno) }
        temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { discard() }

    private static func failure(_ path: String, _ code: Int32) -> CLIError {
        CLIError("cannot write '\(path)': \(String(cString: strerror(code)))")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let code = StandardStreams.writeFully(bytes, to: fd)
        if code != 0 {
            discard()
            throw AtomicFile.failure(path, code)
        }
    }

    func commit() throws {
        var code: Int32 = 0
        let mask = umask(0)               // mkstemp makes 0600; give the usual 0644 less the umask
        umask(mask)
        if fchmod(fd, 0o644 & ~mask) != 0 { code = errno }
        if code == 0 && fsync(fd) != 0 { code = errno }
        if close(fd) != 0 && code == 0 { code = errno }
        fd = -1
        if code == 0 && rename(temporary, path) != 0 { code = errno }
        if code != 0 {
            discard()
            throw AtomicFile.failure(path, code)
        }
        done = true
    }

    /// Removes the temporary file (nothing once committed).
    func discard() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporary)
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
