// The only code that calls ncurses. Filled in by the dashboard issue.
import CNcursesW
import EchelonDashboard

public enum TerminalModule {
    /// True when ncursesw is linked and reports a version.
    public static var ncursesVersion: String { String(cString: curses_version()) }
}
