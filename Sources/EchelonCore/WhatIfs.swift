// What-ifs (issue 3, item 5): applying them to a scenario, and reading them from a TOML file.
//
// The file is a list of `[[change]]` tables; the parser reads the small TOML subset this needs itself
// so that every error can name the file, the line and the field.
//
//     [[change]]
//     type = "capacity"          # storage / outbound / inbound, any of them
//     node = "FC-SEA"
//     storage = 120000
//
//     [[change]]
//     type = "close_node"
//     node = "SSD-NYC"
//
//     [[change]]
//     type = "scale_demand"      # all products, or one of region / category / product
//     region = "NYC"
//     factor = 1.2
//
//     [[change]]
//     type = "vendor_lead_time"
//     vendor = "V-ACME"
//     mean = 12
//     std = 3
//
//     [[change]]
//     type = "speed_service"     # target and/or penalty
//     speed = "same_day"
//     target = 0.9
//     penalty = 6

import EchelonModel
import Foundation

/// A what-if that does not fit the scenario, or a what-if file that cannot be read.
public struct WhatIfInputError: Error, CustomStringConvertible, Equatable {
    public var file: String?
    public var line: Int?
    public var field: String?
    public var message: String
    public init(file: String? = nil, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }
    public var description: String {
        var location = file ?? "what-if"
        if let line { location += ":\(line)" }
        if let field { location += ": \(field)" }
        return "\(location): \(message)"
    }
}

extension WhatIf {
    /// A one-line description for logs and the dashboard.
    public func describe(in scenario: Scenario) -> String {
        func node(_ n: Int) -> String { n >= 0 && n < scenario.nodes.count ? scenario.nodes[n].id : "#\(n)" }
        switch self {
        case .setCapacity(let n, let storage, let outbound, let inbound):
            var parts: [String] = []
            if let storage { parts.append("storage \(storage)") }
            if let outbound { parts.append("outbound \(outbound)") }
            if let inbound { parts.append("inbound \(inbound)") }
            return "\(node(n)): " + parts.joined(separator: ", ")
        case .closeNode(let n):
            return "close \(node(n))"
        case .scaleDemand(let scope, let factor):
            let target: String
            switch scope {
            case .all: target = "all products"
            case .region(let r): target = "region \(scenario.regions[r].id)"
            case .category(let c): target = "category \(scenario.categories[c])"
            case .product(let p): target = "product \(scenario.products[p].id)"
            }
            return "demand ×\(factor) for \(target)"
        case .setVendorLeadTime(let v, let mean, let std):
            return "vendor \(scenario.vendors[v].id) lead time \(mean) ± \(std) days"
        case .setSpeedService(let s, let target, let penalty):
            var parts: [String] = []
            if let target { parts.append("target \(target)") }
            if let penalty { parts.append("penalty \(penalty)") }
            return "\(scenario.speeds[s].id): " + parts.joined(separator: ", ")
        }
    }
}

extension Scenario {
    /// The scenario with `changes` applied in order. Throws on an index out of range or a bad value.
    public func applying(_ changes: [WhatIf]) throws -> Scenario {
        var result = self
        for change in changes { try result.apply(change) }
        return result
    }

