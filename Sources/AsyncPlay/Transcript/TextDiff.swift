import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
import AsyncPlayRender
import AsyncPlayExport
import AsyncPlaySession
/// A line diff a person can read: the differing region with a little context, `-` for
/// expected lines and `+` for what the run printed.
public enum TextDiff {
    public static func unified(expected: String, actual: String, context: Int = 3) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Trim the common head and tail; LCS only over the middle (transcripts are long,
        // differences are short).
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let am = Array(a[head..<(a.count - tail)])
        let bm = Array(b[head..<(b.count - tail)])
        if am.isEmpty && bm.isEmpty { return "" }
        var ops: [(Character, String)] = []
        if am.count * bm.count > 4_000_000 {
            ops = am.map { ("-", $0) } + bm.map { ("+", $0) }
        } else {
            var lcs = Array(repeating: Array(repeating: 0, count: bm.count + 1), count: am.count + 1)
            for i in stride(from: am.count - 1, through: 0, by: -1) {
                for j in stride(from: bm.count - 1, through: 0, by: -1) {
                    lcs[i][j] = am[i] == bm[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < am.count || j < bm.count {
                if i < am.count && j < bm.count && am[i] == bm[j] { ops.append((" ", am[i])); i += 1; j += 1 }
                else if j < bm.count && (i == am.count || lcs[i][j + 1] >= lcs[i + 1][j]) { ops.append(("+", bm[j])); j += 1 }
                else { ops.append(("-", am[i])); i += 1 }
            }
        }
        var out = "@@ expected line \(head + 1), actual line \(head + 1) @@\n"
        for k in max(0, head - context)..<head { out += "  " + a[k] + "\n" }
        for (op, line) in ops { out += "\(op) " + line + "\n" }
        for k in (a.count - tail)..<min(a.count, a.count - tail + context) { out += "  " + a[k] + "\n" }
        return out
    }
}
