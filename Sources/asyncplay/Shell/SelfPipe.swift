import Glibc

/// A pipe that a signal handler or another thread writes one byte into, so that a
/// `poll()` somewhere else wakes up (the "self-pipe trick").
///
/// Both ends are non-blocking: a writer never blocks on a full pipe (one unread byte
/// is already enough to wake the reader), and `drain()` never blocks the reader.
final class SelfPipe: @unchecked Sendable {
    /// Poll this end for `POLLIN`.
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            fatalError("asyncplay: cannot create a pipe (errno \(errno))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // not inherited by child processes
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Wakes whoever polls `readFD`. Async-signal-safe: one `write(2)`, no allocation,
    /// and `errno` is restored because the interrupted code may be about to read it.
    func notify() {
        let savedErrno = errno
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
        errno = savedErrno
    }

    /// Empties the pipe. Returns whether there was anything in it.
    @discardableResult
    func drain() -> Bool {
        var sawData = false
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while true {
            let count = withUnsafeMutableBytes(of: &buffer) { read(readFD, $0.baseAddress, $0.count) }
            if count > 0 {
                sawData = true
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return sawData  // 0: cannot happen (we hold the write end); -1: EAGAIN, empty
            }
        }
    }

    /// Waits until the pipe is readable or `timeoutMilliseconds` pass (-1: forever).
    /// Returns whether it is readable; false early if a signal interrupts the wait
    /// (callers re-check their own state and wait again). Does not drain the pipe.
    func waitReadable(timeoutMilliseconds: Int32) -> Bool {
        var entry = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, timeoutMilliseconds) > 0
    }
}
