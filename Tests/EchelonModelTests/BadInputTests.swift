import Testing
@testable import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Each bad input of issue 2 is broken in a copy of the tiny sample and must produce its diagnostic
// (and never a crash or a hang). Paths in diagnostics are shown relative to the scenario folder.

/// Loads `directory` and returns every diagnostic as text with the folder prefix removed ([] if it loads).
private func problems(_ directory: String) -> [String] {
    do {
        _ = try ScenarioLoader.load(directory: directory)
        return []
    } catch let error as ScenarioError {
        return error.diagnostics.map { $0.description.replacingPrefix(directory + "/") }
    } catch {
        return ["unexpected error \(error)"]
    }
}

/// A copy of the tiny sample with `file` rewritten by `change`; the problems it gives.
private func problemsAfter(_ file: String, _ change: (String) -> String) -> [String] {
    let directory = copyOfSample()
    defer { removeDirectory(directory) }
    let path = directory + "/" + file
    writeText(change(readText(path) ?? ""), to: path)
    return problems(directory)
}

private extension String {
    func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }

    /// Replaces exactly one occurrence (so a test cannot silently change nothing).
    func replacingOnce(_ old: String, with new: String) -> String {
        let parts = components(old)
        guard parts.count == 2 else {
            Issue.record("'\(old)' occurs \(parts.count - 1) times in the file to change")
            return self
        }
        return parts[0] + new + parts[1]
    }

    func components(_ separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.range(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

private extension Substring {
    func range(of needle: String) -> Range<Substring.Index>? {
        guard !needle.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(needle) { return start..<index(start, offsetBy: needle.count) }
            start = index(after: start)
        }
        return nil
    }
}

// MARK: Files and folders

@Test func missingFolderIsReported() {
    #expect(problems("/tmp/echelon-no-such-folder-42") == ["/tmp/echelon-no-such-folder-42: no such scenario folder"])
}

@Test func missingTableIsReported() {
    let directory = copyOfSample()
    defer { removeDirectory(directory) }
    unlinkFile(directory + "/products.csv")
    unlinkFile(directory + "/vendors.csv")
    let found = problems(directory)
    #expect(found.contains("vendors.csv: file not found"))
    #expect(found.contains("products.csv: file not found"))
}

@Test func missingManifestIsReported() {
    let directory = copyOfSample()
    defer { removeDirectory(directory) }
    unlinkFile(directory + "/scenario.toml")
    #expect(problems(directory).first == "scenario.toml: file not found")
}

@Test func requiredTableWithNoRowsIsReported() {
    #expect(problemsAfter("products.csv") { String($0.prefix { $0 != "\n" }) + "\n" } == [
        "products.csv: the table has no rows; at least one is required",
    ])
}

@Test func emptyAndBinaryFilesNeverCrash() {
    #expect(problemsAfter("regions.csv") { _ in "" }.contains("regions.csv: the file is empty: a header row is required"))
    let garbage = String(decoding: (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }, as: UTF8.self)
    let found = problemsAfter("nodes.csv") { _ in garbage }
    #expect(!found.isEmpty)
}

@Test func directoryOrPipeInPlaceOfATableNeverHangs() {
    let directory = copyOfSample()
    defer {
        rmdir(directory + "/arrivals.csv")
        removeDirectory(directory)
    }
    unlinkFile(directory + "/vendors.csv")
    #expect(mkfifo(directory + "/vendors.csv", 0o644) == 0)
    unlinkFile(directory + "/arrivals.csv")
    #expect(mkdir(directory + "/arrivals.csv", 0o755) == 0)
    let found = problems(directory)
    #expect(found.contains("vendors.csv: is not a regular file"))
    #expect(found.contains("arrivals.csv: is a directory, not a file"))
}

// MARK: Columns and rows

@Test func missingColumnIsReportedOnTheHeaderLine() {
    let found = problemsAfter("nodes.csv") { text in
        text.components("\n").map { line in line.components(",").enumerated().filter { $0.offset != 5 }.map(\.element).joined(separator: ",") }
            .joined(separator: "\n")
    }
    #expect(found.first == "nodes.csv:1: storage_cuft: missing column")
}

