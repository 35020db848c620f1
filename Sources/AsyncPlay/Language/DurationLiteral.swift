/// `DUR := number with unit ms | s | m` (a bare number is seconds), exact in decimal:
/// `1.0000005s` is 1000000.5 µs, rounded half-to-even to 1000000 µs as the oracle does.
enum DurationLiteral {
    enum Outcome: Equatable {
        case ok(TimeAmount)
        case notADuration
        case tooLong
    }

    static func parse(_ text: String) -> Outcome {
        var bytes = Array(text.utf8)
        var unitMicros: Int64 = 1_000_000
        if bytes.last == UInt8(ascii: "s") {
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "m") { bytes.removeLast(); unitMicros = 1000 }
        } else if bytes.last == UInt8(ascii: "m") {
            bytes.removeLast()
            unitMicros = 60_000_000
        }
        // number := digits [. digits*] | . digits
        var intDigits: [UInt8] = []
        var fracDigits: [UInt8] = []
        var seenDot = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if seenDot { return .notADuration }
                seenDot = true
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                if seenDot { fracDigits.append(b - 48) } else { intDigits.append(b - 48) }
            } else {
                return .notADuration
            }
        }
        if intDigits.isEmpty && fracDigits.isEmpty { return .notADuration }
        // Leading zeros do not change the value; more than 6 significant integer digits of
        // minutes already pass 24 h, so overflow cannot happen below.
        while intDigits.first == 0 { intDigits.removeFirst() }
        if intDigits.count > 9 { return .tooLong }
        var whole: Int64 = 0
        for d in intDigits { whole = whole * 10 + Int64(d) }
        var micros = whole * unitMicros
        // Fraction: value = frac / 10^k units; keep enough digits to round exactly.
        if !fracDigits.isEmpty {
            // unitMicros is 10^3, 10^6 or 6·10^7; scaling the fraction by it: exact with
            // big enough precision. Use at most 18 digits (beyond that only the sticky bit matters).
            let kept = Array(fracDigits.prefix(17))
            let sticky = fracDigits.dropFirst(17).contains(where: { $0 != 0 })
            var num: UInt64 = 0
            for d in kept { num = num * 10 + UInt64(d) }
            var den: UInt64 = 1
            for _ in kept { den *= 10 }
            // micros_frac = num * unit / den, rounded half-to-even (sticky breaks ties upward)
            let (q, r) = mulDiv(num, UInt64(unitMicros), den)
            var frac = q
            let twice = r.multipliedFullWidth(by: 2)
            let twiceR = twice.high == 0 ? twice.low : UInt64.max
            if twiceR > den || (twiceR == den && (sticky || q % 2 == 1)) {
                frac += 1
            } else if twiceR == den && sticky {
                frac += 1
            }
            micros += Int64(frac)
        }
        if micros > TimeAmount.maximum.microseconds { return .tooLong }
        return .ok(TimeAmount(microseconds: micros))
    }

    /// (a·b) / d and its remainder, without overflow.
    private static func mulDiv(_ a: UInt64, _ b: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let p = a.multipliedFullWidth(by: b)
        let (q, r) = d.dividingFullWidth((high: p.high, low: p.low))
        return (q, r)
    }
}
