// Reading and writing a plan directory: `plan.csv` (one row per product and node) and `service.csv`
// (one row per speed). Ids are resolved against the scenario; every error names file, line and field.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One speed's row of `service.csv`.
public struct PlannedService: Sendable, Hashable {
    public var speed: Int
    public var targetFillRate: Double
    /// The model's network fill rate for this speed.
    public var plannedFillRate: Double
    /// The service price (dual) the solver ended with; 0 for baselines.
    public var price: Double
    public init(speed: Int, targetFillRate: Double, plannedFillRate: Double, price: Double) {
        self.speed = speed
        self.targetFillRate = targetFillRate
        self.plannedFillRate = plannedFillRate
        self.price = price
    }
}

/// A plan as read from a plan directory.
public struct PlanFiles: Sendable {
    public var plan: Plan
    /// Per speed index; nil where `service.csv` is missing or has no row for the speed.
    public var service: [PlannedService?]
    /// The directory read, for reports.
    public var directory: String
    public init(plan: Plan, service: [PlannedService?], directory: String) {
        self.plan = plan
        self.service = service
        self.directory = directory
    }
}

/// A problem in a plan file, located to the field.
public struct PlanFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// 1-based; 0 when the problem is the file as a whole.
    public var line: Int
    public var field: String
    public var message: String
    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }
    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        return field.isEmpty ? "\(place): \(message)" : "\(place): field '\(field)': \(message)"
    }
}

public enum PlanCSV {
    public static let planHeader = [
        "product", "node", "vendor", "base_stock", "expected_on_hand", "outbound_per_day", "inbound_per_day",
        "fill_rate",
    ]
    public static let serviceHeader = ["speed", "target_fill_rate", "planned_fill_rate", "price"]

    /// Reads `plan.csv` (required) and `service.csv` (optional) from `directory`.
    public static func read(directory: String, scenario: Scenario) throws -> PlanFiles {
        let planPath = joinPath(directory, "plan.csv")
        guard let planText = readTextFile(planPath) else {
            throw PlanFileError(file: planPath, line: 0, field: "", message: "cannot read the file")
        }
        let plan = try parsePlan(text: planText, path: planPath, scenario: scenario)
        let servicePath = joinPath(directory, "service.csv")
        var service = [PlannedService?](repeating: nil, count: scenario.speeds.count)
        if let serviceText = readTextFile(servicePath) {
            service = try parseService(text: serviceText, path: servicePath, scenario: scenario)
        }
        return PlanFiles(plan: plan, service: service, directory: directory)
    }

    /// Parses the text of a `plan.csv`; `path` is only for messages.
    public static func parsePlan(text: String, path: String, scenario: Scenario) throws -> Plan {
        let rows = try PlanCSVParser.rows(text, path: path)
        guard let header = rows.first else {
            throw PlanFileError(file: path, line: 1, field: "", message: "empty file, expected a header row")
        }
        let columns = try columnIndex(header.fields, required: planHeader, path: path, line: header.line)
        var productIndex: [String: Int] = [:]
        for (i, product) in scenario.products.enumerated() { productIndex[product.id] = i }
        var nodeIndex: [String: Int] = [:]
        for (i, node) in scenario.nodes.enumerated() { nodeIndex[node.id] = i }
        var vendorIndex: [String: Int] = [:]
        for (i, vendor) in scenario.vendors.enumerated() { vendorIndex[vendor.id] = i }

        var vendorChoice = scenario.products.map { Int32($0.vendors.lowerBound) }
        var vendorSetOnLine = [Int](repeating: 0, count: scenario.products.count)
        var seen = Set<Int64>()
        var positions: [PlanPosition] = []
        for row in rows.dropFirst() {
            func field(_ name: String) -> String { row.fields[columns[name]!] }
            func number(_ name: String) throws -> Double {
                let text = field(name)
                guard let value = Double(text), value.isFinite else {
                    throw PlanFileError(file: path, line: row.line, field: name, message: "'\(text)' is not a number")
                }
                return value
            }
            guard row.fields.count >= header.fields.count else {
                throw PlanFileError(
                    file: path, line: row.line, field: "",
                    message: "has \(row.fields.count) fields, the header has \(header.fields.count)")
            }
            guard let product = productIndex[field("product")] else {
                throw PlanFileError(
                    file: path, line: row.line, field: "product", message: "unknown product '\(field("product"))'")
            }
            guard let node = nodeIndex[field("node")] else {
                throw PlanFileError(file: path, line: row.line, field: "node", message: "unknown node '\(field("node"))'")
            }
            let vendorText = field("vendor")
            if !vendorText.isEmpty {
                guard let vendor = vendorIndex[vendorText] else {
                    throw PlanFileError(file: path, line: row.line, field: "vendor", message: "unknown vendor '\(vendorText)'")
                }
                let range = scenario.products[product].vendors
                guard let choice = range.first(where: { scenario.productVendors[Int($0)].vendor == vendor }) else {
                    throw PlanFileError(
                        file: path, line: row.line, field: "vendor",
                        message: "vendor '\(vendorText)' does not supply product '\(field("product"))'")
                }
                if vendorSetOnLine[product] > 0 && vendorChoice[product] != choice {
                    throw PlanFileError(
                        file: path, line: row.line, field: "vendor",
                        message: "product '\(field("product"))' already buys from another vendor on line \(vendorSetOnLine[product])")
                }
                vendorChoice[product] = choice
                vendorSetOnLine[product] = row.line
            }
            let baseStockValue = try number("base_stock")
            guard baseStockValue >= 0, baseStockValue == baseStockValue.rounded(), baseStockValue < 2e9 else {
                throw PlanFileError(
                    file: path, line: row.line, field: "base_stock",
                    message: "must be a whole number of units ≥ 0, got '\(field("base_stock"))'")
            }
            let key = Int64(product) * Int64(scenario.nodes.count) + Int64(node)
            guard seen.insert(key).inserted else {
                throw PlanFileError(
                    file: path, line: row.line, field: "node",
                    message: "product '\(field("product"))' at node '\(field("node"))' appears twice")
            }
            let allowed = scenario.products[product].sizeClass.eligibleKinds.contains(scenario.nodes[node].kind)
            if !allowed && baseStockValue > 0 {
                throw PlanFileError(
                    file: path, line: row.line, field: "node",
                    message: "a \(scenario.products[product].sizeClass.rawValue) product cannot be held at \(scenario.nodes[node].kind.rawValue) '\(field("node"))'")
            }
            positions.append(
                PlanPosition(
                    product: Int32(product), node: Int32(node), baseStock: Int32(baseStockValue),
                    expectedOnHand: try number("expected_on_hand"), outboundPerDay: try number("outbound_per_day"),
                    inboundPerDay: try number("inbound_per_day"), fillRate: try number("fill_rate")))
        }
        positions.sort { ($0.product, $0.node) < ($1.product, $1.node) }
        return Plan(vendorChoice: vendorChoice, positions: positions)
    }

