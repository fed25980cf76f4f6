// A small, fast CSV reader written for this project rather than taken from a package: scenario
// tables reach millions of rows, and general CSV libraries build a String (or a dictionary) per field,
// which makes a 1M-product scenario take tens of seconds and gigabytes. This one reads the file once
// into a byte buffer, unescapes fields in place (unquoted text never grows), and keeps only one
// 32-bit end offset per field, so a table costs its file size plus 4 bytes per field. Numbers are
// parsed straight from the bytes; Strings are made only for the fields a caller asks for as text.
//
// Accepted: a UTF-8 byte-order mark, LF / CRLF / CR line ends, fields quoted with `"` holding commas,
// line breaks and doubled quotes, blank lines (skipped), spaces around unquoted fields (trimmed).
// Reported, never fatal: rows with more or fewer fields than the header, an unterminated quote,
// text after a closing quote, duplicate or empty header names.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a numeric field must satisfy beyond being a finite number.
public enum NumberRule: Sendable, Hashable {
    case finite
    case positive
    case nonNegative
    /// 0 ... 1.
    case fraction
    /// Greater than 0, at most 1.
    case positiveFraction
    case atLeast(Double)
    case within(ClosedRange<Double>)

    func accepts(_ value: Double) -> Bool {
        switch self {
        case .finite: return true
        case .positive: return value > 0
        case .nonNegative: return value >= 0
        case .fraction: return value >= 0 && value <= 1
        case .positiveFraction: return value > 0 && value <= 1
        case .atLeast(let low): return value >= low
        case .within(let range): return range.contains(value)
        }
    }

    var requirement: String {
        switch self {
        case .finite: return "be a finite number"
        case .positive: return "be > 0"
        case .nonNegative: return "be ≥ 0"
        case .fraction: return "be between 0 and 1"
        case .positiveFraction: return "be > 0 and ≤ 1"
        case .atLeast(let low): return "be ≥ \(CSVTable.format(low))"
        case .within(let range): return "be between \(CSVTable.format(range.lowerBound)) and \(CSVTable.format(range.upperBound))"
        }
    }
}

/// A CSV file read into memory: a header and rows of fields, each row with the line it started on.
public struct CSVTable: Sendable {
    /// The file name used in diagnostics.
    public let file: String
    /// Column names, trimmed.
    public let header: [String]
    /// The line the header is on (1 unless blank lines precede it).
    public let headerLine: Int
    /// Field text, unescaped, back to back.
    private let storage: [UInt8]
    /// End offset in `storage` of each field, row after row; a field starts where the previous one ends.
    private let fieldEnds: [UInt32]
    /// The 1-based line each row starts on.
    private let lines: [Int32]

    public var columnCount: Int { header.count }
    public var rowCount: Int { lines.count }
    /// Row indices, 0-based.
    public var rows: Range<Int> { 0..<lines.count }

    /// The 1-based line of a row, for diagnostics.
    public func line(of row: Int) -> Int { Int(lines[row]) }

    /// The index of a column, if the header has it.
    public func column(named name: String) -> Int? { header.firstIndex(of: name) }

    // MARK: Reading

    /// Reads and parses a file. A missing or unreadable file is reported and gives nil.
    public static func read(path: String, log: inout DiagnosticLog) -> CSVTable? {
        guard let bytes = readFile(path: path, log: &log) else { return nil }
        return CSVTable(bytes: bytes, file: path, log: &log)
    }

