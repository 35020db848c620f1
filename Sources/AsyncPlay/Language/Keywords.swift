/// Every lowercase word the language reserves (SPEC section 2): a NAME may not be one.
public enum Keywords {
    public static let commands: [String] = [
        "spawn", "run", "cancel", "await", "gather", "wait", "sleep", "block", "status", "ps",
        "result", "timeline", "trace", "time", "reset", "set", "help", "exit", "quit",
    ]
    public static let options: [String] = [
        "workers", "return_exceptions", "timeout", "first_completed", "first_exception",
        "all_completed", "on", "off",
    ]
    public static let steps: [String] = ["sleep", "cpu", "thread", "await", "fail"]
    public static let values: [String] = ["none", "true", "false"]

    public static let all: Set<String> = Set(commands + options + steps + values)
    static let stepWords: Set<String> = Set(steps)

    public static func isKeyword(_ word: String) -> Bool { all.contains(word) }
}
