import AsyncPlayCore
/// What a coroutine does, in order, and what it returns (its own name when `value` is nil).
///
/// Every task keeps its body until it ends, so a million tasks keep a million: the usual
/// body (one step, no value) is stored inline, with no allocation; further steps and a
/// value live in one shared object.
public struct Body: Equatable, Sendable {
    private let first: Step
    private let extra: Extra?

    /// The rare part of a body: the steps after the first, and the value.
    private final class Extra: Sendable {
        let rest: [Step]
        let value: PyValue?
        init(rest: [Step], value: PyValue?) {
            self.rest = rest
            self.value = value
        }
    }

    public init(first: Step, rest: [Step] = [], value: PyValue? = nil) {
        self.first = first
        extra = rest.isEmpty && value == nil ? nil : Extra(rest: rest, value: value)
    }

    public var value: PyValue? { extra?.value }
    public var stepCount: Int { 1 + (extra?.rest.count ?? 0) }

    /// Step `i` (0-based), without copying the steps.
    public func step(at i: Int) -> Step { i == 0 ? first : extra!.rest[i - 1] }

    /// All the steps, in a new array (for cold paths: export, tests).
    public var steps: [Step] { [first] + (extra?.rest ?? []) }

    public static func == (a: Body, b: Body) -> Bool { a.steps == b.steps && a.value == b.value }
}
