// Reads a scenario folder (docs/scenario-format.md), checks everything, and builds the indexed
// `Scenario`. Every problem is collected, not only the first: a planner fixing a spreadsheet export
// wants the whole list in one run. Loading never traps on bad input.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum ScenarioLoader {
    /// The table file names, in the order they are read.
    public static let tableFiles = [
        "nodes.csv", "vendors.csv", "lanes.csv", "regions.csv", "fulfilment.csv", "products.csv",
        "product_vendors.csv", "profiles.csv", "arrivals.csv", "demand_overrides.csv",
    ]

    /// Loads and validates the scenario in `directory`; throws a `ScenarioError` listing every problem.
    public static func load(directory: String) throws -> Scenario {
        var log = DiagnosticLog()
        let scenario = load(directory: directory, log: &log)
        try log.throwIfAny()
        guard let scenario else {
            throw ScenarioError(diagnostics: [Diagnostic(file: directory, line: 0, field: "", message: "could not be loaded")])
        }
        return scenario
    }

    /// Loads into `log`; nil when anything was reported.
    public static func load(directory: String, log: inout DiagnosticLog) -> Scenario? {
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            log.report(directory, line: 0, field: "", "no such scenario folder")
            return nil
        }
        var builder = ScenarioBuilder(directory: directory)
        return builder.build(log: &log)
    }

    static func path(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}

/// The loader's working state: tables are read in dependency order and dropped once turned into model values.
private struct ScenarioBuilder {
    let directory: String
    var manifest = ScenarioManifest()
    var manifestRead = false
    /// Speeds fastest first, with their manifest extras.
    var speeds: [ManifestSpeed] = []
    var speedIndex: [String: Int] = [:]

    var nodes: [Node] = []
    var nodeLines: [Int] = []
    var nodeIndex: [String: Int] = [:]
    var vendors: [Vendor] = []
    var vendorIndex: [String: Int] = [:]
    var lanes: [Lane] = []
    var laneLines: [Int] = []
    var regions: [Region] = []
    var regionLines: [Int] = []
    var regionIndex: [String: Int] = [:]
    var options: [FulfilmentOption] = []
    var profiles: [DemandProfile] = []
    var profileIndex: [String: Int32] = [:]
    var profileLines: [Int] = []
    var arrivalCurve: [Double] = []
    var categories: [String] = []
    var products: [Product] = []
    var productLines: [Int32] = []
    /// Ids of rows rejected for their own problems: references to them are not reported again.
    var rejected: Set<String> = []
    var productVendors: [ProductVendor] = []
    var demandOverrides: [DemandShare] = []

    init(directory: String) {
        self.directory = directory
    }

    func path(_ file: String) -> String { ScenarioLoader.path(directory, file) }

    /// Reads a table and reports one with a header but no rows.
    func table(_ file: String, required: Bool = true, log: inout DiagnosticLog) -> CSVTable? {
        guard let table = CSVTable.read(path: path(file), log: &log) else { return nil }
        if required && table.rowCount == 0 && table.headerLine > 0 {
            log.report(table.file, line: 0, field: "", "the table has no rows; at least one is required")
        }
        return table
    }

    mutating func build(log: inout DiagnosticLog) -> Scenario? {
        readManifest(log: &log)
        readVendors(log: &log)
        readNodes(log: &log)
        readLanes(log: &log)
        readRegions(log: &log)
        if manifest.hasFulfilmentTable { readFulfilment(log: &log) } else { deriveFulfilment(log: &log) }
        // Cross-checks on tables that have problems of their own would only repeat them in other words.
        let networkIsClean = log.isEmpty
        if networkIsClean { checkRegionsServed(log: &log) }
        readProfiles(log: &log)
        readArrivals(log: &log)
        readProducts(log: &log)
        readProductVendors(log: &log)
        if manifest.hasDemandOverrides {
            readDemandOverrides(log: &log)
        } else if access(path("demand_overrides.csv"), F_OK) == 0 {
            log.report(
                path("demand_overrides.csv"), line: 0, field: "",
                "the file is present but scenario.toml does not list it: set demand_overrides = true under [tables]")
        }
        if manifest.hasFulfilmentTable == false && access(path("fulfilment.csv"), F_OK) == 0 {
            log.report(
                path("fulfilment.csv"), line: 0, field: "",
                "the file is present but scenario.toml derives options from radii: set fulfilment = true under [tables]")
        }
        if log.isEmpty { checkProductsCanBeHeld(log: &log) }
        if log.isEmpty { checkTargetsReachable(log: &log) }
        guard log.isEmpty else { return nil }

        options.sort { a, b in
            if a.region != b.region { return a.region < b.region }
            if a.speed != b.speed { return a.speed < b.speed }
            let costA = a.unitCost(cube: 1), costB = b.unitCost(cube: 1)
            if costA != costB { return costA < costB }
            return a.node < b.node
        }
        return Scenario(
            name: manifest.name, currency: manifest.currency, timeUnit: manifest.timeUnit,
            unmetDemand: manifest.unmetDemand, costs: manifest.costs, speeds: speeds.map(\.speed), nodes: nodes,
            vendors: vendors, lanes: lanes, regions: regions, options: options, profiles: profiles,
            arrivalCurve: arrivalCurve, categories: categories, products: products, productVendors: productVendors,
            demandOverrides: demandOverrides, sourcePath: directory)
    }

