import AsyncPlayCore
/// `DUR := number with unit ms | s | m` (a bare number is seconds), exact in decimal:
/// `1.0000005s` is 1000000.5 µs, rounded half-to-even to 1000000 µs as the oracle does.
enum DurationLiteral {
    enum Outcome: Equatable {
        case ok(TimeAmount)
        case notADuration
        case tooLong
    }

    static func parse(_ text: String) -> Outcome {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Parses the bytes of one word, with no allocation.
    static func parse(_ word: UnsafeBufferPointer<UInt8>) -> Outcome {
        var end = word.endIndex
        var unitMicros: Int64 = 1_000_000
        if end > word.startIndex && word[end - 1] == UInt8(ascii: "s") {
            end -= 1
            if end > word.startIndex && word[end - 1] == UInt8(ascii: "m") { end -= 1; unitMicros = 1000 }
        } else if end > word.startIndex && word[end - 1] == UInt8(ascii: "m") {
            end -= 1
            unitMicros = 60_000_000
        }
        // number := digits [. digits*] | . digits
        var whole: Int64 = 0
        var wholeDigits = 0            // significant digits of the integer part
        var sawDigit = false
        var i = word.startIndex
        while i < end, word[i] >= 48 && word[i] <= 57 {
            sawDigit = true
            if whole > 0 || word[i] != 48 { wholeDigits += 1 }
            if wholeDigits > 9 { return validNumber(word, from: i, to: end) ? .tooLong : .notADuration }
            whole = whole * 10 + Int64(word[i] - 48)
            i += 1
        }
        // Fraction: keep up to 17 digits exactly; beyond that only "was anything non-zero" matters.
        var fraction: UInt64 = 0
        var scale: UInt64 = 1
        var sticky = false
        if i < end && word[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, word[i] >= 48 && word[i] <= 57 {
                sawDigit = true
                if scale < 100_000_000_000_000_000 {
                    fraction = fraction * 10 + UInt64(word[i] - 48)
                    scale *= 10
                } else if word[i] != 48 {
                    sticky = true
                }
                i += 1
            }
        }
        guard i == end, sawDigit else { return .notADuration }
        var micros = whole * unitMicros
        if fraction > 0 || sticky {
            // fraction/scale units, in µs: fraction·unit/scale, rounded half to even.
            let p = fraction.multipliedFullWidth(by: UInt64(unitMicros))
            let (q, r) = scale.dividingFullWidth((high: p.high, low: p.low))
            var part = q
            let twice = r.multipliedReportingOverflow(by: 2)
            let twiceR = twice.overflow ? UInt64.max : twice.partialValue
            if twiceR > scale || (twiceR == scale && (sticky || q % 2 == 1)) {
                part += 1
            }
            micros += Int64(part)
        }
        return micros > TimeAmount.maximum.microseconds ? .tooLong : .ok(TimeAmount(microseconds: micros))
    }

    /// Whether the rest of a long number is still a well-formed number (then it is merely too long).
    private static func validNumber(_ word: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Bool {
        var i = from
        while i < end, word[i] >= 48 && word[i] <= 57 { i += 1 }
        if i < end && word[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, word[i] >= 48 && word[i] <= 57 { i += 1 }
        }
        return i == end
    }
}
