/// A column of a table: fixed width, dropped on narrow screens when its priority is low.
struct TableColumn {
    var title: String
    var width: Int
    var alignRight = false
    /// Takes the spare width.
    var flexible = false
    /// Higher survives longer on narrow screens.
    var priority = 5
    /// The sort key this column shows, if it is sortable.
    var sortKey: Int?
}

/// A cell's text and, optionally, a role other than the row's.
struct TableCell {
    var text: String
    var role: StyleRole?
    init(_ text: String, _ role: StyleRole? = nil) {
        self.text = text
        self.role = role
    }
}

enum TableWidget {
    /// The columns that fit in `width`, with their x offsets, spare width given to the flexible column.
    static func fit(_ columns: [TableColumn], width: Int) -> [(column: TableColumn, index: Int, x: Int)] {
        var kept = Array(columns.enumerated())
        func total(_ cols: [(offset: Int, element: TableColumn)]) -> Int { cols.reduce(0) { $0 + $1.element.width + 1 } }
        while total(kept) > width, kept.count > 1 {
            let lowest = kept.enumerated().min { a, b in
                a.element.element.priority != b.element.element.priority
                    ? a.element.element.priority < b.element.element.priority : a.offset > b.offset
            }!.offset
            kept.remove(at: lowest)
        }
        let spare = max(0, width - total(kept))
        var x = 0
        var out: [(TableColumn, Int, Int)] = []
        for (i, column) in kept {
            var c = column
            // The flexible column grows a little; the rest stays on the right, so numbers sit near their names.
            if c.flexible { c.width += min(spare, 12) }
            out.append((c, i, x))
            x += c.width + 1
        }
        return out
    }

    /// Draws a header and the visible rows; `cells(row)` is called only for rows on screen.
    static func draw(
        into buffer: inout ScreenBuffer, columns: [TableColumn], x: Int = 0, width: Int, headerRow: Int, firstRow: Int,
        visibleRows: Int, totalRows: Int, table: TableState, glyphs: Glyphs, focused: Bool = true,
        rowRole: (Int) -> StyleRole = { _ in .normal }, cells: (Int) -> [TableCell]
    ) {
        let counterWidth = totalRows > visibleRows ? DisplayWidth.of(" \(totalRows)–\(totalRows) of \(totalRows) ") + 1 : 0
        let fitted = fit(columns, width: width - 2 - counterWidth)
        buffer.fill(x: x, y: headerRow, width: width, height: 1, role: .tableHeader)
        for (column, _, cx) in fitted {
            var title = column.title
            if let key = column.sortKey, key == table.sortColumn {
                title += String(table.ascending ? glyphs.sortAscending : glyphs.sortDescending)
            }
            buffer.put(Format.pad(title, column.width, right: column.alignRight, ellipsis: glyphs.ellipsis),
                       x: x + 2 + cx, y: headerRow, role: .tableHeader)
        }
        let scroll = clampedScroll(table, visible: visibleRows, total: totalRows)
        for line in 0..<visibleRows {
            let row = scroll + line
            guard row < totalRows else { break }
            let y = firstRow + line
            let selected = row == table.selected && focused
            let base = rowRole(row)
            let rowCells = cells(row)
            if selected { buffer.put(String(glyphs.pointer), x: x, y: y, role: .selection) }
            for (column, index, cx) in fitted where index < rowCells.count {
                let cell = rowCells[index]
                buffer.put(Format.pad(cell.text, column.width, right: column.alignRight, ellipsis: glyphs.ellipsis),
                           x: x + 2 + cx, y: y, role: cell.role ?? base)
            }
            if selected { buffer.restyle(x: x + 1, y: y, width: width - 1, role: .selection) }
        }
        if totalRows > visibleRows {
            let text = " \(min(totalRows, scroll + 1))–\(min(totalRows, scroll + visibleRows)) of \(totalRows) "
            buffer.put(text, x: x + width - DisplayWidth.of(text) - 1, y: headerRow, role: .tableHeader)
        } else if totalRows == 0 {
            buffer.put(table.filter.isEmpty ? "  (nothing to show)" : "  (no rows match '\(table.filter)')",
                       x: x, y: firstRow, role: .dim)
        }
    }

    /// The scroll offset that keeps the selection on screen, whatever the stored offset says.
    static func clampedScroll(_ table: TableState, visible: Int, total: Int) -> Int {
        var scroll = min(table.scroll, max(0, total - visible))
        if table.selected < scroll { scroll = table.selected }
        if table.selected >= scroll + visible { scroll = table.selected - visible + 1 }
        return max(0, scroll)
    }
}

