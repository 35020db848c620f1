import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// Python's repr written straight into an OutputBuffer: the same text as `PyValue.repr`,
/// without building Strings (a `gather` of a million tasks prints a million reprs).
extension OutputBuffer {
    func writeRepr(_ v: PyValue) {
        switch v {
        case .none: write(literal: "None")
        case .bool(let b): if b { write(literal: "True") } else { write(literal: "False") }
        case .int(let digits): write(digits)
        case .float(let d): write(PyFloat.repr(d))
        case .string(let s): writeRepr(string: s)
        case .exception(let e): writeRepr(e)
        case .list(let items):
            // Strings (a gather's task results) directly: passing each item on through the
            // switch copied and destroyed the whole enum value.
            writeList(items.indices, separator: ", ") { i in
                if case .string(let s) = items[i] { writeRepr(string: s) } else { writeRepr(items[i]) }
            }
        }
    }

    func writeRepr(_ e: PyException) {
        write(e.typeName)
        write(byte: UInt8(ascii: "("))
        if let a = e.argument { writeRepr(string: a) }
        write(byte: UInt8(ascii: ")"))
    }

    /// `PyString.repr`: printable ASCII without a quote or backslash needs only the
    /// quotes around it; anything else takes the full rules.
    func writeRepr(string s: String) {
        if !writeQuoted(s, quote: 0x27, asciiOnly: true) {
            write(PyString.repr(s))
        }
    }
}