    private mutating func apply(_ change: WhatIf) throws {
        func checkNode(_ n: Int) throws {
            guard n >= 0 && n < nodes.count else { throw WhatIfInputError(message: "no node with index \(n)") }
        }
        func checkValue(_ value: Double?, _ field: String, min: Double = 0, max: Double = .infinity) throws {
            if let value, !(value >= min && value <= max) {
                throw WhatIfInputError(field: field, message: "\(value) is outside [\(min), \(max)]")
            }
        }
        switch change {
        case .setCapacity(let n, let storage, let outbound, let inbound):
            try checkNode(n)
            try checkValue(storage, "storage")
            try checkValue(outbound, "outbound")
            try checkValue(inbound, "inbound")
            if let storage { nodes[n].storageCapacity = storage }
            if let outbound { nodes[n].outboundCapacity = outbound }
            if let inbound { nodes[n].inboundCapacity = inbound }
        case .closeNode(let n):
            try checkNode(n)
            // A node with no capacity at all is closed: the planning model leaves it out.
            nodes[n].storageCapacity = 0
            nodes[n].outboundCapacity = 0
            nodes[n].inboundCapacity = 0
        case .scaleDemand(let scope, let factor):
            try checkValue(factor, "factor")
            switch scope {
            case .all:
                for p in products.indices { products[p].demandMean *= factor }
            case .product(let p):
                guard p >= 0 && p < products.count else { throw WhatIfInputError(message: "no product with index \(p)") }
                products[p].demandMean *= factor
            case .category(let c):
                guard c >= 0 && c < categories.count else { throw WhatIfInputError(message: "no category with index \(c)") }
                for p in products.indices where Int(products[p].category) == c { products[p].demandMean *= factor }
            case .region(let r):
                guard r >= 0 && r < regions.count else { throw WhatIfInputError(message: "no region with index \(r)") }
                // The region's shares grow by the factor; a product's total grows by what its shares gain.
                func rescale(_ shares: inout [DemandShare]) -> Double {
                    var total = 0.0
                    for k in shares.indices {
                        if Int(shares[k].region) == r { shares[k].share *= factor }
                        total += shares[k].share
                    }
                    if total > 0 { for k in shares.indices { shares[k].share /= total } }
                    return total
                }
                var profileFactor = [Double](repeating: 1, count: profiles.count)
                for i in profiles.indices { profileFactor[i] = rescale(&profiles[i].shares) }
                for p in products.indices {
                    let range = products[p].overrides
                    if range.isEmpty {
                        products[p].demandMean *= profileFactor[Int(products[p].profile)]
                    } else {
                        var rows = Array(demandOverrides[Int(range.lowerBound)..<Int(range.upperBound)])
                        products[p].demandMean *= rescale(&rows)
                        demandOverrides.replaceSubrange(Int(range.lowerBound)..<Int(range.upperBound), with: rows)
                    }
                }
            }
        case .setVendorLeadTime(let v, let mean, let std):
            guard v >= 0 && v < vendors.count else { throw WhatIfInputError(message: "no vendor with index \(v)") }
            try checkValue(mean, "mean")
            try checkValue(std, "std")
            for k in productVendors.indices where productVendors[k].vendor == v {
                productVendors[k].leadTimeMean = mean
                productVendors[k].leadTimeStd = std
            }
        case .setSpeedService(let s, let target, let penalty):
            guard s >= 0 && s < speeds.count else { throw WhatIfInputError(message: "no speed with index \(s)") }
            try checkValue(target, "target", min: 0, max: 1)
            try checkValue(penalty, "penalty")
            if let target { speeds[s].targetFillRate = target }
            if let penalty { speeds[s].missPenalty = penalty }
        }
    }
}