    /// Parses CSV bytes; problems go to `log` under the name `file`.
    public init(bytes: [UInt8], file: String, log: inout DiagnosticLog) {
        self.file = file
        var storage = bytes
        var fieldEnds: [UInt32] = []
        var lines: [Int32] = []
        var header: [String] = []
        var headerLine = 0
        guard bytes.count < Int(UInt32.max) else {
            log.report(file, line: 0, field: "", "file is larger than 4 GB")
            self.storage = []
            self.fieldEnds = []
            self.lines = []
            self.header = []
            self.headerLine = 0
            return
        }
        // A rough guess (one field per 8 bytes) saves most of the regrowth on big files.
        fieldEnds.reserveCapacity(bytes.count / 8 + 16)
        lines.reserveCapacity(bytes.count / 64 + 16)

        storage.withUnsafeMutableBufferPointer { buffer in
            let count = buffer.count
            var read = 0
            // The byte-order mark spreadsheets put in front of UTF-8.
            if count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { read = 3 }
            var write = 0
            var line = 1
            var haveHeader = false
            let comma: UInt8 = 0x2C, quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
            let space: UInt8 = 0x20, tab: UInt8 = 0x09

            while read < count {
                // One row.
                let rowLine = line
                let rowWriteStart = write
                let rowFieldStart = fieldEnds.count
                var rowIsBroken = false
                var onlyEmptyUnquoted = true
                var rowDone = false
                while !rowDone {
                    // One field: skip leading blanks.
                    while read < count && (buffer[read] == space || buffer[read] == tab) { read += 1 }
                    if read < count && buffer[read] == quote {
                        onlyEmptyUnquoted = false
                        let openLine = line
                        read += 1
                        var closed = false
                        while read < count {
                            let byte = buffer[read]
                            if byte == quote {
                                if read + 1 < count && buffer[read + 1] == quote {
                                    buffer[write] = quote
                                    write += 1
                                    read += 2
                                } else {
                                    read += 1
                                    closed = true
                                    break
                                }
                            } else {
                                if byte == lf || (byte == cr && !(read + 1 < count && buffer[read + 1] == lf)) { line += 1 }
                                buffer[write] = byte
                                write += 1
                                read += 1
                            }
                        }
                        if !closed {
                            log.report(file, line: openLine, field: "", "unterminated quoted field (the quote opens on line \(openLine))")
                            rowIsBroken = true
                        } else {
                            while read < count && (buffer[read] == space || buffer[read] == tab) { read += 1 }
                            if read < count && buffer[read] != comma && buffer[read] != lf && buffer[read] != cr {
                                log.report(file, line: line, field: "", "unexpected text after a closing quote")
                                rowIsBroken = true
                                while read < count && buffer[read] != comma && buffer[read] != lf && buffer[read] != cr {
                                    read += 1
                                }
                            }
                        }
                    } else {
                        let fieldStart = write
                        var lastNonBlank = write
                        while read < count {
                            let byte = buffer[read]
                            if byte == comma || byte == lf || byte == cr { break }
                            buffer[write] = byte
                            write += 1
                            read += 1
                            if byte != space && byte != tab { lastNonBlank = write }
                        }
                        write = lastNonBlank
                        if write > fieldStart { onlyEmptyUnquoted = false }
                    }
                    fieldEnds.append(UInt32(write))
                    // The separator after the field.
                    if read < count && buffer[read] == comma {
                        read += 1
                        onlyEmptyUnquoted = false
                    } else {
                        if read < count && buffer[read] == cr { read += 1 }
                        if read < count && buffer[read] == lf { read += 1 }
                        line += 1
                        rowDone = true
                    }
                }

                let fieldCount = fieldEnds.count - rowFieldStart
                func dropRow() {
                    fieldEnds.removeLast(fieldCount)
                    write = rowWriteStart
                }
                if onlyEmptyUnquoted && fieldCount == 1 {
                    dropRow()  // A blank line.
                    continue
                }
                if rowIsBroken {
                    dropRow()
                    continue
                }
                if !haveHeader {
                    var start = rowWriteStart
                    for k in rowFieldStart..<fieldEnds.count {
                        let end = Int(fieldEnds[k])
                        header.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
                        start = end
                    }
                    headerLine = rowLine
                    haveHeader = true
                    dropRow()
                    continue
                }
                if fieldCount != header.count {
                    let problem = fieldCount < header.count ? "short row" : "long row"
                    log.report(
                        file, line: rowLine, field: "",
                        "\(problem): \(fieldCount) fields where the header has \(header.count)")
                    dropRow()
                    continue
                }
                lines.append(Int32(truncatingIfNeeded: rowLine))
            }
        }

        if headerLine == 0 {
            log.report(file, line: 0, field: "", "the file is empty: a header row is required")
        }
        var seen: Set<String> = []
        for (index, name) in header.enumerated() {
            if name.isEmpty {
                log.report(file, line: headerLine, field: "", "column \(index + 1) has no name in the header")
            } else if !seen.insert(name).inserted {
                log.report(file, line: headerLine, field: name, "the header names this column twice")
            }
        }
        self.header = header
        self.headerLine = headerLine
        self.storage = storage
        self.fieldEnds = fieldEnds
        self.lines = lines
    }

