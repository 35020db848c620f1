#if canImport(Glibc)
import Glibc
#endif

/// The shell's history on disk: one entry per line, UTF-8, oldest first.
///
/// Every change rewrites the whole file into a temporary file in the same folder and
/// rename()s it over the old one, so a reader sees either the old or the new file, never
/// half of one. Writers also hold an flock() on a lock file while they read, merge and
/// rename, so two shells adding lines at once keep both lines.
struct HistoryFile: Sendable {
    let path: String
    /// At most this many entries are kept (the oldest go first).
    let limit: Int

    /// Entries longer than this stay in the session's memory only: a pasted megabyte
    /// should not be rewritten to disk on every later command.
    static let longestStoredEntry = 64 * 1024

    init(path: String, limit: Int = 1000) {
        self.path = path
        self.limit = max(0, limit)
    }

    /// `$XDG_STATE_HOME/asyncplay/history`, else `~/.local/state/asyncplay/history`;
    /// nil when there is no home directory to be found.
    static func defaultPath(environment: [String: String] = StandardStreams.environmentVariables) -> String? {
        // The XDG spec says relative paths in these variables are invalid and must be ignored.
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/asyncplay/history"
        }
        var home = environment["HOME"] ?? ""
        if home.isEmpty, let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
            home = String(cString: directory)
        }
        guard home.hasPrefix("/") else { return nil }
        return home + "/.local/state/asyncplay/history"
    }

    /// The stored entries, oldest first; empty if the file does not exist or cannot be read.
    func load() -> [String] {
        guard let data = try? StandardStreams.readAll(path: path) else { return [] }
        let entries = String(decoding: data, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map(String.init)
        return Array(entries.suffix(limit))
    }

    /// Appends `entry` to what is on disk now (which may include lines another shell
    /// added meanwhile), unless it repeats the last stored line, and trims to `limit`.
    func append(_ entry: String) throws {
        guard limit > 0, Self.isStorable(entry) else { return }
        try withLock {
            var entries = load()
            if entries.last == entry { return }
            entries.append(entry)
            try replace(with: entries.suffix(limit))
        }
    }

    /// Replaces the file's contents with `entries` (the last `limit` of them).
    func save(_ entries: [String]) throws {
        try withLock {
            try replace(with: entries.filter(Self.isStorable).suffix(limit))
        }
    }

    static func isStorable(_ entry: String) -> Bool {
        !entry.contains("\n") && !entry.contains("\r") && entry.utf8.count <= longestStoredEntry
    }

    private var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try createDirectory()
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HistoryFileError.cannotWrite(lockPath, errno: errno) }
        defer { close(fd) }  // closing releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw HistoryFileError.cannotWrite(lockPath, errno: errno) }
        }
        return try body()
    }

    /// mkdir -p, with 0700 for the folders it creates: history can hold anything a person typed.
    private func createDirectory() throws {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw HistoryFileError.cannotWrite(prefix, errno: errno)
            }
        }
    }

    private func replace<C: Collection>(with entries: C) throws where C.Element == String {
        var text = entries.joined(separator: "\n")
        if !entries.isEmpty { text += "\n" }
        var template = Array((directory + "/.history-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw HistoryFileError.cannotWrite(directory, errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporaryPath = String(cString: template)
        var failure: Int32 = 0
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        fchmod(fd, 0o600)
        close(fd)
        if failure == 0 && rename(temporaryPath, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporaryPath)
            throw HistoryFileError.cannotWrite(path, errno: failure)
        }
    }
}

enum HistoryFileError: Error, CustomStringConvertible {
    case cannotWrite(String, errno: Int32)

    var description: String {
        switch self {
        case .cannotWrite(let path, let code):
            return "history not saved: \(path): \(String(cString: strerror(code)))"
        }
    }
}