/// Reads what-if files.
public enum WhatIfFile {
    public static func load(path: String, scenario: Scenario) throws -> [WhatIf] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WhatIfInputError(file: path, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw WhatIfInputError(file: path, message: "not UTF-8 text")
        }
        return try parse(text, path: path, scenario: scenario)
    }

    private enum Value {
        case string(String)
        case number(Double)
        case bool(Bool)
    }

    private struct Table {
        var line: Int
        var entries: [String: (value: Value, line: Int)] = [:]
    }

    /// Parses the text of a what-if file; ids are resolved against `scenario`.
    public static func parse(_ text: String, path: String, scenario: Scenario) throws -> [WhatIf] {
        var tables: [Table] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line == "[[change]]" else {
                    throw WhatIfInputError(file: path, line: lineNumber, message: "expected [[change]], found \(line)")
                }
                tables.append(Table(line: lineNumber))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw WhatIfInputError(file: path, line: lineNumber, message: "expected key = value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let rawValue = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !tables.isEmpty else {
                throw WhatIfInputError(file: path, line: lineNumber, field: key, message: "key outside a [[change]] table")
            }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw WhatIfInputError(file: path, line: lineNumber, message: "bad key '\(key)'")
            }
            let value: Value
            if rawValue.hasPrefix("\"") {
                guard rawValue.count >= 2, rawValue.hasSuffix("\"") else {
                    throw WhatIfInputError(file: path, line: lineNumber, field: key, message: "unterminated string")
                }
                value = .string(String(rawValue.dropFirst().dropLast()))
            } else if rawValue == "true" || rawValue == "false" {
                value = .bool(rawValue == "true")
            } else if let number = Double(rawValue.replacingOccurrences(of: "_", with: "")) {
                value = .number(number)
            } else {
                throw WhatIfInputError(file: path, line: lineNumber, field: key, message: "cannot read value '\(rawValue)'")
            }
            if tables[tables.count - 1].entries[key] != nil {
                throw WhatIfInputError(file: path, line: lineNumber, field: key, message: "given twice")
            }
            tables[tables.count - 1].entries[key] = (value, lineNumber)
        }
        return try tables.map { try change(from: $0, path: path, scenario: scenario) }
    }

    private static func stripComment(_ line: String) -> String {
        var inString = false
        for (offset, character) in line.enumerated() {
            if character == "\"" { inString.toggle() }
            if character == "#" && !inString { return String(line.prefix(offset)) }
        }
        return line
    }

    private static func change(from table: Table, path: String, scenario: Scenario) throws -> WhatIf {
        var used = Set<String>()
        func string(_ key: String) throws -> (String, Int)? {
            guard let entry = table.entries[key] else { return nil }
            used.insert(key)
            guard case .string(let text) = entry.value else {
                throw WhatIfInputError(file: path, line: entry.line, field: key, message: "expected a string")
            }
            return (text, entry.line)
        }
        func number(_ key: String, min: Double = 0, max: Double = .infinity) throws -> Double? {
            guard let entry = table.entries[key] else { return nil }
            used.insert(key)
            guard case .number(let value) = entry.value else {
                throw WhatIfInputError(file: path, line: entry.line, field: key, message: "expected a number")
            }
            guard value >= min && value <= max else {
                throw WhatIfInputError(file: path, line: entry.line, field: key, message: "\(value) is outside [\(min), \(max)]")
            }
            return value
        }
        func required<T>(_ value: T?, _ key: String) throws -> T {
            guard let value else {
                throw WhatIfInputError(file: path, line: table.line, field: key, message: "missing")
            }
            return value
        }
        func lookup(_ key: String, in ids: [String], what: String) throws -> Int? {
            guard let (id, line) = try string(key) else { return nil }
            guard let index = ids.firstIndex(of: id) else {
                throw WhatIfInputError(file: path, line: line, field: key, message: "no \(what) '\(id)' in the scenario")
            }
            return index
        }
        let type = try required(try string("type"), "type").0
        let result: WhatIf
        switch type {
        case "capacity":
            let node = try required(try lookup("node", in: scenario.nodes.map(\.id), what: "node"), "node")
            let storage = try number("storage"), outbound = try number("outbound"), inbound = try number("inbound")
            if storage == nil && outbound == nil && inbound == nil {
                throw WhatIfInputError(file: path, line: table.line, field: "storage", message: "give storage, outbound or inbound")
            }
            result = .setCapacity(node: node, storage: storage, outbound: outbound, inbound: inbound)
        case "close_node":
            result = .closeNode(node: try required(try lookup("node", in: scenario.nodes.map(\.id), what: "node"), "node"))
        case "scale_demand":
            let factor = try required(try number("factor"), "factor")
            let region = try lookup("region", in: scenario.regions.map(\.id), what: "region")
            let category = try lookup("category", in: scenario.categories, what: "category")
            let product = try lookup("product", in: scenario.products.map(\.id), what: "product")
            // The second scope in the file is the one too many: the error names it, at its own line.
            let given = ["region", "category", "product"].compactMap { key in table.entries[key].map { (key, $0.line) } }
                .sorted { $0.1 < $1.1 }
            if given.count > 1 {
                throw WhatIfInputError(file: path, line: given[1].1, field: given[1].0, message: "give at most one of region, category, product")
            }
            let scope: DemandScope =
                region.map { .region($0) } ?? category.map { .category($0) } ?? product.map { .product($0) } ?? .all
            result = .scaleDemand(scope: scope, factor: factor)
        case "vendor_lead_time":
            let vendor = try required(try lookup("vendor", in: scenario.vendors.map(\.id), what: "vendor"), "vendor")
            let mean = try required(try number("mean"), "mean")
            let std = try number("std") ?? 0
            result = .setVendorLeadTime(vendor: vendor, mean: mean, std: std)
        case "speed_service":
            let speed = try required(try lookup("speed", in: scenario.speeds.map(\.id), what: "speed"), "speed")
            let target = try number("target", min: 0, max: 1)
            let penalty = try number("penalty")
            if target == nil && penalty == nil {
                throw WhatIfInputError(file: path, line: table.line, field: "target", message: "give target or penalty")
            }
            result = .setSpeedService(speed: speed, targetFillRate: target, missPenalty: penalty)
        default:
            let line = table.entries["type"]?.line ?? table.line
            throw WhatIfInputError(
                file: path, line: line, field: "type",
                message: "unknown change '\(type)' (capacity, close_node, scale_demand, vendor_lead_time, speed_service)")
        }
        for (key, entry) in table.entries.sorted(by: { $0.value.line < $1.value.line }) where !used.contains(key) {
            throw WhatIfInputError(file: path, line: entry.line, field: key, message: "not a field of a '\(type)' change")
        }
        return result
    }
}