    // MARK: Manifest

    mutating func readManifest(log: inout DiagnosticLog) {
        let file = path(ScenarioManifest.fileName)
        guard let bytes = CSVTable.readFile(path: file, log: &log) else { return }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard let parsed = ScenarioManifest.parse(text: text, file: file, log: &log) else { return }
        manifest = parsed
        manifestRead = true
        speeds = parsed.speeds.sorted { $0.speed.promiseHours < $1.speed.promiseHours }
        for (index, entry) in speeds.enumerated() { speedIndex[entry.speed.id] = index }
    }

    // MARK: Network

    mutating func readVendors(log: inout DiagnosticLog) {
        guard let table = table("vendors.csv", log: &log) else { return }
        let names = ["id", "country", "latitude", "longitude"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            let id = table.requiredText(row, c[0], log: &log)
            let country = table.requiredText(row, c[1], log: &log)
            let latitude = table.double(row, c[2], .within(-90...90), log: &log)
            let longitude = table.double(row, c[3], .within(-180...180), log: &log)
            guard let id, let country, let latitude, let longitude else {
                if let id { rejected.insert(id) }
                continue
            }
            if let first = firstLine[id] {
                log.report(table.file, line: table.line(of: row), field: "id", "duplicate vendor '\(id)' (first on line \(first))")
                continue
            }
            firstLine[id] = table.line(of: row)
            vendorIndex[id] = vendors.count
            vendors.append(Vendor(id: id, country: country, location: GeoPoint(latitude: latitude, longitude: longitude)))
        }
    }

