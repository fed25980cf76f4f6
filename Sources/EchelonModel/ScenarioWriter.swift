// Writes a scenario as a folder in the format the loader reads (docs/scenario-format.md). Every
// file is written to a temporary file in the same folder and renamed over the old one, so a reader
// never sees half a file. Fulfilment options are always written as a table.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct ScenarioWriteError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ScenarioWriter {
    /// Writes `scenario` into `directory` (created if missing). Refuses a non-empty folder that is not
    /// a scenario (has no scenario.toml), so that a typo cannot clobber unrelated files.
    public static func write(_ scenario: Scenario, to directory: String) throws {
        try prepare(directory: directory)
        let file = { (name: String) in ScenarioLoader.path(directory, name) }
        try writeAtomically(manifest(scenario), to: file("scenario.toml"))
        try writeAtomically(nodes(scenario), to: file("nodes.csv"))
        try writeAtomically(vendors(scenario), to: file("vendors.csv"))
        try writeAtomically(lanes(scenario), to: file("lanes.csv"))
        try writeAtomically(regions(scenario), to: file("regions.csv"))
        try writeAtomically(fulfilment(scenario), to: file("fulfilment.csv"))
        try writeAtomically(products(scenario), to: file("products.csv"))
        try writeAtomically(productVendors(scenario), to: file("product_vendors.csv"))
        try writeAtomically(profiles(scenario), to: file("profiles.csv"))
        try writeAtomically(arrivals(scenario), to: file("arrivals.csv"))
        try writeAtomically(demandOverrides(scenario), to: file("demand_overrides.csv"))
    }

    static func prepare(directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ScenarioWriteError("\(directory) exists and is not a folder")
            }
            if access(ScenarioLoader.path(directory, "scenario.toml"), F_OK) != 0 && !isEmptyDirectory(directory) {
                throw ScenarioWriteError(
                    "\(directory) is not empty and holds no scenario.toml: refusing to write a scenario over other files")
            }
            return
        }
        // Create missing parents too.
        var path = ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: false) {
            path += path.isEmpty && directory.hasPrefix("/") ? "/" + component : (path.isEmpty ? String(component) : "/" + component)
            if path.isEmpty || path == "/" { continue }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw ScenarioWriteError("cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    static func isEmptyDirectory(_ directory: String) -> Bool {
        guard let handle = opendir(directory) else { return false }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// Writes bytes to a temporary file beside `path`, flushes it, and renames it over `path`.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw ScenarioWriteError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        var offset = 0
        var failed = false
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    return
                }
                offset += written
            }
        }
        if fsync(descriptor) != 0 { failed = true }
        close(descriptor)
        if failed || rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ScenarioWriteError("cannot write \(path): \(reason)")
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(descriptor, buffer, count)
        #else
        return Darwin.write(descriptor, buffer, count)
        #endif
    }

    // MARK: Files

    static func manifest(_ scenario: Scenario) -> [UInt8] {
        var text = "# Written by echelon; the format is described in docs/scenario-format.md.\n"
        text += "name = \(tomlString(scenario.name))\n"
        text += "currency = \(tomlString(scenario.currency))\n"
        text += "time_unit = \(tomlString(scenario.timeUnit))\n"
        text += "unmet_demand = \(tomlString(scenario.unmetDemand.rawValue))\n\n"
        text += "[costs]\n"
        text += "days_per_year = \(tomlNumber(scenario.costs.daysPerYear))\n"
        text += "transfer_handling_per_cubic_foot = \(tomlNumber(scenario.costs.transferHandlingPerCubicFoot))\n"
        text += "lost_sale_penalty = \(tomlNumber(scenario.costs.lostSalePenalty))\n"
        for speed in scenario.speeds {
            text += "\n[[speeds]]\n"
            text += "id = \(tomlString(speed.id))\n"
            text += "promise_hours = \(tomlNumber(speed.promiseHours))\n"
            text += "target_fill_rate = \(tomlNumber(speed.targetFillRate))\n"
            text += "miss_penalty = \(tomlNumber(speed.missPenalty))\n"
            if let radius = speed.radiusMiles { text += "radius_miles = \(tomlNumber(radius))\n" }
        }
        text += "\n[tables]\nfulfilment = true\ndemand_overrides = true\n"
        return Array(text.utf8)
    }

    static func tomlString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A TOML number that reads back as the same Double (TOML floats need a digit after any ".").
    static func tomlNumber(_ value: Double) -> String { CSVTable.format(value) }

    static func nodes(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(
            ["id", "kind", "country", "latitude", "longitude", "storage_cuft", "outbound_units_per_day", "inbound_units_per_day", "holding_multiplier"]
                + scenario.speeds.map { "cutoff_" + $0.id })
        for node in scenario.nodes {
            out.text(node.id)
            out.text(node.kind.rawValue)
            out.text(node.country)
            out.number(node.location.latitude)
            out.number(node.location.longitude)
            out.number(node.storageCapacity)
            out.number(node.outboundCapacity)
            out.number(node.inboundCapacity)
            out.number(node.holdingMultiplier)
            for hour in node.cutoffHour { out.number(hour) }
            out.endRow()
        }
        return out.bytes
    }

    static func vendors(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["id", "country", "latitude", "longitude"])
        for vendor in scenario.vendors {
            out.text(vendor.id)
            out.text(vendor.country)
            out.number(vendor.location.latitude)
            out.number(vendor.location.longitude)
            out.endRow()
        }
        return out.bytes
    }

    static func lanes(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["from", "to", "transit_mean_days", "transit_std_days", "cost_per_cuft"])
        for lane in scenario.lanes {
            switch lane.source {
            case .vendor(let v): out.text(scenario.vendors[v].id)
            case .node(let n): out.text(scenario.nodes[n].id)
            }
            out.text(scenario.nodes[lane.destination].id)
            out.number(lane.transitMean)
            out.number(lane.transitStd)
            out.number(lane.costPerCubicFoot)
            out.endRow()
        }
        return out.bytes
    }

    static func regions(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["id", "country", "latitude", "longitude", "weight"])
        for region in scenario.regions {
            out.text(region.id)
            out.text(region.country)
            out.number(region.location.latitude)
            out.number(region.location.longitude)
            out.number(region.weight)
            out.endRow()
        }
        return out.bytes
    }

    static func fulfilment(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["region", "speed", "node", "cost_per_unit", "cost_per_cuft"])
        for option in scenario.options {
            out.text(scenario.regions[option.region].id)
            out.text(scenario.speeds[option.speed].id)
            out.text(scenario.nodes[option.node].id)
            out.number(option.costPerUnit)
            out.number(option.costPerCubicFoot)
            out.endRow()
        }
        return out.bytes
    }

    static func products(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder(capacity: scenario.products.count * 72 + 128)
        out.row(["id", "category", "cube_cuft", "unit_cost", "holding_rate", "size_class", "demand_mean", "demand_vmr", "profile"])
        for product in scenario.products {
            out.text(product.id)
            out.text(scenario.categories[Int(product.category)])
            out.number(product.cube)
            out.number(product.unitCost)
            out.number(product.holdingRate)
            out.text(product.sizeClass.rawValue)
            out.number(product.demandMean)
            out.number(product.demandVMR)
            out.text(scenario.profiles[Int(product.profile)].id)
            out.endRow()
        }
        return out.bytes
    }

    static func productVendors(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder(capacity: scenario.productVendors.count * 44 + 128)
        out.row(["product", "vendor", "unit_price", "lead_time_mean_days", "lead_time_std_days"])
        for product in scenario.products {
            for entry in scenario.productVendors[Int(product.vendors.lowerBound)..<Int(product.vendors.upperBound)] {
                out.text(product.id)
                out.text(scenario.vendors[entry.vendor].id)
                out.number(entry.unitPrice)
                out.number(entry.leadTimeMean)
                out.number(entry.leadTimeStd)
                out.endRow()
            }
        }
        return out.bytes
    }

    static func profiles(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["profile", "region", "speed", "share"])
        for profile in scenario.profiles {
            for share in profile.shares {
                out.text(profile.id)
                out.text(scenario.regions[Int(share.region)].id)
                out.text(scenario.speeds[Int(share.speed)].id)
                out.number(share.share)
                out.endRow()
            }
        }
        return out.bytes
    }

    static func arrivals(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["hour", "share"])
        for (hour, share) in scenario.arrivalCurve.enumerated() {
            out.number(Double(hour))
            out.number(share)
            out.endRow()
        }
        return out.bytes
    }

    static func demandOverrides(_ scenario: Scenario) -> [UInt8] {
        var out = CSVBuilder()
        out.row(["product", "region", "speed", "share"])
        for product in scenario.products where !product.overrides.isEmpty {
            for share in scenario.demandOverrides[Int(product.overrides.lowerBound)..<Int(product.overrides.upperBound)] {
                out.text(product.id)
                out.text(scenario.regions[Int(share.region)].id)
                out.text(scenario.speeds[Int(share.speed)].id)
                out.number(share.share)
                out.endRow()
            }
        }
        return out.bytes
    }
}

/// Builds CSV text: quotes fields that need it, numbers in their shortest exact form.
public struct CSVBuilder: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var fieldsInRow = 0

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func row(_ fields: [String]) {
        for field in fields { text(field) }
        endRow()
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(0x2C) }
        fieldsInRow += 1
    }

    /// A text field, quoted when it holds a comma, a quote, a line break or surrounding blanks.
    public mutating func text(_ value: String) {
        separate()
        let utf8 = value.utf8
        let needsQuotes =
            utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || utf8.first == 0x20 || utf8.last == 0x20 || utf8.first == 0x09 || utf8.last == 0x09
        if !needsQuotes {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    public mutating func number(_ value: Double) {
        separate()
        bytes.append(contentsOf: CSVTable.format(value).utf8)
    }

    public mutating func endRow() {
        bytes.append(0x0A)
        fieldsInRow = 0
    }
}
