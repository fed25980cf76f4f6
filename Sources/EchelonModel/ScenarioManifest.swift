// `scenario.toml`: the scenario's settings, its speeds, and which optional tables it has.

import TOMLKit

/// How fulfilment options are derived when the scenario has no `fulfilment.csv`: a node of the
/// region's own country keeps a speed's promise when it lies within the speed's radius, and ships at
/// a cost linear in the distance, scaled by the speed's shipping multiplier.
public struct FulfilmentDerivation: Sendable, Hashable {
    /// Currency per unit at zero distance.
    public var costPerUnit: Double
    /// Currency per unit per mile.
    public var costPerUnitPerMile: Double
    /// Currency per cubic foot at zero distance.
    public var costPerCubicFoot: Double
    /// Currency per cubic foot per mile.
    public var costPerCubicFootPerMile: Double

    public init(costPerUnit: Double, costPerUnitPerMile: Double, costPerCubicFoot: Double, costPerCubicFootPerMile: Double) {
        self.costPerUnit = costPerUnit
        self.costPerUnitPerMile = costPerUnitPerMile
        self.costPerCubicFoot = costPerCubicFoot
        self.costPerCubicFootPerMile = costPerCubicFootPerMile
    }
}

/// A speed as the manifest states it, with its derivation-only settings.
struct ManifestSpeed {
    var speed: Speed
    /// Node kinds that may ship this speed when options are derived (all kinds when absent).
    var nodeKinds: Set<NodeKind>
    /// Multiplies the derived shipping cost (faster is dearer).
    var shippingMultiplier: Double
    var line: Int
    /// The line of `target_fill_rate`, for diagnostics about it.
    var targetLine: Int = 0
}

struct ScenarioManifest {
    var name = ""
    var currency = "USD"
    var timeUnit = "day"
    var unmetDemand = UnmetDemandPolicy.lostSales
    var costs = CostSettings()
    /// In file order; the loader sorts them fastest first.
    var speeds: [ManifestSpeed] = []
    var hasFulfilmentTable = true
    var hasDemandOverrides = false
    var derivation: FulfilmentDerivation?

    static let fileName = "scenario.toml"

    /// Parses the manifest text; every problem goes to `log`. Returns nil only when the text is not TOML at all.
    static func parse(text: String, file: String, log: inout DiagnosticLog) -> ScenarioManifest? {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            log.report(file, line: error.source.begin.line, field: "", "not valid TOML: \(error.description)")
            return nil
        } catch {
            log.report(file, line: 0, field: "", "not valid TOML: \(error)")
            return nil
        }
        let reader = ManifestReader(file: file, lines: KeyLines(text: text))
        var manifest = ScenarioManifest()

        reader.knownKeys(of: root, section: "", known: ["name", "currency", "time_unit", "unmet_demand", "costs", "speeds", "tables", "fulfilment"], log: &log)
        manifest.name = reader.string(root, "name", section: "", required: true, log: &log) ?? ""
        manifest.currency = reader.string(root, "currency", section: "", required: false, log: &log) ?? "USD"
        if let unit = reader.string(root, "time_unit", section: "", required: false, log: &log) {
            if unit == "day" {
                manifest.timeUnit = unit
            } else {
                log.report(file, line: reader.line("time_unit", section: ""), field: "time_unit", "must be \"day\" (every rate is per day), got \"\(unit)\"")
            }
        }
        if let policy = reader.string(root, "unmet_demand", section: "", required: false, log: &log) {
            if let value = UnmetDemandPolicy(rawValue: policy) {
                manifest.unmetDemand = value
            } else {
                log.report(file, line: reader.line("unmet_demand", section: ""), field: "unmet_demand", "must be \"lost_sales\" or \"backorder\", got \"\(policy)\"")
            }
        }

        if let costs = reader.table(root, "costs", required: false, log: &log) {
            reader.knownKeys(of: costs, section: "costs", known: ["days_per_year", "transfer_handling_per_cubic_foot", "lost_sale_penalty"], log: &log)
            manifest.costs.daysPerYear = reader.number(costs, "days_per_year", section: "costs", .within(1...366), required: false, log: &log) ?? 365
            manifest.costs.transferHandlingPerCubicFoot = reader.number(costs, "transfer_handling_per_cubic_foot", section: "costs", .nonNegative, required: false, log: &log) ?? 0
            manifest.costs.lostSalePenalty = reader.number(costs, "lost_sale_penalty", section: "costs", .nonNegative, required: false, log: &log) ?? 0
        }

