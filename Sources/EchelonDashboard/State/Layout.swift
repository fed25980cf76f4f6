/// Where things go on screen; shared by the views (to draw) and the reducer (paging, mouse hits).
public enum Layout {
    public static let minimumWidth = 80
    public static let minimumHeight = 24
    public static let tabRow = 0
    public static let statusRow = 1
    public static let bodyTop = 2

    /// The rows of a screen's main table: its header row, first data row and number of data rows.
    public static func table(_ screen: Screen, width: Int, height: Int) -> (header: Int, first: Int, count: Int) {
        let bottom = height - 1  // footer row
        switch screen {
        case .network: return (3, 4, max(1, bottom - 4))
        case .node: return (9, 10, max(1, bottom - 10))
        case .product:
            let count = max(3, (bottom - 5) / 2 - 1)
            return (4, 5, count)
        case .violations: return (2, 3, max(3, bottom - 3 - 9))
        case .convergence, .whatIf: return (bodyTop, bodyTop + 1, max(1, bottom - bodyTop - 1))
        }
    }

    /// Tab titles and their x ranges on the tab row.
    public static func tabs(width: Int) -> [(screen: Screen, x: Int, label: String)] {
        var x = 10
        var out: [(Screen, Int, String)] = []
        let short: [Screen: String] = [.convergence: "Converge", .violations: "Violate"]
        for screen in Screen.allCases {
            let title = width < 100 ? short[screen] ?? screen.title : screen.title
            let label = " \(screen.rawValue) \(title) "
            out.append((screen, x, label))
            x += DisplayWidth.of(label) + 1
        }
        return out
    }
}