    /// Parses the text of a `service.csv`; `path` is only for messages.
    public static func parseService(text: String, path: String, scenario: Scenario) throws -> [PlannedService?] {
        let rows = try PlanCSVParser.rows(text, path: path)
        guard let header = rows.first else {
            throw PlanFileError(file: path, line: 1, field: "", message: "empty file, expected a header row")
        }
        let columns = try columnIndex(header.fields, required: serviceHeader, path: path, line: header.line)
        var result = [PlannedService?](repeating: nil, count: scenario.speeds.count)
        for row in rows.dropFirst() {
            guard row.fields.count >= header.fields.count else {
                throw PlanFileError(
                    file: path, line: row.line, field: "",
                    message: "has \(row.fields.count) fields, the header has \(header.fields.count)")
            }
            func number(_ name: String) throws -> Double {
                let text = row.fields[columns[name]!]
                guard let value = Double(text), value.isFinite else {
                    throw PlanFileError(file: path, line: row.line, field: name, message: "'\(text)' is not a number")
                }
                return value
            }
            let id = row.fields[columns["speed"]!]
            guard let speed = scenario.speeds.firstIndex(where: { $0.id == id }) else {
                throw PlanFileError(file: path, line: row.line, field: "speed", message: "unknown speed '\(id)'")
            }
            result[speed] = PlannedService(
                speed: speed, targetFillRate: try number("target_fill_rate"),
                plannedFillRate: try number("planned_fill_rate"), price: try number("price"))
        }
        return result
    }

    /// The text of a `plan.csv` for `plan`.
    public static func planText(_ plan: Plan, scenario: Scenario) -> String {
        var out = ""
        writePlanRows(plan, scenario: scenario) { out += $0 }
        return out
    }

    /// Hands `plan.csv` to `emit` line by line (header first), so a large plan is written without
    /// its whole text in memory (1 M products make ≈ 1 GB of it).
    public static func writePlanRows(_ plan: Plan, scenario: Scenario, emit: (String) throws -> Void) rethrows {
        try emit(planHeader.joined(separator: ",") + "\n")
        for position in plan.positions {
            let p = Int(position.product)
            let vendor = scenario.vendors[scenario.productVendors[Int(plan.vendorChoice[p])].vendor].id
            try emit(
                [
                    csvField(scenario.products[p].id), csvField(scenario.nodes[Int(position.node)].id), csvField(vendor),
                    String(position.baseStock), formatNumber(position.expectedOnHand),
                    formatNumber(position.outboundPerDay), formatNumber(position.inboundPerDay),
                    formatNumber(position.fillRate),
                ].joined(separator: ",") + "\n")
        }
    }

    /// Writes `plan.csv` for `plan` at `path`, streamed and atomically.
    public static func writePlanFile(_ plan: Plan, scenario: Scenario, to path: String) throws {
        try writeFileAtomically(to: path) { file in
            writePlanRows(plan, scenario: scenario) { file.write($0) }
        }
    }

