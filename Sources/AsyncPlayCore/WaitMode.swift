/// `asyncio.wait`'s return_when.
public enum WaitMode: String, Sendable {
    case allCompleted = "all_completed"
    case firstCompleted = "first_completed"
    case firstException = "first_exception"
}