enum Bar {
    /// A gauge of `used/limit` in `width` cells followed by nothing; over 100 % fills and flags.
    static func text(fraction: Double, width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 1
        let eighths = Int((f * Double(width * 8)).rounded())
        var out = ""
        for cell in 0..<width {
            let filled = min(8, max(0, eighths - cell * 8))
            out.append(glyphs.barSteps[filled])
        }
        return out
    }

    /// "█████▌   93%" with the role that says whether it is over.
    static func cell(used: Double, limit: Double, width: Int, glyphs: Glyphs) -> TableCell {
        let fraction = limit > 0 ? used / limit : (used > 0 ? Double.infinity : 0)
        let label = fraction.isFinite ? String(Int((fraction * 100).rounded())) + "%" : "∞"
        let barWidth = max(1, width - 5)
        let over = fraction > 1.000001
        let text = Bar.text(fraction: fraction, width: barWidth, glyphs: glyphs) + Format.pad(label, 5, right: true)
        return TableCell(text, over ? .barOver : (fraction > 0.95 ? .warning : .barFill))
    }
}

/// A chart drawn with braille dots (2×4 per cell) or, in ASCII mode, one mark per cell.
struct Chart {
    var width: Int
    var height: Int
    var braille: Bool
    /// Per cell: dot bits (braille) and the role of the last series drawn there.
    private var dots: [UInt8]
    private var roles: [StyleRole?]

    init(width: Int, height: Int, braille: Bool) {
        self.width = max(1, width)
        self.height = max(1, height)
        self.braille = braille
        dots = Array(repeating: 0, count: self.width * self.height)
        roles = Array(repeating: nil, count: self.width * self.height)
    }

    var xResolution: Int { width * (braille ? 2 : 1) }
    var yResolution: Int { height * (braille ? 4 : 1) }

    /// Plots a series of (x in 0...1, y in 0...1) points joined by lines.
    mutating func plot(_ points: [(Double, Double)], role: StyleRole) {
        var previous: (Int, Int)?
        for (fx, fy) in points where fx.isFinite && fy.isFinite {
            // Off-scale points are left out (the line breaks) rather than piled up on the edge.
            guard fy >= -0.001, fy <= 1.001 else {
                previous = nil
                continue
            }
            let px = Int((min(1, max(0, fx)) * Double(xResolution - 1)).rounded())
            let py = Int(((1 - min(1, max(0, fy))) * Double(yResolution - 1)).rounded())
            if let (qx, qy) = previous {
                let steps = max(abs(px - qx), abs(py - qy), 1)
                for s in 0...steps {
                    let t = Double(s) / Double(steps)
                    set(Int((Double(qx) + t * Double(px - qx)).rounded()), Int((Double(qy) + t * Double(py - qy)).rounded()), role)
                }
            } else {
                set(px, py, role)
            }
            previous = (px, py)
        }
    }

    private mutating func set(_ px: Int, _ py: Int, _ role: StyleRole) {
        guard px >= 0, py >= 0, px < xResolution, py < yResolution else { return }
        let cx = braille ? px / 2 : px
        let cy = braille ? py / 4 : py
        let i = cy * width + cx
        if braille {
            // Braille dot numbering: left column 1,2,3,7; right column 4,5,6,8.
            let bitsLeft: [UInt8] = [0x01, 0x02, 0x04, 0x40]
            let bitsRight: [UInt8] = [0x08, 0x10, 0x20, 0x80]
            dots[i] |= (px % 2 == 0 ? bitsLeft : bitsRight)[py % 4]
        } else {
            dots[i] = 1
        }
        roles[i] = role
    }

    func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, asciiMarks: [StyleRole: Character] = [:]) {
        for row in 0..<height {
            for column in 0..<width {
                let i = row * width + column
                guard dots[i] != 0, let role = roles[i] else { continue }
                let scalar: Unicode.Scalar
                if braille {
                    scalar = Unicode.Scalar(0x2800 + UInt32(dots[i]))!
                } else {
                    scalar = (asciiMarks[role] ?? "*").unicodeScalars.first!
                }
                buffer[x + column, y + row] = Cell(scalar, role)
            }
        }
    }
}

/// A one-row sparkline of the values in `width` cells (block eighths, or ASCII levels).
enum Sparkline {
    static func text(_ values: [Double], width: Int, glyphs: Glyphs) -> String {
        guard !values.isEmpty, width > 0 else { return "" }
        let levels: [Character] = glyphs.braille ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "~", "=", "+", "*", "#"]
        let low = values.min()!, high = values.max()!
        var out = ""
        for cell in 0..<min(width, values.count) {
            let v = values[values.count <= width ? cell : cell * values.count / width]
            let f = high > low ? (v - low) / (high - low) : 0
            out.append(levels[min(7, Int(f * 7.999))])
        }
        return out
    }
}
