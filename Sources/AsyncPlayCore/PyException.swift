/// A Python exception object. A class, because identity matters as it does in Python:
/// a task awaiting a failed task fails with the *same* exception.
public final class PyException: Error, Equatable, @unchecked Sendable {
    /// The exception's class name, e.g. `ValueError`, `CancelledError`, `DbError`.
    public let typeName: String
    /// The single constructor argument, or nil for `ValueError()`.
    public let argument: String?

    public init(_ typeName: String, _ argument: String? = nil) {
        self.typeName = typeName
        self.argument = argument
    }

    /// `asyncio.CancelledError` is a BaseException: tasks treat it as cancellation, not failure.
    public var isCancellation: Bool { typeName == "CancelledError" }

    /// `str(exc)`: the message as Python prints it after `ValueError: `.
    public var message: String {
        guard let a = argument else {
            // These builtins print 'None' for str() when created without arguments.
            return ["SyntaxError", "IndentationError", "TabError"].contains(typeName) ? "None" : ""
        }
        // KeyError's str() is the repr of its key.
        return typeName == "KeyError" ? PyString.repr(a) : a
    }

    /// `repr(exc)`, e.g. `ValueError('boom')`, `CancelledError()`.
    public var repr: String {
        typeName + "(" + (argument.map(PyString.repr) ?? "") + ")"
    }

    public static func == (a: PyException, b: PyException) -> Bool { a === b }

    // Exceptions the loop itself raises, with CPython's wording.
    package static func cancelled(_ message: String? = nil) -> PyException { PyException("CancelledError", message) }
    package static func timeout() -> PyException { PyException("TimeoutError") }
    package static func invalidState(_ message: String) -> PyException { PyException("InvalidStateError", message) }
    package static func runtime(_ message: String) -> PyException { PyException("RuntimeError", message) }
}

/// What `raise ExceptionType(msg)` produces in CPython for the type names a script may use.
public enum ExceptionFactory {
    /// Builtin classes deriving from Exception (Python 3.11). Other names become new
    /// `Exception` subclasses, as the oracle does; so do BaseException-only builtins.
    package static let builtinExceptions: Set<String> = [
        "ArithmeticError", "AssertionError", "AttributeError", "BlockingIOError", "BrokenPipeError",
        "BufferError", "BytesWarning", "ChildProcessError", "ConnectionAbortedError", "ConnectionError",
        "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning", "EOFError",
        "EncodingWarning", "EnvironmentError", "Exception", "ExceptionGroup", "FileExistsError",
        "FileNotFoundError", "FloatingPointError", "FutureWarning", "IOError", "ImportError",
        "ImportWarning", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError",
        "KeyError", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError",
        "NotADirectoryError", "NotImplementedError", "OSError", "OverflowError",
        "PendingDeprecationWarning", "PermissionError", "ProcessLookupError", "RecursionError",
        "ReferenceError", "ResourceWarning", "RuntimeError", "RuntimeWarning", "StopAsyncIteration",
        "StopIteration", "SyntaxError", "SyntaxWarning", "SystemError", "TabError", "TimeoutError",
        "TypeError", "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError",
        "UnicodeTranslateError", "UnicodeWarning", "UserWarning", "ValueError", "Warning",
        "ZeroDivisionError",
    ]

    /// The exception a coroutine ends with after `raise TypeName(message)`.
    public static func raised(_ typeName: String, _ message: String?) -> PyException {
        let given = message == nil ? 0 : 1
        switch typeName {
        case "EnvironmentError", "IOError":
            return PyException("OSError", message)          // aliases of OSError
        case "UnicodeDecodeError", "UnicodeEncodeError":
            return PyException("TypeError", "function takes exactly 5 arguments (\(given) given)")
        case "UnicodeTranslateError":
            return PyException("TypeError", "function takes exactly 4 arguments (\(given) given)")
        case "ExceptionGroup":
            return PyException("TypeError", "BaseExceptionGroup.__new__() takes exactly 2 arguments (\(given) given)")
        case "StopIteration":
            // PEP 479: a StopIteration escaping a coroutine becomes a RuntimeError.
            return PyException("RuntimeError", "coroutine raised StopIteration")
        default:
            return PyException(typeName, message)
        }
    }
}