    /// The text of a `service.csv`.
    public static func serviceText(_ service: [PlannedService], scenario: Scenario) -> String {
        var out = serviceHeader.joined(separator: ",") + "\n"
        for row in service {
            out += [
                csvField(scenario.speeds[row.speed].id), formatNumber(row.targetFillRate),
                formatNumber(row.plannedFillRate), formatNumber(row.price),
            ].joined(separator: ",") + "\n"
        }
        return out
    }

    /// Writes `plan.csv` and `service.csv` into `directory` (created if needed), each atomically.
    public static func write(_ plan: Plan, service: [PlannedService], scenario: Scenario, to directory: String) throws {
        try makeDirectory(directory)
        try writePlanFile(plan, scenario: scenario, to: joinPath(directory, "plan.csv"))
        try writeFileAtomically(serviceText(service, scenario: scenario), to: joinPath(directory, "service.csv"))
    }

    private static func columnIndex(_ header: [String], required: [String], path: String, line: Int) throws -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() { index[name.trimmingSpaces()] = i }
        for name in required where index[name] == nil {
            throw PlanFileError(
                file: path, line: line, field: name,
                message: "missing column (expected \(required.joined(separator: ",")))")
        }
        return index
    }
}

/// A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF; blank lines and `#` comments skipped.
enum PlanCSVParser {
    struct Row {
        var line: Int
        var fields: [String]
    }

    static func rows(_ text: String, path: String) throws -> [Row] {
        var rows: [Row] = []
        var line = 1
        var rowLine = 1
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var iterator = Array(text.unicodeScalars)[...]
        func endRow() {
            fields.append(fieldWasQuoted ? field : field.trimmingSpaces())
            let blank = fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted
            let comment = !fieldWasQuoted && (fields.first?.hasPrefix("#") ?? false)
            if !blank && !comment { rows.append(Row(line: rowLine, fields: fields)) }
            fields = []
            field = ""
            fieldWasQuoted = false
        }
        while let scalar = iterator.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if iterator.first == "\"" {
                        field.unicodeScalars.append("\"")
                        iterator.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard field.trimmingSpaces().isEmpty else {
                    throw PlanFileError(file: path, line: line, field: "", message: "quote inside an unquoted field")
                }
                field = ""
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                fields.append(fieldWasQuoted ? field : field.trimmingSpaces())
                field = ""
                fieldWasQuoted = false
            case "\r":
                continue
            case "\n":
                endRow()
                line += 1
                rowLine = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw PlanFileError(file: path, line: rowLine, field: "", message: "unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

extension PlanCSV {
    /// Quotes a CSV field when it needs it.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var out = "\""
        for character in text {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }

    /// A number as short as it can be while reading back the same (Swift's shortest round-trip form),
    /// with integers printed without ".0".
    public static func formatNumber(_ value: Double) -> String {
        if value.isFinite && value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `directory/name`.
    public static func joinPath(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The whole file as UTF-8 text, or nil when it cannot be read.
    public static func readTextFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count { break }
        }
        if ferror(file) != 0 { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Creates `directory` and its parents when missing.
    public static func makeDirectory(_ directory: String) throws {
        let parts = directory.split(separator: "/")
        var path = directory.hasPrefix("/") ? "" : "."
        for part in parts {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw PlanFileError(
                    file: path, line: 0, field: "",
                    message: "cannot create the directory (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// Writes `text` to a temporary file in the same folder, then renames it over `path`, so a reader
    /// never sees half a file.
    public static func writeFileAtomically(_ text: String, to path: String) throws {
        try writeFileAtomically(to: path) { $0.write(text) }
    }

    /// Lets `body` write the file in pieces to a temporary file in the same folder, then renames it
    /// over `path`; when `body` throws or a write fails, the temporary file is removed and `path` is
    /// left as it was.
    public static func writeFileAtomically(to path: String, _ body: (AtomicFileWriter) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = joinPath(folder.isEmpty ? "/" : folder, ".\(name).tmp-\(getpid())")
        guard let file = fopen(temporary, "wb") else {
            throw PlanFileError(
                file: temporary, line: 0, field: "", message: "cannot create (\(String(cString: strerror(errno))))")
        }
        let writer = AtomicFileWriter(file: file)
        do {
            try body(writer)
        } catch {
            fclose(file)
            unlink(temporary)
            throw error
        }
        let flushed = fflush(file) == 0
        fclose(file)
        guard !writer.failed, flushed else {
            unlink(temporary)
            throw PlanFileError(file: temporary, line: 0, field: "", message: "cannot write (disk full?)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PlanFileError(file: path, line: 0, field: "", message: "cannot rename the temporary file into place (\(reason))")
        }
    }
}

/// The open temporary file of `PlanCSV.writeFileAtomically(to:_:)`: text goes through stdio's buffer,
/// and a failed write is remembered (later writes are skipped) and reported when the file is closed.
public final class AtomicFileWriter {
    private let file: UnsafeMutablePointer<FILE>
    private(set) var failed = false

    init(file: UnsafeMutablePointer<FILE>) { self.file = file }

    public func write(_ text: String) {
        guard !failed else { return }
        var text = text
        let count = text.utf8.count
        let written = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != count { failed = true }
    }
}
