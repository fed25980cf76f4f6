import CNcursesW
import Testing
@testable import EchelonDashboard
@testable import EchelonTerminal

@Test func ncursesIsLinkedAndWide() {
    #expect(String(cString: curses_version()).hasPrefix("ncurses"))
}

@Test func controlCodesDecodeToNamedKeys() {
    #expect(TerminalScreen.decode(character: 9) == .tab)
    #expect(TerminalScreen.decode(character: 13) == .enter)
    #expect(TerminalScreen.decode(character: 10) == .enter)
    #expect(TerminalScreen.decode(character: 27) == .escape)
    #expect(TerminalScreen.decode(character: 127) == .backspace)
    #expect(TerminalScreen.decode(character: 3) == .control("c"))
    #expect(TerminalScreen.decode(character: 6) == .control("f"))
    #expect(TerminalScreen.decode(character: 0x71) == .character("q"))
    #expect(TerminalScreen.decode(character: 0x6771) == .character("東"))
    #expect(TerminalScreen.decode(character: 0x1F) == .control("\u{7F}") || TerminalScreen.decode(character: 0x1F) == nil)
}

/// Every key the keymap names can come out of the decoder (or the keypad table for special keys).
@Test func everyKeymapCharacterIsDecodable() {
    for binding in Keymap.bindings {
        for key in binding.keys {
            switch key {
            case .character(let c):
                #expect(TerminalScreen.decode(character: c.unicodeScalars.first!.value) == key)
            case .control(let c):
                #expect(TerminalScreen.decode(character: c.unicodeScalars.first!.value - 96) == key)
            default:
                break
            }
        }
    }
}
