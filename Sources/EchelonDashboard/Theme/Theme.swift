import Foundation
import TOMLKit

/// Text attributes a role may carry.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let underline = TextAttributes(rawValue: 4)
    public static let reverse = TextAttributes(rawValue: 8)

    static let names: [String: TextAttributes] = ["bold": .bold, "dim": .dim, "underline": .underline, "reverse": .reverse]
}

/// A colour as a theme file gives it.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// An xterm palette index 0...255 (0–15 are the ANSI colours, which the user's terminal theme defines).
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)

    static let ansiNames = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue", "bright_magenta", "bright_cyan", "bright_white",
    ]

    /// Parses "default", "#RRGGBB", an ANSI name or "0".."255".
    public init?(parsing text: String) {
        let t = text.lowercased()
        if t == "default" || t.isEmpty {
            self = .terminalDefault
        } else if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        } else if let i = ThemeColor.ansiNames.firstIndex(of: t) {
            self = .indexed(i)
        } else if let i = Int(t), (0...255).contains(i) {
            self = .indexed(i)
        } else {
            return nil
        }
    }

    /// The colour number to use on a terminal with `colors` colours (−1: terminal default).
    /// Truecolour goes to the 6×6×6 cube or grey ramp; 256-colour indices go to the nearest of 16 or 8.
    public func index(forColors colors: Int) -> Int {
        switch self {
        case .terminalDefault: return -1
        case .indexed(let i):
            if colors >= 256 || i < min(colors, 16) { return colors >= 16 || i < 8 ? i : i - 8 }
            let (r, g, b) = ThemeColor.rgbOf(index: i)
            return ThemeColor.nearest(r, g, b, among: colors >= 16 ? 16 : 8)
        case .rgb(let r, let g, let b):
            if colors >= 256 { return ThemeColor.nearest256(Int(r), Int(g), Int(b)) }
            return ThemeColor.nearest(Int(r), Int(g), Int(b), among: colors >= 16 ? 16 : 8)
        }
    }

    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    static func rgbOf(index i: Int) -> (Int, Int, Int) {
        if i < 16 { return ansiRGB[i] }
        if i < 232 {
            let c = i - 16
            return (cubeLevels[c / 36], cubeLevels[c / 6 % 6], cubeLevels[c % 6])
        }
        let grey = 8 + (i - 232) * 10
        return (grey, grey, grey)
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        // Weighted for the eye's sensitivity (green most, blue least).
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 3 * dr * dr + 4 * dg * dg + 2 * db * db
    }

    static func nearest(_ r: Int, _ g: Int, _ b: Int, among count: Int) -> Int {
        (0..<count).min { distance(ansiRGB[$0], (r, g, b)) < distance(ansiRGB[$1], (r, g, b)) }!
    }

    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ v: Int) -> Int { cubeLevels.indices.min { abs(cubeLevels[$0] - v) < abs(cubeLevels[$1] - v) }! }
        let cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let greyIndex = min(23, max(0, ((r + g + b) / 3 - 8 + 5) / 10))
        let grey = 232 + greyIndex
        return distance(rgbOf(index: cube), (r, g, b)) <= distance(rgbOf(index: grey), (r, g, b)) ? cube : grey
    }
}

/// How one role looks: colours and attributes, and the attributes to use without colour.
public struct RoleStyle: Sendable, Hashable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes
    /// Used when there is no colour (mono theme, NO_COLOR, 2-colour terminals).
    public var mono: TextAttributes
    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, attributes: TextAttributes = [], mono: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
        self.mono = mono
    }
}

/// A problem in a theme file, located by file and line.
public struct ThemeError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int?
    public var message: String
    public var description: String { "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(message)" }
}

/// A colour theme: a style per semantic role. Loaded from the TOML files in `themes/`.
public struct Theme: Sendable {
    public var name: String
    /// True for themes meant for no colour at all (the mono theme): only `mono` attributes are used.
    public var monochrome: Bool
    public var styles: [StyleRole: RoleStyle]

    public init(name: String, monochrome: Bool = false, styles: [StyleRole: RoleStyle]) {
        self.name = name
        self.monochrome = monochrome
        self.styles = styles
    }

    public func style(_ role: StyleRole) -> RoleStyle { styles[role] ?? styles[.normal] ?? RoleStyle() }

