import AsyncPlayCore
import AsyncPlayCollections
/// `asyncio.gather(*tasks, return_exceptions=…)`: a future over its children
/// (`_GatheringFuture`), finished by the children's done-callbacks.
struct GatherState {
    let future: Future
    let children: [Future]
    let returnExceptions: Bool
    let uniqueChildren: Int
    var finishedChildren = 0
    /// `_cancel_requested`: cancelling gather propagates as CancelledError even with return_exceptions.
    var cancelRequested = false
}

extension EventLoop {
    /// `gather()` with no arguments is an already-finished future with `[]`.
    /// `childrenAreUnique` (gathering every task) skips looking for a child named twice.
    package func gather(_ children: [Future], returnExceptions: Bool, childrenAreUnique: Bool = false) -> Future {
        let g = Int32(gathers.count)
        let future = makeFuture(.gathering(g))
        let unique = childrenAreUnique ? children : children.uniquedInOrder()
        gathers.append(GatherState(future: future, children: children, returnExceptions: returnExceptions,
                                   uniqueChildren: unique.count))
        if children.isEmpty {
            setResult(future, .list([]))
            return future
        }
        for child in unique { addDoneCallback(child, DoneCallback(.gatherChild, g)) }
        return future
    }

    /// `_GatheringFuture.cancel`: cancel the children, not the gather itself.
    func cancelChildren(ofGather g: Int32, message: String?) throws(AwaitCycle) -> Bool {
        if isDone(gathers[Int(g)].future) { return false }
        var any = false
        for child in gathers[Int(g)].children where try cancel(child, message: message) { any = true }
        if any { gathers[Int(g)].cancelRequested = true }
        return any
    }

    /// `gather`'s `_done_callback`, once per child.
    func gatherChildDone(_ g: Int32, _ child: Future) {
        let i = Int(g)
        gathers[i].finishedChildren += 1
        let future = gathers[i].future
        if isDone(future) {
            if !isCancelled(child) { _ = retrieveException(child) }   // mark retrieved
            return
        }
        if !gathers[i].returnExceptions {
            if isCancelled(child) {
                setException(future, makeCancelledError(child))
                return
            }
            if let e = retrieveException(child) {
                setException(future, e)
                return
            }
        }
        guard gathers[i].finishedChildren == gathers[i].uniqueChildren else { return }
        let children = gathers[i].children
        var results: [PyValue] = []
        results.reserveCapacity(children.count)
        for c in children {
            if isCancelled(c) {
                results.append(.exception(.cancelled(cancelMessage(c) ?? "")))
            } else if let e = retrieveException(c) {
                results.append(.exception(e))
            } else {
                results.append(value(c))
            }
        }
        if gathers[i].cancelRequested {
            // CPython reuses the loop variable here: the *last* child makes the error.
            setException(future, makeCancelledError(children.last!))
        } else {
            setResult(future, .list(results))
        }
    }
}
