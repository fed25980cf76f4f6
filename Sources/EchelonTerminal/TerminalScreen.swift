import CNcursesW
import EchelonDashboard
import Foundation

/// What the terminal can do, decided once at start.
public struct TerminalOptions: Sendable {
    public var theme: Theme
    public var mouse: Bool
    /// NO_COLOR or a monochrome theme: attributes only.
    public var noColor: Bool
    public init(theme: Theme, mouse: Bool, noColor: Bool) {
        self.theme = theme
        self.mouse = mouse
        self.noColor = noColor
    }
}

/// The ncurses screen: init and teardown, blitting a `ScreenBuffer`, reading keys.
/// - Note: All methods must be called from the main thread; ncurses has no locking.
@MainActor
public final class TerminalScreen {
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var colors = 0
    private var styles: [StyleRole: (attributes: attr_t, pair: Int16)] = [:]
    private var active = false
    private var scratch: [wchar_t] = []

    public init() {}

    /// Takes over the terminal. Pair with `stop()` on every exit path.
    public func start(options: TerminalOptions) {
        setlocale(LC_ALL, "")
        initscr()
        active = true
        raw()  // Ctrl-C arrives as a key, so quitting always goes through the same clean path.
        noecho()
        nonl()
        let screen = cnc_stdscr()
        keypad(screen, true)
        intrflush(screen, false)
        nodelay(screen, true)
        leaveok(screen, true)
        curs_set(0)
        set_escdelay(25)
        if options.mouse {
            mousemask(cnc_mouse_mask(), nil)
            mouseinterval(0)
        }
        configureColors(options)
        width = Int(getmaxx(screen))
        height = Int(getmaxy(screen))
    }

    private func configureColors(_ options: TerminalOptions) {
        let useColor = !options.noColor && !options.theme.monochrome && has_colors()
        if useColor {
            start_color()
            use_default_colors()
            colors = Int(cnc_colors())
        }
        let bits: [(TextAttributes, attr_t)] = [(.bold, cnc_a_bold()), (.dim, cnc_a_dim()), (.underline, cnc_a_underline()), (.reverse, cnc_a_reverse())]
        for (i, role) in StyleRole.allCases.enumerated() {
            let style = options.theme.style(role)
            let wanted = useColor ? style.attributes : style.mono
            var attributes = cnc_a_normal()
            for (flag, bit) in bits where wanted.contains(flag) { attributes |= bit }
            var pair: Int16 = 0
            if useColor && colors >= 8 {
                pair = Int16(i + 1)
                init_pair(pair, Int16(style.foreground.index(forColors: colors)), Int16(style.background.index(forColors: colors)))
            }
            styles[role] = (attributes, pair)
        }
    }

    /// Gives the terminal back: cursor, echo, cooked mode, main screen. Safe to call twice.
    public func stop() {
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
    }

    /// Re-reads the size after SIGWINCH and tells ncurses.
    public func resize() {
        var rows: Int32 = 0, cols: Int32 = 0
        if cnc_window_size(&rows, &cols) == 0 {
            resizeterm(rows, cols)
        }
        refreshSize()
    }

    /// Reads ncurses' idea of the size.
    public func refreshSize() {
        let screen = cnc_stdscr()
        width = Int(getmaxx(screen))
        height = Int(getmaxy(screen))
    }

    /// Copies the buffer to the screen; ncurses sends only the cells that changed.
    public func draw(_ buffer: ScreenBuffer) {
        let screen = cnc_stdscr()
        let rows = min(buffer.height, height)
        let columns = min(buffer.width, width)
        werase(screen)
        for y in 0..<rows {
            var x = 0
            while x < columns {
                let role = buffer[x, y].role
                scratch.removeAll(keepingCapacity: true)
                let start = x
                while x < columns, buffer[x, y].role == role {
                    let cell = buffer[x, y]
                    if !cell.isContinuation { scratch.append(wchar_t(bitPattern: cell.scalar.value)) }
                    x += 1
                }
                // The bottom-right cell would scroll the screen; leave it blank.
                if y == height - 1, x == width, !scratch.isEmpty { scratch.removeLast() }
                guard !scratch.isEmpty else { continue }
                let style = styles[role] ?? (cnc_a_normal(), 0)
                wattr_set(screen, style.attributes, style.pair, nil)
                scratch.append(0)
                scratch.withUnsafeBufferPointer { pointer in
                    _ = mvwaddnwstr(screen, Int32(y), Int32(start), pointer.baseAddress, Int32(pointer.count - 1))
                }
            }
        }
        wattr_set(screen, cnc_a_normal(), 0, nil)
        wnoutrefresh(screen)
        doupdate()
    }

    /// What one `get_wch` call produced.
    public enum Input {
        case key(Key)
        case mouse(MouseEvent)
        case resize
        case none
    }

    /// Reads one input without blocking.
    public func read() -> Input {
        var value: wint_t = 0
        let status = wget_wch(cnc_stdscr(), &value)
        if status == ERR { return .none }
        let code = Int32(bitPattern: UInt32(value))
        if status == KEY_CODE_YES {
            switch code {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            case KEY_RESIZE: return .resize
            case KEY_MOUSE:
                var event = MEVENT()
                guard getmouse(&event) == OK else { return .none }
                let kind: MouseEvent.Kind
                if cnc_mouse_is_wheel_up(event.bstate) != 0 {
                    kind = .wheelUp
                } else if cnc_mouse_is_wheel_down(event.bstate) != 0 {
                    kind = .wheelDown
                } else if cnc_mouse_is_press(event.bstate) != 0 {
                    kind = .press
                } else {
                    return .none
                }
                return .mouse(MouseEvent(x: Int(event.x), y: Int(event.y), kind: kind))
            default:
                let f0 = cnc_key_f0()
                if code > f0, code <= f0 + 12 { return .key(.function(Int(code - f0))) }
                return .none
            }
        }
        return TerminalScreen.decode(character: UInt32(value)).map { .key($0) } ?? .none
    }

    /// Turns a character from `get_wch` into a key (control codes into named keys).
    public nonisolated static func decode(character value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }
}
