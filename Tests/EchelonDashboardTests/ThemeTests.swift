import Foundation
import Testing
@testable import EchelonDashboard

@Suite struct ThemeTests {
    static let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes").path

    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func bundledThemeParsesWithEveryRole(_ name: String) throws {
        let theme = try Theme.resolve(name, searchPaths: [Self.themesFolder])
        #expect(theme.name == name)
        #expect(Set(theme.styles.keys) == Set(StyleRole.allCases))
        #expect(theme.monochrome == (name == "mono"))
    }

    /// Without colour, the roles that carry state still differ from plain text by attribute.
    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func stateRolesStayVisibleInMono(_ name: String) throws {
        let theme = try Theme.resolve(name, searchPaths: [Self.themesFolder])
        for role in [StyleRole.bad, .barOver, .selection, .title, .tableHeader, .statusBar, .input] {
            #expect(!theme.style(role).mono.isEmpty, "\(name).\(role)")
        }
        #expect(theme.style(.bad).mono != theme.style(.warning).mono)
    }

    @Test func syntaxErrorNamesFileLineAndColumn() {
        let text = "name = \"x\"\n[roles]\nnormal = { fg = \"#ffffff\"\n"
        #expect {
            try Theme.parse(text, file: "themes/broken.toml")
        } throws: { error in
            let e = error as! ThemeError
            return e.file == "themes/broken.toml" && e.line == 3 && "\(e)".hasPrefix("themes/broken.toml:3:")
        }
    }

    @Test func unknownRoleNamesItsLine() {
        let text = "name = \"x\"\n\n[roles]\nnormal = {}\ntitel = { fg = \"red\" }\n"
        #expect {
            try Theme.parse(text, file: "t.toml")
        } throws: { error in
            let e = error as! ThemeError
            return e.line == 5 && e.message.contains("unknown role 'titel'")
        }
    }

    @Test func badColourNamesItsLine() {
        let text = "name = \"x\"\n[palette]\nfg = \"#12\"\n[roles]\nnormal = { fg = \"fg\" }\n"
        #expect {
            try Theme.parse(text, file: "t.toml")
        } throws: { error in (error as! ThemeError).line == 3 }
        let role = "name = \"x\"\n[roles]\nnormal = { fg = \"chartreuse\" }\n"
        #expect {
            try Theme.parse(role, file: "t.toml")
        } throws: { error in (error as! ThemeError).line == 3 }
    }

    @Test func missingThemeIsAnError() {
        #expect(throws: ThemeError.self) { try Theme.resolve("no-such-theme", searchPaths: [Self.themesFolder]) }
    }

    @Test func coloursDegradeToTheNearestPaletteEntry() {
        // Truecolour → xterm-256: pure red is cube (5,0,0) = 196; mid grey 128 goes to the grey ramp.
        #expect(ThemeColor.rgb(255, 0, 0).index(forColors: 256) == 196)
        #expect(ThemeColor.rgb(0, 0, 0).index(forColors: 256) == 16)
        #expect(ThemeColor.rgb(128, 128, 128).index(forColors: 256) == 244)
        #expect(ThemeColor.rgb(0x87, 0xAF, 0xD7).index(forColors: 256) == 110)
        // → 16 and 8 colours.
        #expect(ThemeColor.rgb(255, 0, 0).index(forColors: 16) == 9)
        #expect(ThemeColor.rgb(255, 0, 0).index(forColors: 8) == 1)
        #expect(ThemeColor.indexed(196).index(forColors: 16) == 9)
        #expect(ThemeColor.indexed(12).index(forColors: 8) == 4)
        #expect(ThemeColor.indexed(3).index(forColors: 8) == 3)
        #expect(ThemeColor.terminalDefault.index(forColors: 256) == -1)
        #expect(ThemeColor(parsing: "bright_cyan") == .indexed(14))
        #expect(ThemeColor(parsing: "#0A0b0C") == .rgb(10, 11, 12))
        #expect(ThemeColor(parsing: "300") == nil)
    }
}
