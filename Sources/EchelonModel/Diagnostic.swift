// Problems found in scenario (or plan) files, each pinned to a file, a line and a field, so that a
// person can fix all of them in one pass instead of one per run.

/// One problem in an input file.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (directory joined with the file name).
    public var file: String
    /// 1-based line; 0 means the whole file.
    public var line: Int
    /// The column, manifest key or table the problem is about; empty when it is about the whole line.
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `file:line: field: message`; the line is left out for whole-file problems and the field when empty.
    public var description: String {
        var text = file
        if line > 0 { text += ":\(line)" }
        text += ": "
        if !field.isEmpty { text += field + ": " }
        return text + message
    }
}

/// Thrown when input files have problems: all of them, in file order.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Collects diagnostics while reading. Capped so that a file with a million bad rows still reports
/// quickly and in bounded memory; the last entry then says how many more there were.
public struct DiagnosticLog: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []
    /// Problems seen beyond `limit` and not kept.
    public private(set) var droppedCount = 0
    public let limit: Int

    public init(limit: Int = 10_000) {
        self.limit = limit
    }

    /// Problems seen, kept or not.
    public var count: Int { diagnostics.count + droppedCount }
    public var isEmpty: Bool { count == 0 }

    public mutating func report(_ file: String, line: Int, field: String, _ message: String) {
        if diagnostics.count < limit {
            diagnostics.append(Diagnostic(file: file, line: line, field: field, message: message))
        } else {
            droppedCount += 1
        }
    }

    /// The kept diagnostics plus, when some were dropped, one saying how many.
    public var all: [Diagnostic] {
        guard droppedCount > 0 else { return diagnostics }
        return diagnostics + [
            Diagnostic(file: "(scenario)", line: 0, field: "", message: "\(droppedCount) more problems not shown")
        ]
    }

    /// Throws a `ScenarioError` holding every diagnostic, if there is any.
    public func throwIfAny() throws(ScenarioError) {
        if !isEmpty { throw ScenarioError(diagnostics: all) }
    }
}