@Test func missingCutoffColumnForASpeedIsReported() {
    let found = problemsAfter("nodes.csv") { $0.replacingOnce("cutoff_two_day", with: "cutoff_2day") }
    #expect(found.contains("nodes.csv:1: cutoff_2day: unknown column"))
    #expect(found.contains("nodes.csv:1: cutoff_two_day: missing column"))
}

@Test func shortAndLongRowsAreReported() {
    let found = problemsAfter("vendors.csv") { text in
        text.replacingOnce("ACME,US,41.8781,-87.6298", with: "ACME,US,41.8781")
            .replacingOnce("PACIFIC,CN,22.5431,114.0579", with: "PACIFIC,CN,22.5431,114.0579,extra")
    }
    #expect(found.starts(with: [
        "vendors.csv:2: short row: 3 fields where the header has 4",
        "vendors.csv:3: long row: 5 fields where the header has 4",
    ]))
}

// MARK: Values

@Test func wrongTypesAreReported() {
    let found = problemsAfter("nodes.csv") { text in
        text.replacingOnce("FC-HOU,FC,US,29.7858,-95.8245,800", with: "FC-HOU,WAREHOUSE,US,29.7858,-95.8245,lots")
    }
    #expect(found.starts(with: [
        "nodes.csv:3: kind: 'WAREHOUSE' is not one of DC, FC, NSFC, SSD",
        "nodes.csv:3: storage_cuft: 'lots' is not a number",
    ]))
}

@Test func nanAndInfinitiesAreReported() {
    let found = problemsAfter("products.csv") { text in
        text.replacingOnce("T2,Kitchen,0.9,45.00,0.25,sortable,1.2", with: "T2,Kitchen,0.9,45.00,0.25,sortable,NaN")
            .replacingOnce("T3,Books,0.04,9.00", with: "T3,Books,inf,9.00")
    }
    #expect(found.starts(with: [
        "products.csv:3: demand_mean: must be a finite number, got 'NaN'",
        "products.csv:4: cube_cuft: must be a finite number, got 'inf'",
    ]))
}

@Test func negativeAndZeroValuesAreReportedWhereMeaningless() {
    let found = problemsAfter("products.csv") { text in
        text.replacingOnce("T1,\"Electronics, small\",0.05,12.00,0.25,sortable,8,1.5", with: "T1,\"Electronics, small\",0,12.00,0.25,sortable,-8,0.5")
    }
    #expect(found.starts(with: [
        "products.csv:2: cube_cuft: must be > 0, got 0",
        "products.csv:2: demand_mean: must be ≥ 0, got -8",
        "products.csv:2: demand_vmr: must be ≥ 1, got 0.5",
    ]))
    let lanes = problemsAfter("lanes.csv") { $0.replacingOnce("DC-DAL,FC-HOU,1,0.3,0.25", with: "DC-DAL,FC-HOU,0,-0.3,0.25") }
    #expect(lanes.starts(with: [
        "lanes.csv:4: transit_mean_days: must be > 0, got 0",
        "lanes.csv:4: transit_std_days: must be ≥ 0, got -0.3",
    ]))
}

@Test func outOfRangeManifestValuesAreReportedWithTheirLine() {
    let found = problemsAfter("scenario.toml") { $0.replacingOnce("target_fill_rate = 0.85", with: "target_fill_rate = 1.5") }
    #expect(found == ["scenario.toml:18: speeds.target_fill_rate: must be > 0 and ≤ 1, got 1.5"])
    let nan = problemsAfter("scenario.toml") { $0.replacingOnce("miss_penalty = 6.0", with: "miss_penalty = nan") }
    #expect(nan == ["scenario.toml:28: speeds.miss_penalty: must be a finite number, got nan"])
}