        if let tables = reader.table(root, "tables", required: false, log: &log) {
            reader.knownKeys(of: tables, section: "tables", known: ["fulfilment", "demand_overrides"], log: &log)
            manifest.hasFulfilmentTable = reader.bool(tables, "fulfilment", section: "tables", log: &log) ?? true
            manifest.hasDemandOverrides = reader.bool(tables, "demand_overrides", section: "tables", log: &log) ?? false
        }

        if let derivation = reader.table(root, "fulfilment", required: !manifest.hasFulfilmentTable, log: &log) {
            let keys = ["cost_per_unit", "cost_per_unit_per_mile", "cost_per_cuft", "cost_per_cuft_per_mile"]
            reader.knownKeys(of: derivation, section: "fulfilment", known: Set(keys), log: &log)
            let values = keys.map { reader.number(derivation, $0, section: "fulfilment", .nonNegative, required: true, log: &log) }
            if let a = values[0], let b = values[1], let c = values[2], let d = values[3] {
                manifest.derivation = FulfilmentDerivation(costPerUnit: a, costPerUnitPerMile: b, costPerCubicFoot: c, costPerCubicFootPerMile: d)
            }
        }

        guard let speeds = root["speeds"] else {
            log.report(file, line: 0, field: "speeds", "missing: at least one [[speeds]] table is required")
            return manifest
        }
        guard let array = speeds.array else {
            log.report(file, line: reader.line("speeds", section: ""), field: "speeds", "must be an array of tables ([[speeds]])")
            return manifest
        }
        if array.isEmpty {
            log.report(file, line: 0, field: "speeds", "at least one speed is required")
        }
        var seenIds: [String: Int] = [:]
        for (index, element) in array.enumerated() {
            let section = "speeds#\(index)"
            let headerLine = reader.lines.sectionLine(section)
            guard let table = element.table else {
                log.report(file, line: headerLine, field: "speeds", "each speed must be a table")
                continue
            }
            reader.knownKeys(
                of: table, section: section,
                known: ["id", "promise_hours", "target_fill_rate", "miss_penalty", "radius_miles", "node_kinds", "shipping_multiplier"],
                log: &log)
            let id = reader.string(table, "id", section: section, required: true, log: &log)
            let promise = reader.number(table, "promise_hours", section: section, .positive, required: true, log: &log)
            let target = reader.number(table, "target_fill_rate", section: section, .positiveFraction, required: true, log: &log)
            let penalty = reader.number(table, "miss_penalty", section: section, .nonNegative, required: true, log: &log)
            let radius = reader.number(table, "radius_miles", section: section, .positive, required: !manifest.hasFulfilmentTable, log: &log)
            let multiplier = reader.number(table, "shipping_multiplier", section: section, .positive, required: false, log: &log) ?? 1
            var kinds = Set(NodeKind.allCases)
            if let kindsValue = table["node_kinds"] {
                let line = reader.line("node_kinds", section: section)
                if let list = kindsValue.array {
                    kinds = []
                    for item in list {
                        if let raw = item.string, let kind = NodeKind(rawValue: raw) {
                            kinds.insert(kind)
                        } else {
                            log.report(file, line: line, field: "node_kinds", "'\(item.string ?? "\(item)")' is not one of DC, FC, NSFC, SSD")
                        }
                    }
                } else {
                    log.report(file, line: line, field: "node_kinds", "must be a list of node kinds, e.g. [\"FC\", \"SSD\"]")
                }
            }
            if let id {
                if let first = seenIds[id] {
                    log.report(file, line: reader.line("id", section: section), field: "id", "speed '\(id)' is defined twice (first on line \(first))")
                } else {
                    seenIds[id] = reader.line("id", section: section)
                    if id.isEmpty || id.contains(",") || id.contains("\"") {
                        log.report(file, line: reader.line("id", section: section), field: "id", "must be non-empty and hold no comma or quote")
                    }
                }
            }
            // A speed with a bad value is still registered (with placeholders; the scenario will not load),
            // so that its columns and references are not reported as unknown too.
            if let id, seenIds[id] == reader.line("id", section: section) {
                manifest.speeds.append(
                    ManifestSpeed(
                        speed: Speed(
                            id: id, promiseHours: promise ?? Double(1_000_000 + index), targetFillRate: target ?? 1,
                            missPenalty: penalty ?? 0, radiusMiles: radius),
                        nodeKinds: kinds, shippingMultiplier: multiplier, line: headerLine,
                        targetLine: reader.line("target_fill_rate", section: section)))
            }
        }
        var byPromise: [Double: String] = [:]
        for entry in manifest.speeds {
            if let other = byPromise[entry.speed.promiseHours] {
                log.report(file, line: entry.line, field: "promise_hours", "speeds '\(other)' and '\(entry.speed.id)' have the same promise; speeds must be ordered by promise")
            }
            byPromise[entry.speed.promiseHours] = entry.speed.id
        }
        return manifest
    }
}

