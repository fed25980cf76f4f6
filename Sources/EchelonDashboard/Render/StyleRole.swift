/// What a cell means, not how it looks: the theme decides colours and attributes per role, so a view
/// never names a colour and a mono terminal still tells the roles apart by attribute and glyph.
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case normal
    case dim
    case title
    case tableHeader = "table_header"
    case selection
    case border
    case accent
    case good
    case warning
    case bad
    case statusBar = "status_bar"
    case statusKey = "status_key"
    case chartBound = "chart_bound"
    case chartPrimal = "chart_primal"
    case chartPrevious = "chart_previous"
    case barFill = "bar_fill"
    case barOver = "bar_over"
    case input
    case overlay

    /// One letter per role for style-mask snapshots.
    public var maskLetter: Character {
        switch self {
        case .normal: return "."
        case .dim: return "d"
        case .title: return "T"
        case .tableHeader: return "H"
        case .selection: return "S"
        case .border: return "b"
        case .accent: return "a"
        case .good: return "g"
        case .warning: return "w"
        case .bad: return "X"
        case .statusBar: return "s"
        case .statusKey: return "k"
        case .chartBound: return "1"
        case .chartPrimal: return "2"
        case .chartPrevious: return "3"
        case .barFill: return "f"
        case .barOver: return "o"
        case .input: return "i"
        case .overlay: return "O"
        }
    }
}