@Test func invalidTomlIsReportedWithItsLine() {
    let found = problemsAfter("scenario.toml") { $0.replacingOnce("currency = \"USD\"", with: "currency = USD") }
    #expect(found.count >= 1)
    #expect(found[0].hasPrefix("scenario.toml:6: not valid TOML"))
}

@Test func unknownSettingAndMissingRadiusAreReported() {
    let found = problemsAfter("scenario.toml") { text in
        text.replacingOnce("radius_miles = 600\n", with: "").replacingOnce("lost_sale_penalty = 5.0", with: "lost_sale_penalty = 5.0\nlost_sales_penalty = 5.0")
    }
    #expect(found == [
        "scenario.toml:14: costs.lost_sales_penalty: unknown setting",
        "scenario.toml:25: speeds.radius_miles: missing",
    ])
}

// MARK: References and keys

@Test func unknownReferencesAreReported() {
    let lanes = problemsAfter("lanes.csv") { $0.replacingOnce("ACME,DC-DAL", with: "ACMEE,DC-DAL") }
    #expect(lanes == ["lanes.csv:2: from: unknown vendor or node 'ACMEE'"])
    let vendors = problemsAfter("product_vendors.csv") { $0.replacingOnce("T3,ACME", with: "T33,ACME").replacingOnce("T2,ACME", with: "T2,ACNE") }
    #expect(vendors.starts(with: [
        "product_vendors.csv:3: vendor: unknown vendor 'ACNE'",
        "product_vendors.csv:4: product: unknown product 'T33'",
    ]))
    let profiles = problemsAfter("profiles.csv") { $0.replacingOnce("metro,Austin,two_day", with: "metro,Austin,three_day") }
    #expect(profiles.first == "profiles.csv:6: speed: unknown speed 'three_day' (scenario.toml defines same_day, two_day)")
    let products = problemsAfter("products.csv") { $0.replacingOnce("1.3,metro", with: "1.3,metroo") }
    #expect(products == ["products.csv:7: profile: unknown profile 'metroo'"])
}

@Test func duplicateKeysAreReported() {
    let nodes = problemsAfter("nodes.csv") { $0 + "FC-SAT,FC,US,29.5,-98.2,600,150,150,1.1,12,20\n" }
    #expect(nodes == ["nodes.csv:6: id: duplicate node 'FC-SAT' (first on line 4)"])
    let products = problemsAfter("products.csv") { $0 + "T3,Books,0.04,9.00,0.20,sortable,0.3,1,metro\n" }
    #expect(products == ["products.csv:8: id: duplicate product 'T3' (first on line 4)"])
    let pairs = problemsAfter("product_vendors.csv") { $0 + "T6,ACME,20.00,4,1\n" }
    #expect(pairs == ["product_vendors.csv:9: vendor: duplicate vendor 'ACME' for product 'T6' (first on line 7)"])
    let speeds = problemsAfter("scenario.toml") { $0.replacingOnce("id = \"two_day\"", with: "id = \"same_day\"") }
    #expect(speeds.contains("scenario.toml:25: id: speed 'same_day' is defined twice (first on line 16)"))
    let hours = problemsAfter("arrivals.csv") { $0.replacingOnce("23,0.017", with: "22,0.017") }
    #expect(hours.first == "arrivals.csv:25: hour: duplicate hour 22 (first on line 24)")
}

@Test func nodeAndVendorSharingAnIdIsReported() {
    let found = problemsAfter("vendors.csv") { $0 + "FC-SAT,US,29.5,-98.2\n" }
    #expect(found.contains("nodes.csv:4: id: 'FC-SAT' is also a vendor id; lanes could not tell them apart"))
}

// MARK: Network structure

@Test func laneCyclesAreReported() {
    let found = problemsAfter("lanes.csv") { $0 + "FC-HOU,FC-SAT,0.5,0.1,0.1\nFC-SAT,FC-HOU,0.5,0.1,0.1\n" }
    #expect(found == ["lanes.csv:7: to: lanes form a cycle FC-HOU → FC-SAT → FC-HOU (lines 7, 8)"])
    let longer = problemsAfter("lanes.csv") { $0 + "SSD-DAL,FC-SAT,0.5,0.1,0.1\nFC-SAT,FC-HOU,0.5,0.1,0.1\nFC-HOU,SSD-DAL,0.5,0.1,0.1\n" }
    #expect(longer.count == 1)
    #expect(longer.first?.contains("lanes form a cycle") == true)
}

