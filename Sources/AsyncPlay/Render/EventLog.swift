/// The recorded history of a session: what `timeline`, `why` and `tree` are drawn from.
/// It keeps task and main events (not inputs or results), up to `limit` of them; past the
/// limit the oldest are dropped from pictures, never from the transcript.
public final class EventLog: RecordSink {
    public private(set) var taskEvents: [TaskEvent] = []
    public private(set) var mainEvents: [MainEvent] = []
    public private(set) var dropped = 0
    /// Events of earlier loops are cleared at `reset`: a picture shows one loop.
    private let limit: Int

    public init(limit: Int = Limits.standard.maxKeptEvents) { self.limit = limit }

    public func record(_ r: Record) {
        switch r {
        case .event(let e):
            if taskEvents.count >= limit {
                let cut = max(1, limit / 10)
                taskEvents.removeFirst(cut)
                dropped += cut
            }
            taskEvents.append(e)
        case .main(let m):
            if case .reset = m.kind {
                taskEvents.removeAll()
                mainEvents.removeAll()
                dropped = 0
            }
            mainEvents.append(m)
        default:
            break
        }
    }
}

/// Sends every record to several sinks, in order.
public final class FanoutSink: RecordSink {
    private let sinks: [RecordSink]
    public init(_ sinks: [RecordSink]) { self.sinks = sinks }
    public func record(_ r: Record) { for s in sinks { s.record(r) } }
}