    /// Reads a whole file with POSIX calls, into one array, without an intermediate copy.
    static func readFile(path: String, log: inout DiagnosticLog) -> [UInt8]? {
        // Non-blocking, so that a named pipe in place of a table cannot hang the loader.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "file not found" : "cannot open the file (\(String(cString: strerror(errno))))"
            log.report(path, line: 0, field: "", reason)
            return nil
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            log.report(path, line: 0, field: "", "cannot read the file")
            return nil
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            log.report(path, line: 0, field: "", "is a directory, not a file")
            return nil
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            log.report(path, line: 0, field: "", "is not a regular file")
            return nil
        }
        let size = max(Int(info.st_size), 0)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var got = 0
            while got < size {
                let n = systemRead(descriptor, buffer.baseAddress! + got, size - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = got
        }
        if failed {
            log.report(path, line: 0, field: "", "cannot read the file")
            return nil
        }
        return bytes
    }

    // MARK: Fields

    func withStorage<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        storage.withUnsafeBufferPointer(body)
    }

    func fieldRange(_ row: Int, _ column: Int) -> Range<Int> { range(row, column) }

    private func range(_ row: Int, _ column: Int) -> Range<Int> {
        let k = row * header.count + column
        let start = k == 0 ? 0 : Int(fieldEnds[k - 1])
        return start..<Int(fieldEnds[k])
    }

    /// A field's text.
    public func text(_ row: Int, _ column: Int) -> String {
        let r = range(row, column)
        return storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }

    public func isEmpty(_ row: Int, _ column: Int) -> Bool { range(row, column).isEmpty }

    /// A field's text, reported when empty.
    public func requiredText(_ row: Int, _ column: Int, log: inout DiagnosticLog) -> String? {
        if isEmpty(row, column) {
            log.report(file, line: line(of: row), field: header[column], "is empty")
            return nil
        }
        return text(row, column)
    }

    /// A field as a number satisfying `rule`; NaN, infinities, empty and malformed text are reported.
    public func double(_ row: Int, _ column: Int, _ rule: NumberRule = .finite, log: inout DiagnosticLog) -> Double? {
        let r = range(row, column)
        let field = header[column]
        if r.isEmpty {
            log.report(file, line: line(of: row), field: field, "is empty; a number is required")
            return nil
        }
        guard let value = storage.withUnsafeBufferPointer({ CSVTable.parseDouble(UnsafeBufferPointer(rebasing: $0[r])) }) else {
            log.report(file, line: line(of: row), field: field, "'\(text(row, column))' is not a number")
            return nil
        }
        guard value.isFinite else {
            log.report(file, line: line(of: row), field: field, "must be a finite number, got '\(text(row, column))'")
            return nil
        }
        guard rule.accepts(value) else {
            log.report(file, line: line(of: row), field: field, "must \(rule.requirement), got \(text(row, column))")
            return nil
        }
        return value
    }

    /// A field as a whole number in `range`.
    public func int(_ row: Int, _ column: Int, in range: ClosedRange<Int>, log: inout DiagnosticLog) -> Int? {
        guard let value = double(row, column, log: &log) else { return nil }
        guard value == value.rounded(), abs(value) < 1e15 else {
            log.report(file, line: line(of: row), field: header[column], "must be a whole number, got \(text(row, column))")
            return nil
        }
        let whole = Int(value)
        guard range.contains(whole) else {
            log.report(
                file, line: line(of: row), field: header[column],
                "must be between \(range.lowerBound) and \(range.upperBound), got \(whole)")
            return nil
        }
        return whole
    }

    /// A field naming one case of a string enum.
    public func choice<Choice: RawRepresentable & CaseIterable>(
        _ row: Int, _ column: Int, as type: Choice.Type, log: inout DiagnosticLog
    ) -> Choice? where Choice.RawValue == String {
        let value = text(row, column)
        if let choice = Choice(rawValue: value) { return choice }
        let allowed = Choice.allCases.map { $0.rawValue }.joined(separator: ", ")
        log.report(file, line: line(of: row), field: header[column], "'\(value)' is not one of \(allowed)")
        return nil
    }

    // MARK: Columns

    /// The index of a required column; a missing one is reported on the header line.
    public func requireColumn(_ name: String, log: inout DiagnosticLog) -> Int? {
        if let index = column(named: name) { return index }
        log.report(file, line: max(headerLine, 1), field: name, "missing column")
        return nil
    }

    /// The indices of required columns, or nil (with every missing one reported).
    public func requireColumns(_ names: [String], log: inout DiagnosticLog) -> [Int]? {
        var indices: [Int] = []
        var complete = true
        for name in names {
            if let index = requireColumn(name, log: &log) { indices.append(index) } else { complete = false }
        }
        return complete ? indices : nil
    }

    /// Reports columns that are not in `known` (typos would otherwise be silently ignored).
    public func reportUnknownColumns(known: Set<String>, log: inout DiagnosticLog) {
        for name in header where !name.isEmpty && !known.contains(name) {
            log.report(file, line: headerLine, field: name, "unknown column")
        }
    }

    // MARK: Numbers

    /// Powers of ten exactly representable as Doubles.
    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses a decimal number. Plain decimals with at most 15 significant digits and a small exponent
    /// take the exact fast path (an integer mantissa times or divided by an exact power of ten is
    /// correctly rounded); everything else goes through the C library, which also turns "nan" and
    /// "inf" into non-finite values that the caller reports.
    static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = bytes.count
        var negative = false
        if index < count && (bytes[index] == 0x2D || bytes[index] == 0x2B) {
            negative = bytes[index] == 0x2D
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDigit = false
        while index < count, bytes[index] &- 0x30 < 10 {
            if mantissa != 0 || bytes[index] != 0x30 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
            sawDigit = true
            index += 1
        }
        if index < count && bytes[index] == 0x2E {
            index += 1
            while index < count, bytes[index] &- 0x30 < 10 {
                if mantissa != 0 || bytes[index] != 0x30 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
                fractionDigits += 1
                sawDigit = true
                index += 1
            }
        }
        var exponent = 0
        if sawDigit && index < count && (bytes[index] == 0x65 || bytes[index] == 0x45) {
            index += 1
            var exponentNegative = false
            if index < count && (bytes[index] == 0x2D || bytes[index] == 0x2B) {
                exponentNegative = bytes[index] == 0x2D
                index += 1
            }
            var sawExponentDigit = false
            while index < count, bytes[index] &- 0x30 < 10 {
                if exponent < 10_000 { exponent = exponent * 10 + Int(bytes[index] &- 0x30) }
                sawExponentDigit = true
                index += 1
            }
            if !sawExponentDigit { return nil }
            if exponentNegative { exponent = -exponent }
        }
        if sawDigit && index == count && digits <= 15 {
            let scale = exponent - fractionDigits
            var value = Double(mantissa)
            if scale >= 0 && scale <= 22 {
                value *= exactPowersOfTen[scale]
                return negative ? -value : value
            } else if scale < 0 && scale >= -22 {
                value /= exactPowersOfTen[-scale]
                return negative ? -value : value
            }
        }
        // Rare forms (long mantissas, huge exponents, "nan", "inf"): the C library, via a String.
        guard count > 0 && count < 400 else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// `read(2)`, named apart from the parser's local `read` offsets.
    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(descriptor, buffer, count)
        #else
        return Darwin.read(descriptor, buffer, count)
        #endif
    }

    /// Shortest text that reads back as the same Double ("12.5", "3", "1e-05").
    public static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