@Test func nodeWithoutInboundLaneIsReported() {
    let found = problemsAfter("lanes.csv") { $0.replacingOnce("DC-DAL,FC-SAT,1,0.3,0.25\n", with: "") }
    #expect(found.first == "nodes.csv:4: id: node 'FC-SAT' has no inbound lane: nothing can replenish it")
}

@Test func regionNoNodeCanServeIsReported() {
    let found = problemsAfter("regions.csv") { $0 + "Monterrey,MX,25.6866,-100.3161,5341171\n" }
    #expect(found == ["regions.csv:5: id: no node can serve region 'Monterrey': no node of its country lies within any speed's radius"])
}

@Test func productNoNodeMayHoldIsReported() {
    // The only vendor of the sofa (non-sortable) now ships into a sortable FC only.
    let found = problemsAfter("lanes.csv") { $0.replacingOnce("PACIFIC,DC-DAL", with: "PACIFIC,FC-HOU") }
    #expect(found == ["products.csv:5: size_class: no node may hold product 'T4': no DC/NSFC node is reachable from its vendors"])
}

@Test func productWhoseDemandNoHoldingNodeServesIsReported() {
    // Bulky demand only same-day, which only FCs and SSDs ship: nothing that may hold a sofa serves it.
    let found = problemsAfter("profiles.csv") { text in
        text.replacingOnce("bulky,Dallas,two_day,0.40", with: "bulky,Dallas,same_day,0.40")
            .replacingOnce("bulky,Houston,two_day,0.40", with: "bulky,Houston,same_day,0.40")
            .replacingOnce("bulky,Austin,two_day,0.20", with: "bulky,Houston,two_day,0.20")
    }
    #expect(found.isEmpty)  // Houston two-day is still served by the DC.
    let none = problemsAfter("profiles.csv") { text in
        text.replacingOnce("bulky,Dallas,two_day,0.40", with: "bulky,Dallas,same_day,0.40")
            .replacingOnce("bulky,Houston,two_day,0.40", with: "bulky,Houston,same_day,0.60")
            .replacingOnce("bulky,Austin,two_day,0.20\n", with: "")
    }
    #expect(none == ["products.csv:5: profile: no node that may hold product 'T4' (DC/NSFC, reachable from its vendors) can serve its demand"])
}

// MARK: Shares

@Test func sharesThatDoNotAddUpAreReported() {
    let found = problemsAfter("profiles.csv") { $0.replacingOnce("bulky,Austin,two_day,0.20", with: "bulky,Austin,two_day,0.30") }
    #expect(found == ["profiles.csv:7: share: the shares of profile 'bulky' add up to 1.1, not 1"])
    let arrivals = problemsAfter("arrivals.csv") { $0.replacingOnce("12,0.074", with: "12,0.174") }
    #expect(arrivals == ["arrivals.csv: share: the hourly shares add up to 1.1, not 1"])
    let hour = problemsAfter("arrivals.csv") { $0.replacingOnce("23,0.017", with: "24,0.017") }
    #expect(hour.first == "arrivals.csv:25: hour: must be between 0 and 23, got 24")
}

