/// A key as the dashboard sees it, decoded by the terminal module.
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    /// Ctrl plus a letter, lower case ("c" for Ctrl-C).
    case control(Character)

    /// How the help overlay and the footer spell the key.
    public var label: String {
        switch self {
        case .character(" "): return "Spc"
        case .character(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        case .control(let c): return "^" + String(c).uppercased()
        }
    }
}

/// The screens, numbered as their number keys.
public enum Screen: Int, CaseIterable, Sendable, Hashable {
    case network = 1, node, product, convergence, violations, whatIf

    public var title: String {
        switch self {
        case .network: return "Network"
        case .node: return "Node"
        case .product: return "Product"
        case .convergence: return "Convergence"
        case .violations: return "Violations"
        case .whatIf: return "What-if"
        }
    }
}

/// Everything a key can ask for.
public enum Action: Hashable, Sendable {
    case quit
    case help
    case back
    case drillIn
    case nextScreen
    case previousScreen
    case goTo(Screen)
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case filter
    case sortNext
    case sortReverse
    case openWhatIf
    case resolve
    case cancelSolve
    case undo
    case savePlan
    case whatIfNextKind
    case whatIfPreviousKind
    case whatIfAddChange
    case whatIfRemoveChange
}

/// Where a binding applies.
public enum BindingScope: Hashable, Sendable {
    case global
    /// Only on these screens.
    case screens(Set<Screen>)

    func contains(_ screen: Screen) -> Bool {
        switch self {
        case .global: return true
        case .screens(let set): return set.contains(screen)
        }
    }
}

/// One row of the keymap: the single table that drives dispatch, the footer and the `?` overlay.
public struct KeyBinding: Sendable, Hashable {
    public var keys: [Key]
    public var action: Action
    /// Short label for the footer.
    public var label: String
    /// One line for the help overlay.
    public var help: String
    public var scope: BindingScope
    /// Shown in the footer of the screens it applies to.
    public var inFooter: Bool
    /// Changes the plan (re-solves, what-ifs): disabled by `--read-only`.
    public var changesPlan: Bool

    public init(
        _ keys: [Key], _ action: Action, label: String, help: String, scope: BindingScope = .global,
        footer: Bool = false, changesPlan: Bool = false
    ) {
        self.keys = keys
        self.action = action
        self.label = label
        self.help = help
        self.scope = scope
        self.inFooter = footer
        self.changesPlan = changesPlan
    }

    public var keyLabel: String { keys.map(\.label).joined(separator: " ") }
}

public enum Keymap {
    static let tables: Set<Screen> = [.network, .node, .product, .violations]

    /// The keymap. Order matters: the first binding in scope wins, and the footer and help list them in this order.
    public static let bindings: [KeyBinding] = [
        KeyBinding([.character("?"), .function(1)], .help, label: "help", help: "Show or hide this help", footer: true),
        KeyBinding([.character("q"), .control("c")], .quit, label: "quit", help: "Quit (asks if solving)", footer: true),
        KeyBinding([.escape], .back, label: "back", help: "Back / close / unfilter"),
        KeyBinding([.tab], .nextScreen, label: "next", help: "Next screen"),
        KeyBinding([.backTab], .previousScreen, label: "prev", help: "Previous screen"),
        KeyBinding([.character("1")], .goTo(.network), label: "network", help: "Network screen"),
        KeyBinding([.character("2")], .goTo(.node), label: "node", help: "Node screen"),
        KeyBinding([.character("3")], .goTo(.product), label: "product", help: "Product screen"),
        KeyBinding([.character("4")], .goTo(.convergence), label: "converge", help: "Convergence screen"),
        KeyBinding([.character("5")], .goTo(.violations), label: "violations", help: "Violations screen"),
        KeyBinding([.character("6")], .goTo(.whatIf), label: "what-if", help: "What-if screen", changesPlan: true),
        KeyBinding([.up, .character("k")], .moveUp, label: "up", help: "Move up"),
        KeyBinding([.down, .character("j")], .moveDown, label: "down", help: "Move down"),
        KeyBinding([.pageUp, .control("b")], .pageUp, label: "page up", help: "Page up"),
        KeyBinding([.pageDown, .control("f"), .character(" ")], .pageDown, label: "page down", help: "Page down"),
        KeyBinding([.home, .character("g")], .top, label: "top", help: "First row"),
        KeyBinding([.end, .character("G")], .bottom, label: "bottom", help: "Last row"),
        KeyBinding([.enter, .character("l")], .drillIn, label: "open", help: "Open the selected row", scope: .screens(tables), footer: true),
        KeyBinding([.character("/")], .filter, label: "filter", help: "Filter rows (Esc clears)", scope: .screens(tables), footer: true),
        KeyBinding([.character("s")], .sortNext, label: "sort", help: "Sort by next column", scope: .screens(tables), footer: true),
        KeyBinding([.character("S")], .sortReverse, label: "reverse", help: "Reverse the sort order", scope: .screens(tables)),
        KeyBinding([.left, .character("h")], .whatIfPreviousKind, label: "kind", help: "What-if: previous choice", scope: .screens([.whatIf])),
        KeyBinding([.right], .whatIfNextKind, label: "kind", help: "What-if: next choice", scope: .screens([.whatIf])),
        KeyBinding([.enter], .whatIfAddChange, label: "add", help: "What-if: add the change", scope: .screens([.whatIf]), footer: true, changesPlan: true),
        KeyBinding([.character("d"), .delete], .whatIfRemoveChange, label: "drop", help: "What-if: drop last one", scope: .screens([.whatIf]), changesPlan: true),
        KeyBinding([.character("w")], .openWhatIf, label: "what-if", help: "What-if on selected node", footer: true, changesPlan: true),
        KeyBinding([.character("r")], .resolve, label: "re-solve", help: "Apply + re-solve (warm)", footer: true, changesPlan: true),
        KeyBinding([.character("c")], .cancelSolve, label: "stop", help: "Stop solve (keeps best)", changesPlan: true),
        KeyBinding([.character("u")], .undo, label: "undo", help: "Undo what-if, re-solve", scope: .screens([.whatIf]), footer: true, changesPlan: true),
        KeyBinding([.character("p")], .savePlan, label: "save", help: "Save plan (solve format)", footer: true),
    ]

    /// The binding a key triggers on a screen, if any.
    public static func binding(for key: Key, on screen: Screen) -> KeyBinding? {
        bindings.first { $0.scope.contains(screen) && $0.keys.contains(key) }
    }

    /// The footer hints for a screen, in keymap order.
    public static func footer(for screen: Screen, readOnly: Bool) -> [KeyBinding] {
        bindings.filter { $0.inFooter && $0.scope.contains(screen) && !(readOnly && $0.changesPlan) }
    }
}
