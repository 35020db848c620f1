import AsyncPlayCore
/// `asyncio.gather(*tasks, return_exceptions=…)`: a future over its children
/// (`_GatheringFuture`), finished by the children's done-callbacks.
package final class GatheringFuture: Future {
    let children: [Future]
    let returnExceptions: Bool
    private var finishedChildren = 0
    private let uniqueChildren: Int
    /// `_cancel_requested`: cancelling gather propagates as CancelledError even with return_exceptions.
    private var cancelRequested = false

    /// `gather()` with no arguments is an already-finished future with `[]`.
    /// `childrenAreUnique` (gathering every task) skips looking for a child named twice.
    package init(loop: EventLoop, children: [Future], returnExceptions: Bool, childrenAreUnique: Bool = false) {
        self.children = children
        self.returnExceptions = returnExceptions
        var unique = children
        if !childrenAreUnique {
            var seen = Set<ObjectIdentifier>()
            unique = children.filter { seen.insert(ObjectIdentifier($0)).inserted }
        }
        uniqueChildren = unique.count
        super.init(loop: loop)
        if children.isEmpty {
            setResult(.list([]))
            return
        }
        // Each child lent in place: a `for c in unique` loop retained and released every
        // task, a cache miss each at a million of them.
        unique.withUnsafeBufferPointer { children in
            for i in children.indices {
                Unmanaged.passUnretained(children[i])._withUnsafeGuaranteedRef { $0.addDoneCallback(self) }
            }
        }
    }

    /// `_GatheringFuture.cancel`: cancel the children, not the gather itself.
    func cancelChildren(message: String?) throws(AwaitCycle) -> Bool {
        if isDone { return false }
        var any = false
        for child in children where try cancelFuture(child, message: message) { any = true }
        if any { cancelRequested = true }
        return any
    }

    /// `gather`'s `_done_callback`, once per child.
    package override func futureDone(_ child: Future) {
        finishedChildren += 1
        if isDone {
            if !child.isCancelled { _ = child.retrieveException() }   // mark retrieved
            return
        }
        if !returnExceptions {
            if child.isCancelled {
                setException(child.makeCancelledError())
                return
            }
            if let e = child.retrieveException() {
                setException(e)
                return
            }
        }
        guard finishedChildren == uniqueChildren else { return }
        var results: [PyValue] = []
        results.reserveCapacity(children.count)
        children.withUnsafeBufferPointer { children in
            for i in children.indices {
                Unmanaged.passUnretained(children[i])._withUnsafeGuaranteedRef { c in
                    if c.isCancelled {
                        results.append(.exception(.cancelled(c.cancelMessage ?? "")))
                    } else if let e = c.retrieveException() {
                        results.append(.exception(e))
                    } else {
                        results.append(c.value)
                    }
                }
            }
        }
        if cancelRequested {
            // CPython reuses the loop variable here: the *last* child makes the error.
            setException(children.last!.makeCancelledError())
        } else {
            setResult(.list(results))
        }
    }
}