@Test func targetBeyondWhatCutoffsAllowIsReported() {
    // Same-day nodes stop at 14:00 and 12:00: only 44.8 % of orders arrive before 14:00.
    let found = problemsAfter("nodes.csv") { text in
        text.replacingOnce("FC-HOU,FC,US,29.7858,-95.8245,800,200,200,1.1,22", with: "FC-HOU,FC,US,29.7858,-95.8245,800,200,200,1.1,12")
            .replacingOnce("FC-SAT,FC,US,29.5522,-98.2697,600,150,150,1.1,22", with: "FC-SAT,FC,US,29.5522,-98.2697,600,150,150,1.1,12")
            .replacingOnce("SSD-DAL,SSD,US,32.7767,-96.7970,60,40,40,1.6,22", with: "SSD-DAL,SSD,US,32.7767,-96.7970,60,40,40,1.6,14")
    }
    #expect(found == ["scenario.toml:18: speeds.target_fill_rate: same_day cannot reach 0.85: its latest cut-off is 14:00 and only 44.8 % of orders arrive before it"])
}

@Test func undeclaredOverridesFileIsReported() {
    let found = problemsAfter("scenario.toml") { $0.replacingOnce("demand_overrides = true", with: "demand_overrides = false") }
    #expect(found == ["demand_overrides.csv: the file is present but scenario.toml does not list it: set demand_overrides = true under [tables]"])
}

// MARK: Many problems at once

@Test func everyProblemIsReportedNotOnlyTheFirst() {
    let directory = copyOfSample()
    defer { removeDirectory(directory) }
    func change(_ file: String, _ transform: (String) -> String) {
        writeText(transform(readText(directory + "/" + file)!), to: directory + "/" + file)
    }
    change("nodes.csv") { $0.replacingOnce("SSD-DAL,SSD,US,32.7767,-96.7970,60", with: "SSD-DAL,SSD,US,32.7767,-96.7970,-60") }
    change("products.csv") { $0.replacingOnce("T3,Books,0.04", with: "T3,Books,zero") }
    change("lanes.csv") { $0.replacingOnce("ACME,DC-DAL,3,1", with: "ACME,DC-DAL,3,inf") }
    change("regions.csv") { $0.replacingOnce("Austin,US,30.2672", with: "Austin,US,130.2672") }
    let found = problems(directory)
    #expect(found.contains("nodes.csv:5: storage_cuft: must be > 0, got -60"))
    #expect(found.contains("products.csv:4: cube_cuft: 'zero' is not a number"))
    #expect(found.contains("lanes.csv:2: transit_std_days: must be a finite number, got 'inf'"))
    #expect(found.contains("regions.csv:4: latitude: must be between -90 and 90, got 130.2672"))
}

@Test func diagnosticsAreCappedButCounted() {
    var log = DiagnosticLog(limit: 3)
    for line in 1...10 { log.report("f.csv", line: line, field: "x", "bad") }
    #expect(log.count == 10)
    #expect(log.all.count == 4)
    #expect(log.all.last?.message == "7 more problems not shown")
}

// MARK: What spreadsheets write is accepted

@Test func byteOrderMarkCRLFAndQuotedCommasAreAccepted() throws {
    let original = try ScenarioLoader.load(directory: BundledSample.tiny)
    let directory = copyOfSample()
    defer { removeDirectory(directory) }
    for name in fileNames(in: directory) where name.hasSuffix(".csv") {
        let text = readText(directory + "/" + name)!
        // Every field quoted, CRLF line ends, a byte-order mark: what a spreadsheet export looks like.
        let rows = text.components("\n").filter { !$0.isEmpty }.map { line -> String in
            var fields: [String] = []
            var current = ""
            var quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle(); continue }
                if ch == "," && !quoted { fields.append(current); current = ""; continue }
                current.append(ch)
            }
            fields.append(current)
            return fields.map { "\"" + $0.components("\"").joined(separator: "\"\"") + "\"" }.joined(separator: ",")
        }
        writeText("\u{FEFF}" + rows.joined(separator: "\r\n") + "\r\n", to: directory + "/" + name)
    }
    #expect(readText(directory + "/products.csv")!.contains("\"Electronics, small\""))
    let loaded = try ScenarioLoader.load(directory: directory)
    #expect(loaded.nodes == original.nodes)
    #expect(loaded.products == original.products)
    #expect(loaded.options == original.options)
    #expect(loaded.categories == original.categories)
    #expect(loaded.arrivalCurve == original.arrivalCurve)
}
