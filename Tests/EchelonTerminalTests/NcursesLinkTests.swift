import Testing
@testable import EchelonTerminal

@Test func ncursesIsLinkedAndWide() {
    #expect(TerminalModule.ncursesVersion.hasPrefix("ncurses"))
}
