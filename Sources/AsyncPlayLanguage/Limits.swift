import AsyncPlayCore
/// Bounds that turn exhaustion into a clear diagnostic. High enough for the benchmark's
/// million tasks; documented in `--help` and the README.
public struct Limits: Sendable {
    /// Bytes in one script file (or standard input): `run /dev/zero` or an endless pipe
    /// is refused, not read into memory until it runs out.
    public var maxScriptBytes = 256 << 20
    /// Bytes in one source line (a 1 MB paste is refused, not parsed).
    public var maxLineBytes = 64 * 1024
    /// Steps in one coroutine body.
    public var maxStepsPerBody = 1000
    /// Tasks alive (not finished) at once in one loop.
    public var maxLiveTasks = 2_000_000
    /// Events kept for `timeline`, `why` and `tree`; past it the oldest details are dropped
    /// from pictures, never from the transcript (no picture of a million tasks is readable).
    public var maxKeptEvents = 1_000_000
    /// Syntax errors printed in full (with their line and caret); the rest are counted.
    /// `--json` lists every one.
    public var maxShownErrors = 100

    public init() {}
    public static let standard = Limits()
}
