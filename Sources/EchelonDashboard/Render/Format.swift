import Foundation

/// Number formatting for narrow columns.
public enum Format {
    /// 1234567 → "1.23M", 0.0123 → "0.0123".
    public static func compact(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "-∞") }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        switch magnitude {
        case 1e12...: return sign + String(format: "%.2fT", magnitude / 1e12)
        case 1e9...: return sign + String(format: "%.2fG", magnitude / 1e9)
        case 1e6...: return sign + String(format: "%.2fM", magnitude / 1e6)
        case 1e4...: return sign + String(format: "%.1fk", magnitude / 1e3)
        case 100...: return sign + String(format: "%.0f", magnitude)
        case 1...: return sign + String(format: "%.2f", magnitude)
        case 0.0001...: return sign + String(format: "%.4f", magnitude)
        case 0: return "0"
        default: return sign + String(format: "%.1e", magnitude)
        }
    }

    /// Plain decimal without trailing zeros, for values a user edits.
    public static func plain(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.4f", value)
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text
    }

    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "-∞") }
        return String(format: "%.\(digits)f", value)
    }

    public static func percent(_ fraction: Double, digits: Int = 1) -> String {
        guard fraction.isFinite else { return "–" }
        return String(format: "%.\(digits)f%%", fraction * 100)
    }

    /// A price: four significant digits, "0" for exactly zero.
    public static func price(_ value: Double) -> String {
        if value == 0 { return "0" }
        guard value.isFinite else { return "–" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return compact(value) }
        if magnitude >= 1 { return String(format: "%.3f", value) }
        return String(format: "%.4f", value)
    }

    /// Pads or clips to exactly `width` columns.
    public static func pad(_ text: String, _ width: Int, right: Bool = false, ellipsis: Character = "…") -> String {
        let w = DisplayWidth.of(text)
        if w > width {
            var out = ""
            var used = 0
            for scalar in text.unicodeScalars {
                let sw = DisplayWidth.of(scalar)
                if used + sw > width - 1 { break }
                out.unicodeScalars.append(scalar)
                used += sw
            }
            return out + String(ellipsis) + String(repeating: " ", count: max(0, width - used - 1))
        }
        let padding = String(repeating: " ", count: width - w)
        return right ? padding + text : text + padding
    }
}