    /// Parses a theme file's text.
    /// - Throws: `ThemeError` with the file, line and what is wrong.
    public static func parse(_ text: String, file: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ThemeError(file: file, line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func line(of key: String, after section: String? = nil) -> Int {
            var inSection = section == nil
            for (i, raw) in lines.enumerated() {
                let l = raw.trimmingCharacters(in: .whitespaces)
                if let section, l.hasPrefix("[") { inSection = l == "[\(section)]" }
                if inSection, l.hasPrefix(key), l.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") { return i + 1 }
            }
            return 1
        }
        func fail(_ message: String, key: String, section: String? = nil) -> ThemeError {
            ThemeError(file: file, line: line(of: key, after: section), column: nil, message: message)
        }
        guard let name = table["name"]?.string else { throw ThemeError(file: file, line: 1, message: "missing 'name = \"…\"'") }
        let monochrome = table["monochrome"]?.bool ?? false
        var palette: [String: ThemeColor] = [:]
        if let p = table["palette"]?.table {
            for key in p.keys {
                guard let s = p[key]?.string ?? p[key]?.int.map(String.init), let color = ThemeColor(parsing: s) else {
                    throw fail("palette colour '\(key)' must be \"default\", \"#RRGGBB\", an ANSI name or 0–255", key: key, section: "palette")
                }
                palette[key] = color
            }
        }
        guard let roles = table["roles"]?.table else { throw ThemeError(file: file, line: 1, message: "missing [roles] table") }
        var styles: [StyleRole: RoleStyle] = [:]
        for key in roles.keys {
            guard let role = StyleRole(rawValue: key) else {
                throw fail("unknown role '\(key)' (known: \(StyleRole.allCases.map(\.rawValue).joined(separator: ", ")))", key: key, section: "roles")
            }
            guard let entry = roles[key]?.table else { throw fail("role '\(key)' must be an inline table { fg = …, bg = … }", key: key, section: "roles") }
            func color(_ field: String) throws -> ThemeColor {
                guard let value = entry[field] else { return .terminalDefault }
                let text = value.string ?? value.int.map(String.init) ?? ""
                if let named = palette[text] { return named }
                guard let parsed = ThemeColor(parsing: text) else {
                    throw fail("role '\(key)': \(field) '\(text)' is neither a palette name nor a colour", key: key, section: "roles")
                }
                return parsed
            }
            func attributes(_ field: String) throws -> TextAttributes {
                guard let array = entry[field]?.array else { return [] }
                var out: TextAttributes = []
                for item in array {
                    guard let s = item.string, let a = TextAttributes.names[s] else {
                        throw fail("role '\(key)': \(field) takes bold, dim, underline, reverse", key: key, section: "roles")
                    }
                    out.insert(a)
                }
                return out
            }
            styles[role] = RoleStyle(foreground: try color("fg"), background: try color("bg"), attributes: try attributes("attrs"), mono: try attributes("mono"))
        }
        guard styles[.normal] != nil else { throw ThemeError(file: file, line: 1, message: "role 'normal' is required") }
        return Theme(name: name, monochrome: monochrome, styles: styles)
    }

    public static func load(path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, line: 0, message: "cannot read the theme file")
        }
        return try parse(text, file: path)
    }

    /// Finds a theme by name in the themes folders, or loads it from a path.
    /// - Parameter searchPaths: folders to look in, first match wins.
    public static func resolve(_ nameOrPath: String, searchPaths: [String]) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") { return try load(path: nameOrPath) }
        for folder in searchPaths {
            let path = folder + "/" + nameOrPath + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        }
        if nameOrPath == "dark" { return .fallback }
        throw ThemeError(file: nameOrPath, line: 0, message: "no theme named '\(nameOrPath)' in \(searchPaths.joined(separator: ", "))")
    }

    /// Folders searched for themes: $ECHELON_THEMES, ./themes, then `themes/` next to or above the executable.
    public static func defaultSearchPaths(executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["ECHELON_THEMES"], !env.isEmpty { paths.append(env) }
        paths.append(FileManager.default.currentDirectoryPath + "/themes")
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            paths.append(dir.appendingPathComponent("themes").path)
            dir = dir.deletingLastPathComponent()
        }
        return paths
    }

    /// Used when no theme file is found: terminal colours plus attributes.
    public static let fallback = Theme(name: "built-in", styles: [
        .normal: RoleStyle(),
        .dim: RoleStyle(attributes: [.dim], mono: [.dim]),
        .title: RoleStyle(attributes: [.reverse, .bold], mono: [.reverse, .bold]),
        .tableHeader: RoleStyle(attributes: [.bold, .underline], mono: [.bold, .underline]),
        .selection: RoleStyle(attributes: [.reverse], mono: [.reverse]),
        .statusBar: RoleStyle(attributes: [.reverse], mono: [.reverse]),
        .statusKey: RoleStyle(attributes: [.reverse, .bold], mono: [.reverse, .bold]),
        .bad: RoleStyle(attributes: [.bold], mono: [.bold]),
        .warning: RoleStyle(attributes: [.underline], mono: [.underline]),
        .accent: RoleStyle(attributes: [.bold], mono: [.bold]),
        .input: RoleStyle(attributes: [.underline], mono: [.underline]),
        .barOver: RoleStyle(attributes: [.bold], mono: [.bold]),
    ])
}