    mutating func readNodes(log: inout DiagnosticLog) {
        guard let table = table("nodes.csv", log: &log) else { return }
        let names = [
            "id", "kind", "country", "latitude", "longitude", "storage_cuft", "outbound_units_per_day",
            "inbound_units_per_day", "holding_multiplier",
        ]
        let cutoffNames = speeds.map { "cutoff_" + $0.speed.id }
        if manifestRead {
            table.reportUnknownColumns(known: Set(names + cutoffNames), log: &log)
        }
        let required = table.requireColumns(names, log: &log)
        let cutoffColumns = cutoffNames.map { table.requireColumn($0, log: &log) }
        guard let c = required else { return }
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            let line = table.line(of: row)
            let id = table.requiredText(row, c[0], log: &log)
            let kind = table.choice(row, c[1], as: NodeKind.self, log: &log)
            let country = table.requiredText(row, c[2], log: &log)
            let latitude = table.double(row, c[3], .within(-90...90), log: &log)
            let longitude = table.double(row, c[4], .within(-180...180), log: &log)
            let storage = table.double(row, c[5], .positive, log: &log)
            let outbound = table.double(row, c[6], .nonNegative, log: &log)
            let inbound = table.double(row, c[7], .positive, log: &log)
            let holding = table.double(row, c[8], .positive, log: &log)
            var cutoffs: [Double] = []
            var cutoffsValid = true
            for column in cutoffColumns {
                guard let column else {
                    cutoffsValid = false
                    continue
                }
                if let hour = table.double(row, column, .within(0...24), log: &log) {
                    cutoffs.append(hour)
                } else {
                    cutoffsValid = false
                }
            }
            guard let id, let kind, let country, let latitude, let longitude, let storage, let outbound, let inbound,
                let holding, cutoffsValid
            else {
                if let id { rejected.insert(id) }
                continue
            }
            if let first = firstLine[id] {
                log.report(table.file, line: line, field: "id", "duplicate node '\(id)' (first on line \(first))")
                continue
            }
            if vendorIndex[id] != nil {
                log.report(table.file, line: line, field: "id", "'\(id)' is also a vendor id; lanes could not tell them apart")
                continue
            }
            firstLine[id] = line
            nodeIndex[id] = nodes.count
            nodeLines.append(line)
            nodes.append(
                Node(
                    id: id, kind: kind, country: country, location: GeoPoint(latitude: latitude, longitude: longitude),
                    storageCapacity: storage, outboundCapacity: outbound, inboundCapacity: inbound,
                    holdingMultiplier: holding, cutoffHour: cutoffs))
        }
    }

    mutating func readLanes(log: inout DiagnosticLog) {
        guard let table = table("lanes.csv", log: &log) else { return }
        let names = ["from", "to", "transit_mean_days", "transit_std_days", "cost_per_cuft"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        let problemsBefore = log.count
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            let line = table.line(of: row)
            let from = table.requiredText(row, c[0], log: &log)
            let to = table.requiredText(row, c[1], log: &log)
            let mean = table.double(row, c[2], .positive, log: &log)
            let std = table.double(row, c[3], .nonNegative, log: &log)
            let cost = table.double(row, c[4], .nonNegative, log: &log)
            var source: LaneSource?
            if let from {
                if let v = vendorIndex[from] {
                    source = .vendor(v)
                } else if let n = nodeIndex[from] {
                    source = .node(n)
                } else if !rejected.contains(from) {
                    log.report(table.file, line: line, field: "from", "unknown vendor or node '\(from)'")
                }
            }
            var destination: Int?
            if let to {
                if let n = nodeIndex[to] {
                    destination = n
                } else if !rejected.contains(to) {
                    let hint = vendorIndex[to] != nil ? " (a vendor; lanes lead into nodes)" : ""
                    log.report(table.file, line: line, field: "to", "unknown node '\(to)'\(hint)")
                }
            }
            guard let from, let to, let source, let destination, let mean, let std, let cost else { continue }
            if from == to {
                log.report(table.file, line: line, field: "to", "a lane from '\(from)' to itself")
                continue
            }
            let key = from + "\u{1F}" + to
            if let first = firstLine[key] {
                log.report(table.file, line: line, field: "from", "duplicate lane \(from) → \(to) (first on line \(first))")
                continue
            }
            firstLine[key] = line
            lanes.append(Lane(source: source, destination: destination, transitMean: mean, transitStd: std, costPerCubicFoot: cost))
            laneLines.append(line)
        }
        checkLaneGraph(file: table.file, reportUnfedNodes: log.count == problemsBefore, log: &log)
    }

    /// Node → node lanes must form no cycle (echelons are longest paths), and every node needs a way in.
    func checkLaneGraph(file: String, reportUnfedNodes: Bool, log: inout DiagnosticLog) {
        var inboundCount = [Int](repeating: 0, count: nodes.count)
        var outbound = [[Int]](repeating: [], count: nodes.count)
        var indegree = [Int](repeating: 0, count: nodes.count)
        for (l, lane) in lanes.enumerated() {
            inboundCount[lane.destination] += 1
            if case .node(let from) = lane.source {
                outbound[from].append(l)
                indegree[lane.destination] += 1
            }
        }
        for n in nodes.indices where inboundCount[n] == 0 && reportUnfedNodes {
            log.report(path("nodes.csv"), line: nodeLines[n], field: "id", "node '\(nodes[n].id)' has no inbound lane: nothing can replenish it")
        }
        var queue = nodes.indices.filter { indegree[$0] == 0 }
        var head = 0
        while head < queue.count {
            let n = queue[head]
            head += 1
            for l in outbound[n] {
                let d = lanes[l].destination
                indegree[d] -= 1
                if indegree[d] == 0 { queue.append(d) }
            }
        }
        guard queue.count < nodes.count else { return }
        // Nodes left have indegree > 0: each lies on or behind a cycle. Walk back from one to name the cycle.
        let remaining = Set(nodes.indices.filter { indegree[$0] > 0 })
        var inboundFromRemaining = [Int: Int]()  // node → a lane into it from a remaining node
        for (l, lane) in lanes.enumerated() {
            if case .node(let from) = lane.source, remaining.contains(from), remaining.contains(lane.destination) {
                inboundFromRemaining[lane.destination] = l
            }
        }
        var reported: Set<Int> = []
        for start in remaining.sorted() where !reported.contains(start) {
            var visitOrder: [Int] = []
            var position: [Int: Int] = [:]
            var current = start
            while position[current] == nil, let l = inboundFromRemaining[current] {
                position[current] = visitOrder.count
                visitOrder.append(l)
                guard case .node(let from) = lanes[l].source else { break }
                current = from
            }
            guard let cycleStart = position[current] else { continue }
            let cycleLanes = Array(visitOrder[cycleStart...].reversed())
            let nodesInCycle = cycleLanes.map { lane -> Int in
                if case .node(let from) = lanes[lane].source { return from }
                return lanes[lane].destination
            }
            if nodesInCycle.contains(where: reported.contains) { continue }
            reported.formUnion(nodesInCycle)
            let names = (nodesInCycle + [nodesInCycle[0]]).map { nodes[$0].id }.joined(separator: " → ")
            let lineList = cycleLanes.map { String(laneLines[$0]) }.joined(separator: ", ")
            log.report(file, line: laneLines[cycleLanes[0]], field: "to", "lanes form a cycle \(names) (lines \(lineList))")
        }
    }

    mutating func readRegions(log: inout DiagnosticLog) {
        guard let table = table("regions.csv", log: &log) else { return }
        let names = ["id", "country", "latitude", "longitude", "weight"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        for row in table.rows {
            let line = table.line(of: row)
            let id = table.requiredText(row, c[0], log: &log)
            let country = table.requiredText(row, c[1], log: &log)
            let latitude = table.double(row, c[2], .within(-90...90), log: &log)
            let longitude = table.double(row, c[3], .within(-180...180), log: &log)
            let weight = table.double(row, c[4], .positive, log: &log)
            guard let id, let country, let latitude, let longitude, let weight else {
                if let id { rejected.insert(id) }
                continue
            }
            if let first = regionIndex[id] {
                log.report(table.file, line: line, field: "id", "duplicate region '\(id)' (first on line \(regionLines[first]))")
                continue
            }
            regionIndex[id] = regions.count
            regionLines.append(line)
            regions.append(Region(id: id, country: country, location: GeoPoint(latitude: latitude, longitude: longitude), weight: weight))
        }
    }

    // MARK: Fulfilment

    func lookupSpeed(_ table: CSVTable, _ row: Int, _ column: Int, log: inout DiagnosticLog) -> Int? {
        let id = table.text(row, column)
        if let index = speedIndex[id] { return index }
        if manifestRead {
            let known = speeds.map(\.speed.id).joined(separator: ", ")
            log.report(table.file, line: table.line(of: row), field: table.header[column], "unknown speed '\(id)' (scenario.toml defines \(known))")
        }
        return nil
    }

    func lookupRegion(_ table: CSVTable, _ row: Int, _ column: Int, log: inout DiagnosticLog) -> Int? {
        let id = table.text(row, column)
        if let index = regionIndex[id] { return index }
        if rejected.contains(id) { return nil }
        log.report(table.file, line: table.line(of: row), field: table.header[column], "unknown region '\(id)'")
        return nil
    }

    mutating func readFulfilment(log: inout DiagnosticLog) {
        guard let table = table("fulfilment.csv", log: &log) else { return }
        let names = ["region", "speed", "node", "cost_per_unit", "cost_per_cuft"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        var firstLine: [Int: Int] = [:]
        let speedCount = max(speeds.count, 1)
        for row in table.rows {
            let line = table.line(of: row)
            let region = lookupRegion(table, row, c[0], log: &log)
            let speed = lookupSpeed(table, row, c[1], log: &log)
            let nodeId = table.text(row, c[2])
            let node = nodeIndex[nodeId]
            if node == nil && !rejected.contains(nodeId) { log.report(table.file, line: line, field: "node", "unknown node '\(nodeId)'") }
            let perUnit = table.double(row, c[3], .nonNegative, log: &log)
            let perCubicFoot = table.double(row, c[4], .nonNegative, log: &log)
            guard let region, let speed, let node, let perUnit, let perCubicFoot else { continue }
            let key = (region * speedCount + speed) * max(nodes.count, 1) + node
            if let first = firstLine[key] {
                log.report(table.file, line: line, field: "node", "duplicate option (\(regions[region].id), \(speeds[speed].speed.id), \(nodeId)) (first on line \(first))")
                continue
            }
            firstLine[key] = line
            options.append(FulfilmentOption(region: region, speed: speed, node: node, costPerUnit: perUnit, costPerCubicFoot: perCubicFoot))
        }
    }

    /// Options from distance: a node of the region's country, of a kind the speed allows, within the speed's radius.
    mutating func deriveFulfilment(log: inout DiagnosticLog) {
        guard let derivation = manifest.derivation else { return }
        options = FulfilmentDerivation.options(
            regions: regions, nodes: nodes, speeds: speeds.map { ($0.speed, $0.nodeKinds, $0.shippingMultiplier) },
            derivation: derivation)
    }

    /// A region no node can serve at any speed is almost always a typo in a country or a coordinate.
    func checkRegionsServed(log: inout DiagnosticLog) {
        guard !nodes.isEmpty, !speeds.isEmpty else { return }
        var served = [Bool](repeating: false, count: regions.count)
        for option in options { served[option.region] = true }
        let how = manifest.hasFulfilmentTable ? "fulfilment.csv has no option for it" : "no node of its country lies within any speed's radius"
        for r in regions.indices where !served[r] {
            log.report(path("regions.csv"), line: regionLines[r], field: "id", "no node can serve region '\(regions[r].id)': \(how)")
        }
    }

    // MARK: Demand

    mutating func readProfiles(log: inout DiagnosticLog) {
        guard let table = table("profiles.csv", log: &log) else { return }
        let names = ["profile", "region", "speed", "share"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        var seen: Set<Int> = []
        var firstLines: [Int] = []
        let speedCount = max(speeds.count, 1)
        for row in table.rows {
            let line = table.line(of: row)
            let id = table.requiredText(row, c[0], log: &log)
            let region = lookupRegion(table, row, c[1], log: &log)
            let speed = lookupSpeed(table, row, c[2], log: &log)
            let share = table.double(row, c[3], .fraction, log: &log)
            guard let id, let region, let speed, let share else { continue }
            let profile: Int
            if let existing = profileIndex[id] {
                profile = Int(existing)
            } else {
                profile = profiles.count
                profileIndex[id] = Int32(profile)
                profiles.append(DemandProfile(id: id, shares: []))
                firstLines.append(line)
            }
            let key = (profile * regions.count + region) * speedCount + speed
            if !seen.insert(key).inserted {
                log.report(table.file, line: line, field: "region", "duplicate share for (\(id), \(regions[region].id), \(speeds[speed].speed.id))")
                continue
            }
            profiles[profile].shares.append(DemandShare(region: Int32(region), speed: Int32(speed), share: share))
        }
        profileLines = firstLines
        for p in profiles.indices {
            if let normalised = normalise(profiles[p].shares, file: table.file, line: firstLines[p], what: "profile '\(profiles[p].id)'", log: &log) {
                profiles[p].shares = normalised
            }
        }
    }

    /// Shares must add up to 1; spreadsheet rounding (within 0.001) is forgiven and scaled away.
    func normalise(_ shares: [DemandShare], file: String, line: Int, what: String, log: inout DiagnosticLog) -> [DemandShare]? {
        let total = shares.reduce(0) { $0 + $1.share }
        guard abs(total - 1) <= 1e-3 else {
            log.report(file, line: line, field: "share", "the shares of \(what) add up to \(CSVTable.format(total)), not 1")
            return nil
        }
        // Exact enough already: keep the values as written so that writing and reading give the same scenario.
        if abs(total - 1) <= 1e-9 { return shares }
        return shares.map { DemandShare(region: $0.region, speed: $0.speed, share: $0.share / total) }
    }

    mutating func readArrivals(log: inout DiagnosticLog) {
        guard let table = table("arrivals.csv", log: &log) else { return }
        let names = ["hour", "share"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        var curve = [Double](repeating: 0, count: 24)
        var firstLine = [Int](repeating: 0, count: 24)
        for row in table.rows {
            let line = table.line(of: row)
            let hour = table.int(row, c[0], in: 0...23, log: &log)
            let share = table.double(row, c[1], .fraction, log: &log)
            guard let hour, let share else { continue }
            if firstLine[hour] != 0 {
                log.report(table.file, line: line, field: "hour", "duplicate hour \(hour) (first on line \(firstLine[hour]))")
                continue
            }
            firstLine[hour] = line
            curve[hour] = share
        }
        let total = curve.reduce(0, +)
        if table.rowCount > 0 {
            if abs(total - 1) > 1e-3 {
                log.report(table.file, line: 0, field: "share", "the hourly shares add up to \(CSVTable.format(total)), not 1")
            } else if abs(total - 1) > 1e-9 {
                curve = curve.map { $0 / total }
            }
        }
        arrivalCurve = curve
    }

    mutating func readProducts(log: inout DiagnosticLog) {
        guard let table = table("products.csv", log: &log) else { return }
        let names = ["id", "category", "cube_cuft", "unit_cost", "holding_rate", "size_class", "demand_mean", "demand_vmr", "profile"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        products.reserveCapacity(table.rowCount)
        productLines.reserveCapacity(table.rowCount)
        // Ids, categories and profiles are matched on their bytes; Strings are made once per distinct value.
        var categoryIndex = FieldIndex()
        let profileBytes = FieldIndex(keys: profiles.map(\.id))
        var seen = FieldIndex(expectedCount: table.rowCount)
        for row in table.rows {
            let line = table.line(of: row)
            let id = table.requiredText(row, c[0], log: &log)
            var category = table.withBytes(row, c[1]) { categoryIndex.find($0) }
            if category == nil, let name = table.requiredText(row, c[1], log: &log) {
                category = Int32(categories.count)
                table.withBytes(row, c[1]) { _ = categoryIndex.insert($0, value: Int32(categories.count)) }
                categories.append(name)
            }
            let cube = table.double(row, c[2], .positive, log: &log)
            let unitCost = table.double(row, c[3], .positive, log: &log)
            let holdingRate = table.double(row, c[4], .within(0...10), log: &log)
            let sizeClass = table.choice(row, c[5], as: SizeClass.self, log: &log)
            let demandMean = table.double(row, c[6], .nonNegative, log: &log)
            let vmr = table.double(row, c[7], .atLeast(1), log: &log)
            let profile = table.withBytes(row, c[8]) { profileBytes.find($0) }
            if profile == nil && !profiles.isEmpty {
                log.report(table.file, line: line, field: "profile", "unknown profile '\(table.text(row, c[8]))'")
            }
            guard let id, let category, let cube, let unitCost, let holdingRate, let sizeClass, let demandMean, let vmr,
                let profile
            else {
                if let id { rejected.insert(id) }
                continue
            }
            if let first = table.withBytes(row, c[0], { seen.insert($0, value: Int32(products.count)) }) {
                log.report(table.file, line: line, field: "id", "duplicate product '\(id)' (first on line \(productLines[Int(first)]))")
                continue
            }
            products.append(
                Product(
                    id: id, category: category, cube: cube, unitCost: unitCost, holdingRate: holdingRate,
                    sizeClass: sizeClass, demandMean: demandMean, demandVMR: vmr, profile: profile, vendors: 0..<0))
            productLines.append(Int32(truncatingIfNeeded: line))
        }
        productIndex = seen
    }

    var productIndex = FieldIndex()

    /// The product named in a field, if known. Vendor and override rows usually come grouped in
    /// product order, so the product after `previous` is compared first: a hash lookup into a
    /// million-entry table costs several cache misses.
    func lookupProduct(_ table: CSVTable, _ row: Int, _ column: Int, after previous: Int = -1) -> Int? {
        table.withBytes(row, column) { bytes in
            for candidate in [previous, previous + 1] where candidate >= 0 && candidate < products.count {
                var id = products[candidate].id
                if id.withUTF8({ $0.elementsEqual(bytes) }) {
                    return candidate
                }
            }
            return productIndex.find(bytes).map { Int($0) }
        }
    }

    mutating func readProductVendors(log: inout DiagnosticLog) {
        guard let table = table("product_vendors.csv", log: &log) else { return }
        let names = ["product", "vendor", "unit_price", "lead_time_mean_days", "lead_time_std_days"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        // Valid rows as (product, row); the values are stored straight into their grouped slot below,
        // which keeps a million-row table from being held twice.
        var entries: [(product: Int32, row: Int32)] = []
        entries.reserveCapacity(table.rowCount)
        let vendorBytes = FieldIndex(keys: vendors.map(\.id))
        var previous = -1
        for row in table.rows {
            let line = table.line(of: row)
            let product = lookupProduct(table, row, c[0], after: previous)
            if let product { previous = product }
            if product == nil && !products.isEmpty {
                let productId = table.text(row, c[0])
                if !rejected.contains(productId) {
                    log.report(table.file, line: line, field: "product", "unknown product '\(productId)'")
                }
            }
            let vendor = table.withBytes(row, c[1]) { vendorBytes.find($0) }.map { Int($0) }
            if vendor == nil && !vendors.isEmpty {
                let vendorId = table.text(row, c[1])
                if !rejected.contains(vendorId) {
                    log.report(table.file, line: line, field: "vendor", "unknown vendor '\(vendorId)'")
                }
            }
            let price = table.double(row, c[2], .positive, log: &log)
            let leadMean = table.double(row, c[3], .positive, log: &log)
            let leadStd = table.double(row, c[4], .nonNegative, log: &log)
            guard product != nil, vendor != nil, price != nil, leadMean != nil, leadStd != nil else { continue }
            entries.append((Int32(product!), Int32(row)))
        }
        // Group by product, keeping file order within a product (a counting sort: linear at any size).
        var counts = [Int32](repeating: 0, count: products.count + 1)
        for entry in entries { counts[Int(entry.product) + 1] += 1 }
        for p in 0..<products.count { counts[p + 1] += counts[p] }
        var slots = counts
        var grouped = [ProductVendor](repeating: ProductVendor(vendor: 0, unitPrice: 0, leadTimeMean: 0, leadTimeStd: 0), count: entries.count)
        var groupedLines = [Int32](repeating: 0, count: entries.count)
        var unused = DiagnosticLog()  // every value was checked above
        for entry in entries {
            let slot = Int(slots[Int(entry.product)])
            let row = Int(entry.row)
            grouped[slot] = ProductVendor(
                vendor: table.withBytes(row, c[1]) { Int(vendorBytes.find($0) ?? 0) },
                unitPrice: table.double(row, c[2], log: &unused) ?? 0,
                leadTimeMean: table.double(row, c[3], log: &unused) ?? 0,
                leadTimeStd: table.double(row, c[4], log: &unused) ?? 0)
            groupedLines[slot] = Int32(truncatingIfNeeded: table.line(of: row))
            slots[Int(entry.product)] += 1
        }
        entries = []
        for p in products.indices {
            let range = counts[p]..<counts[p + 1]
            products[p].vendors = range
            if range.isEmpty {
                log.report(path("products.csv"), line: Int(productLines[p]), field: "id", "product '\(products[p].id)' has no vendor in product_vendors.csv")
            } else if range.count > 1 {
                for k in Int(range.lowerBound) + 1..<Int(range.upperBound) {
                    for j in Int(range.lowerBound)..<k where grouped[j].vendor == grouped[k].vendor {
                        log.report(
                            table.file, line: Int(groupedLines[k]), field: "vendor",
                            "duplicate vendor '\(vendors[grouped[k].vendor].id)' for product '\(products[p].id)' (first on line \(groupedLines[j]))")
                        break
                    }
                }
            }
        }
        productVendors = grouped
    }

    mutating func readDemandOverrides(log: inout DiagnosticLog) {
        guard let table = table("demand_overrides.csv", required: false, log: &log) else { return }
        let names = ["product", "region", "speed", "share"]
        table.reportUnknownColumns(known: Set(names), log: &log)
        guard let c = table.requireColumns(names, log: &log) else { return }
        var byProduct: [Int: [(share: DemandShare, line: Int)]] = [:]
        var order: [Int] = []
        for row in table.rows {
            let line = table.line(of: row)
            let productId = table.text(row, c[0])
            let product = lookupProduct(table, row, c[0])
            if product == nil && !products.isEmpty && !rejected.contains(productId) {
                log.report(table.file, line: line, field: "product", "unknown product '\(productId)'")
            }
            let region = lookupRegion(table, row, c[1], log: &log)
            let speed = lookupSpeed(table, row, c[2], log: &log)
            let share = table.double(row, c[3], .fraction, log: &log)
            guard let product, let region, let speed, let share else { continue }
            if byProduct[product] == nil { order.append(product) }
            if let duplicate = byProduct[product]?.first(where: { Int($0.share.region) == region && Int($0.share.speed) == speed }) {
                log.report(
                    table.file, line: line, field: "region",
                    "duplicate share for (\(productId), \(regions[region].id), \(speeds[speed].speed.id)) (first on line \(duplicate.line))")
                continue
            }
            byProduct[product, default: []].append((DemandShare(region: Int32(region), speed: Int32(speed), share: share), line))
        }
        for product in order.sorted() {
            guard let entries = byProduct[product] else { continue }
            let what = "product '\(products[product].id)'"
            guard let shares = normalise(entries.map(\.share), file: table.file, line: entries[0].line, what: what, log: &log) else { continue }
            let start = Int32(demandOverrides.count)
            demandOverrides.append(contentsOf: shares)
            products[product].overrides = start..<Int32(demandOverrides.count)
        }
    }

    // MARK: Cross-checks

    /// Every product needs a node that may hold it (by size class) and that one of its vendors can
    /// reach through nodes that may hold it too, and such a node must be able to serve its demand.
    func checkProductsCanBeHeld(log: inout DiagnosticLog) {
        guard !nodes.isEmpty, !products.isEmpty, !vendors.isEmpty else { return }
        // reachable[sizeClass][vendor]: eligible nodes a vendor's stock can reach along eligible nodes.
        var reachableByClass: [SizeClass: [[Bool]]] = [:]
        var nodeLanes = [[Int]](repeating: [], count: nodes.count)
        for lane in lanes { if case .node(let from) = lane.source { nodeLanes[from].append(lane.destination) } }
        for sizeClass in SizeClass.allCases {
            let eligible = nodes.map { sizeClass.eligibleKinds.contains($0.kind) }
            var perVendor: [[Bool]] = []
            for v in vendors.indices {
                var reached = [Bool](repeating: false, count: nodes.count)
                var stack: [Int] = []
                for lane in lanes {
                    if case .vendor(let from) = lane.source, from == v, eligible[lane.destination], !reached[lane.destination] {
                        reached[lane.destination] = true
                        stack.append(lane.destination)
                    }
                }
                while let n = stack.popLast() {
                    for d in nodeLanes[n] where eligible[d] && !reached[d] {
                        reached[d] = true
                        stack.append(d)
                    }
                }
                perVendor.append(reached)
            }
            reachableByClass[sizeClass] = perVendor
        }
        // Per (region, speed): the nodes with an option there.
        let speedCount = speeds.count
        var optionNodes = [[Int]](repeating: [], count: regions.count * max(speedCount, 1))
        for option in options { optionNodes[option.region * speedCount + option.speed].append(option.node) }

        func serves(_ shares: ArraySlice<DemandShare>, reached: [Bool]) -> Bool {
            for share in shares where share.share > 0 {
                for n in optionNodes[Int(share.region) * speedCount + Int(share.speed)] where reached[n] { return true }
            }
            return false
        }
        // Products share few (vendor set, class, profile) combinations; cache the answer per combination
        // (keyed by a vendor bit mask, which covers scenarios with up to 64 vendors).
        struct Combination: Hashable {
            var vendorMask: UInt64
            var profile: Int32
            var sortable: Bool
        }
        var cache: [Combination: Int] = [:]  // 0 = fine, 1 = cannot hold, 2 = cannot serve
        let productFile = path("products.csv")
        let cacheable = vendors.count <= 64
        for p in products.indices {
            let product = products[p]
            guard !product.vendors.isEmpty, let perVendor = reachableByClass[product.sizeClass] else { continue }
            let vendorRange = Int(product.vendors.lowerBound)..<Int(product.vendors.upperBound)
            var mask: UInt64 = 0
            if cacheable { for k in vendorRange { mask |= 1 << UInt64(productVendors[k].vendor) } }
            let useCache = cacheable && product.overrides.isEmpty
            let key = Combination(vendorMask: mask, profile: product.profile, sortable: product.sizeClass == .sortable)
            var verdict = useCache ? cache[key] : nil
            if verdict == nil {
                var reached = [Bool](repeating: false, count: nodes.count)
                for k in vendorRange {
                    let reachable = perVendor[productVendors[k].vendor]
                    for n in nodes.indices where reachable[n] { reached[n] = true }
                }
                let shares: ArraySlice<DemandShare> =
                    product.overrides.isEmpty
                    ? (Int(product.profile) < profiles.count ? profiles[Int(product.profile)].shares[...] : [])
                    : demandOverrides[Int(product.overrides.lowerBound)..<Int(product.overrides.upperBound)]
                if !reached.contains(true) {
                    verdict = 1
                } else if !shares.isEmpty && !serves(shares, reached: reached) {
                    verdict = 2
                } else {
                    verdict = 0
                }
                if useCache { cache[key] = verdict }
            }
            // A product without demand needs no node that serves it.
            guard verdict == 1 || (verdict == 2 && product.demandMean > 0) else { continue }
            let kinds = product.sizeClass.eligibleKinds.map(\.rawValue).sorted().joined(separator: "/")
            switch verdict {
            case 1:
                log.report(
                    productFile, line: Int(productLines[p]), field: "size_class",
                    "no node may hold product '\(product.id)': no \(kinds) node is reachable from its vendors")
            case 2:
                log.report(
                    productFile, line: Int(productLines[p]), field: "profile",
                    "no node that may hold product '\(product.id)' (\(kinds), reachable from its vendors) can serve its demand")
            default:
                break
            }
        }
    }
}

extension ScenarioBuilder {
    /// Orders arriving after every cut-off of a speed always miss it, so a target above the share of
    /// orders arriving before the latest cut-off can never be met (and a solver would chase it forever).
    func checkTargetsReachable(log: inout DiagnosticLog) {
        for (s, entry) in speeds.enumerated() {
            var latest = 0.0
            for option in options where option.speed == s {
                latest = max(latest, nodes[option.node].cutoffHour[s])
            }
            // An order of hour h arrives, on average, at h + 0.5.
            let reachable = arrivalCurve.indices.reduce(0.0) { $0 + (Double($1) + 0.5 < latest ? arrivalCurve[$1] : 0) }
            if entry.speed.targetFillRate > reachable + 1e-9 {
                log.report(
                    path(ScenarioManifest.fileName), line: entry.targetLine, field: "speeds.target_fill_rate",
                    "\(entry.speed.id) cannot reach \(CSVTable.format(entry.speed.targetFillRate)): its latest cut-off is "
                        + "\(CSVTable.format(latest)):00 and only \(CSVTable.format((reachable * 1000).rounded() / 10)) % of orders arrive before it")
            }
        }
    }
}

extension FulfilmentDerivation {
    /// Derives options from distances: same country, allowed kind, within the speed's radius.
    static func options(
        regions: [Region], nodes: [Node], speeds: [(speed: Speed, kinds: Set<NodeKind>, multiplier: Double)],
        derivation: FulfilmentDerivation
    ) -> [FulfilmentOption] {
        var options: [FulfilmentOption] = []
        for (r, region) in regions.enumerated() {
            for (s, entry) in speeds.enumerated() {
                guard let radius = entry.speed.radiusMiles else { continue }
                for (n, node) in nodes.enumerated() where node.country == region.country && entry.kinds.contains(node.kind) {
                    let miles = region.location.miles(to: node.location)
                    guard miles <= radius else { continue }
                    let perUnit = (derivation.costPerUnit + derivation.costPerUnitPerMile * miles) * entry.multiplier
                    let perCubicFoot = (derivation.costPerCubicFoot + derivation.costPerCubicFootPerMile * miles) * entry.multiplier
                    options.append(
                        FulfilmentOption(
                            region: r, speed: s, node: n, costPerUnit: (perUnit * 100).rounded() / 100,
                            costPerCubicFoot: (perCubicFoot * 100).rounded() / 100))
                }
            }
        }
        return options
    }
}
