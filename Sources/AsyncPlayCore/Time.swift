/// Loop time, in whole microseconds: the SPEC's resolution, and integers keep equal
/// deadlines exactly equal (floats would not). Types, not Doubles, so that a deadline
/// cannot be added to a deadline.
public struct TimeAmount: Comparable, Hashable, Sendable {
    public var microseconds: Int64
    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static let zero = TimeAmount(microseconds: 0)
    public static func milliseconds(_ ms: Int64) -> TimeAmount { TimeAmount(microseconds: ms * 1000) }
    public static func seconds(_ s: Int64) -> TimeAmount { TimeAmount(microseconds: s * 1_000_000) }
    /// The SPEC's limit for one duration: 24 hours.
    public static let maximum = TimeAmount.seconds(24 * 3600)

    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (a: TimeAmount, b: TimeAmount) -> Bool { a.microseconds < b.microseconds }
    public static func + (a: TimeAmount, b: TimeAmount) -> TimeAmount { TimeAmount(microseconds: a.microseconds + b.microseconds) }
    public static func - (a: TimeAmount, b: TimeAmount) -> TimeAmount { TimeAmount(microseconds: a.microseconds - b.microseconds) }
}

/// A point on the loop's clock: microseconds since the loop began (t = 0).
public struct Instant: Comparable, Hashable, Sendable {
    public var microseconds: Int64
    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static let start = Instant(microseconds: 0)

    /// `loop.time()` in seconds, as JSON shows it.
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (a: Instant, b: Instant) -> Bool { a.microseconds < b.microseconds }
    public static func + (a: Instant, b: TimeAmount) -> Instant { Instant(microseconds: a.microseconds + b.microseconds) }
    public static func - (a: Instant, b: Instant) -> TimeAmount { TimeAmount(microseconds: a.microseconds - b.microseconds) }
}

/// Seconds with three decimals, as transcripts show every time: `1.000`, `12.345`.
public func formatSeconds(_ us: Int64) -> String {
    // Round half away from zero to milliseconds, in integers (no float drift).
    let negative = us < 0
    let ms = (abs(us) + 500) / 1000
    let frac = ms % 1000
    let pad = frac < 10 ? "00" : (frac < 100 ? "0" : "")
    return (negative ? "-" : "") + String(ms / 1000) + "." + pad + String(frac)
}

/// Seconds with as few digits as they need: `0`, `0.5`, `1`, `0.025`, `0.000001` (a tick
/// label, a duration in an exported program).
public func formatShortSeconds(_ us: Int64) -> String {
    let whole = us / 1_000_000
    var frac = us % 1_000_000
    if frac == 0 { return String(whole) }
    var digits = 6
    while frac % 10 == 0 { frac /= 10; digits -= 1 }
    let f = String(frac)
    return String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
}
