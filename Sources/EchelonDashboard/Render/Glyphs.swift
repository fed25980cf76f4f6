/// The characters the views draw with: Unicode box drawing and braille by default, plain ASCII with
/// `--ascii` for terminals and fonts that lack them.
public struct Glyphs: Sendable, Hashable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var treeBranch: String
    /// Bar cells from empty to full in eighths (index 0 = empty, last = full).
    public var barSteps: [Character]
    public var pointer: Character
    public var overMarker: String
    public var okMarker: String
    public var up: Character
    public var down: Character
    public var sortAscending: Character
    public var sortDescending: Character
    /// True when charts may use braille dots; else they use ASCII marks.
    public var braille: Bool
    public var arrow: String
    public var ellipsis: Character

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        treeBranch: "└─", barSteps: [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"], pointer: "▸", overMarker: "▲OVER",
        okMarker: "ok", up: "▲", down: "▼", sortAscending: "↑", sortDescending: "↓", braille: true, arrow: "→",
        ellipsis: "…")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        treeBranch: "`-", barSteps: [" ", " ", " ", " ", "-", "-", "-", "-", "#"], pointer: ">", overMarker: "!OVER",
        okMarker: "ok", up: "^", down: "v", sortAscending: "^", sortDescending: "v", braille: false, arrow: "->",
        ellipsis: "~")
}
