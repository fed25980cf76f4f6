/// One terminal cell: a Unicode scalar and the role it is drawn in. A wide character occupies its cell
/// and the next one, which holds `Cell.continuation`.
public struct Cell: Sendable, Hashable {
    public var scalar: Unicode.Scalar
    public var role: StyleRole
    public init(_ scalar: Unicode.Scalar, _ role: StyleRole = .normal) {
        self.scalar = scalar
        self.role = role
    }
    /// Marks the right half of a wide character; the terminal skips it when blitting.
    public static let continuationScalar: Unicode.Scalar = "\u{0}"
    public var isContinuation: Bool { scalar == Cell.continuationScalar }
}

/// A rectangle of cells the views draw into; the terminal module copies it to the screen.
/// Pure value: tests render into it and compare its text with snapshots.
public struct ScreenBuffer: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(" "), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` from (x, y) in `role`, clipped to `maxWidth` columns and the buffer's edge.
    /// - Returns: the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for scalar in text.unicodeScalars {
            let w = DisplayWidth.of(scalar)
            if w == 0 { continue }
            if column + w > limit { break }
            if column >= 0 {
                cells[y * width + column] = Cell(scalar, role)
                if w == 2 { cells[y * width + column + 1] = Cell(Cell.continuationScalar, role) }
            }
            column += w
        }
        return max(0, column - x)
    }

    /// Sets the role of every cell of a row segment, keeping the characters (selection highlight).
    public mutating func restyle(x: Int, y: Int, width count: Int, role: StyleRole) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) { cells[y * width + column].role = role }
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, scalar: Unicode.Scalar = " ", role: StyleRole = .normal) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { cells[row * width + column] = Cell(scalar, role) }
        }
    }

    /// The characters, one line per row, trailing blanks trimmed (snapshot form).
    public var text: String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for row in 0..<height { lines.append(line(row)) }
        return lines.joined(separator: "\n")
    }

    public func line(_ row: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for column in 0..<width {
            let cell = cells[row * width + column]
            if !cell.isContinuation { scalars.append(cell.scalar) }
        }
        var line = String(scalars)
        while line.last == " " { line.removeLast() }
        return line
    }

    /// One letter per cell naming its role (see `StyleRole.maskLetter`), for style snapshots.
    public var styleMask: String {
        (0..<height).map { row in String((0..<width).map { cells[row * width + $0].role.maskLetter }) }
            .joined(separator: "\n")
    }
}

/// Display width of a scalar in terminal columns, from a small pure table so layout never depends on
/// the process locale (wcwidth returns −1 for everything before setlocale).
public enum DisplayWidth {
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 { return 0 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFE0F { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    public static func of(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + of($1) } }
}