/// The line of each `key = value` in a TOML text, by section (`costs`, `speeds#0`, ...), so that
/// diagnostics can point at lines although TOMLKit does not expose source positions of values.
struct KeyLines {
    private var keyLines: [String: Int] = [:]
    private var sectionLines: [String: Int] = [:]

    init(text: String) {
        var section = ""
        var arrayCounts: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.hasPrefix("[[") {
                let name = String(line.dropFirst(2).prefix { $0 != "]" }).trimmingCharacters(in: " \t")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                section = "\(name)#\(index)"
                sectionLines[section] = lineNumber
            } else if line.hasPrefix("[") {
                section = String(line.dropFirst().prefix { $0 != "]" }).trimmingCharacters(in: " \t")
                sectionLines[section] = lineNumber
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = String(line[..<equals]).trimmingCharacters(in: " \t\"'")
                let path = section.isEmpty ? key : "\(section).\(key)"
                if keyLines[path] == nil { keyLines[path] = lineNumber }
            }
        }
    }

    func line(_ key: String, section: String) -> Int {
        keyLines[section.isEmpty ? key : "\(section).\(key)"] ?? sectionLines[section] ?? 0
    }

    func sectionLine(_ section: String) -> Int { sectionLines[section] ?? 0 }
}

extension StringProtocol {
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// Typed access to manifest values that reports what is missing or mistyped, with its line.
private struct ManifestReader {
    let file: String
    let lines: KeyLines

    func line(_ key: String, section: String) -> Int { lines.line(key, section: section) }

    private func field(_ key: String, _ section: String) -> String {
        let name = section.split(separator: "#").first.map(String.init) ?? ""
        return name.isEmpty ? key : "\(name).\(key)"
    }

    func knownKeys(of table: TOMLTable, section: String, known: Set<String>, log: inout DiagnosticLog) {
        for key in table.keys where !known.contains(key) {
            log.report(file, line: line(key, section: section), field: field(key, section), "unknown setting")
        }
    }

    func string(_ table: TOMLTable, _ key: String, section: String, required: Bool, log: inout DiagnosticLog) -> String? {
        guard let value = table[key] else {
            if required { log.report(file, line: lines.sectionLine(section), field: field(key, section), "missing") }
            return nil
        }
        guard let text = value.string else {
            log.report(file, line: line(key, section: section), field: field(key, section), "must be a string")
            return nil
        }
        return text
    }

    func number(_ table: TOMLTable, _ key: String, section: String, _ rule: NumberRule, required: Bool, log: inout DiagnosticLog) -> Double? {
        guard let value = table[key] else {
            if required { log.report(file, line: lines.sectionLine(section), field: field(key, section), "missing") }
            return nil
        }
        guard let number = value.double ?? value.int.map(Double.init) else {
            log.report(file, line: line(key, section: section), field: field(key, section), "must be a number")
            return nil
        }
        guard number.isFinite else {
            log.report(file, line: line(key, section: section), field: field(key, section), "must be a finite number, got \(number)")
            return nil
        }
        guard rule.accepts(number) else {
            log.report(file, line: line(key, section: section), field: field(key, section), "must \(rule.requirement), got \(CSVTable.format(number))")
            return nil
        }
        return number
    }

    func bool(_ table: TOMLTable, _ key: String, section: String, log: inout DiagnosticLog) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else {
            log.report(file, line: line(key, section: section), field: field(key, section), "must be true or false")
            return nil
        }
        return flag
    }

    func table(_ root: TOMLTable, _ key: String, required: Bool, log: inout DiagnosticLog) -> TOMLTable? {
        guard let value = root[key] else {
            if required { log.report(file, line: 0, field: key, "missing [\(key)] table") }
            return nil
        }
        guard let table = value.table else {
            log.report(file, line: line(key, section: ""), field: key, "must be a table ([\(key)])")
            return nil
        }
        return table
    }
}
