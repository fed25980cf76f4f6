// What-ifs the first what-if tests leave out: demand scaled by category and by product, a speed's
// penalty, a node's inbound capacity, the rest of the file errors, and `Scenario.applying` with a
// category scope (the core's path, not the dashboard's `WhatIfApplier`).

import EchelonModel
import Foundation
import Testing
@testable import EchelonCore

/// A folder of its own for one test's what-if files, removed by `remove()`.
private struct WhatIfScratch {
    let directory: String
    init(_ name: String) throws {
        directory = NSTemporaryDirectory() + "echelon-whatif-coverage-\(getpid())-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    /// Writes `text` to `name` in the folder and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// `a` and `b` equal to a relative 1e-12 (the scaling multiplies once, so they should be exact).
private func same(_ a: Double, _ b: Double) -> Bool {
    a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b))
}

/// Checks that only `demandMean` of `products` may differ between the two scenarios.
private func expectOnlyDemandMeansChanged(_ before: Scenario, _ after: Scenario, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(after.nodes == before.nodes, sourceLocation: sourceLocation)
    #expect(after.speeds == before.speeds, sourceLocation: sourceLocation)
    #expect(after.profiles == before.profiles, sourceLocation: sourceLocation)
    #expect(after.demandOverrides == before.demandOverrides, sourceLocation: sourceLocation)
    #expect(after.productVendors == before.productVendors, sourceLocation: sourceLocation)
    #expect(after.categories == before.categories, sourceLocation: sourceLocation)
    #expect(after.products.count == before.products.count, sourceLocation: sourceLocation)
    for (a, b) in zip(before.products, after.products) {
        var unscaled = b
        unscaled.demandMean = a.demandMean
        #expect(unscaled == a, "product \(a.id) changed more than its demand mean", sourceLocation: sourceLocation)
    }
}

// MARK: - TOML what-ifs

/// The changes a what-if file holding `text` reads as (written to a real file and read by `WhatIfFile.load`).
private func loadChanges(_ text: String, scenario: Scenario) throws -> [WhatIf] {
    let scratch = try WhatIfScratch("load")
    defer { scratch.remove() }
    return try WhatIfFile.load(path: try scratch.file("changes.toml", text), scenario: scenario)
}

@Test func whatIfFileScalesDemandOfOneCategoryOfTheBundledSample() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let changes = try loadChanges("""
        [[change]]
        type = "scale_demand"
        category = "Books"   # the biggest category of the sample
        factor = 1.75
        """, scenario: scenario)
    let books = try #require(scenario.categories.firstIndex(of: "Books"))
    #expect(changes == [.scaleDemand(scope: .category(books), factor: 1.75)])
    let changed = try scenario.applying(changes)
    expectOnlyDemandMeansChanged(scenario, changed)
    // products.csv of the sample lists 309 books among its 2 500 products.
    var scaled = 0
    for p in scenario.products.indices {
        let before = scenario.products[p].demandMean, after = changed.products[p].demandMean
        if scenario.categories[Int(scenario.products[p].category)] == "Books" {
            scaled += 1
            #expect(same(after, before * 1.75), "\(scenario.products[p].id): \(after) is not 1.75 × \(before)")
        } else {
            #expect(after == before, "\(scenario.products[p].id) is not a book but its demand moved from \(before) to \(after)")
        }
    }
    #expect(scaled == 309)
    #expect(scenario.products.count == 2500)
    // The total grows by 0.75 of the books' demand, no more.
    let booksDemand = scenario.products.filter { scenario.categories[Int($0.category)] == "Books" }.reduce(0) { $0 + $1.demandMean }
    let totalBefore = scenario.products.reduce(0) { $0 + $1.demandMean }
    let totalAfter = changed.products.reduce(0) { $0 + $1.demandMean }
    #expect(abs(totalAfter - (totalBefore + 0.75 * booksDemand)) <= 1e-9 * totalAfter)
}

@Test func whatIfFileScalesDemandOfOneProduct() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    // P000108 has demand overrides: they must stay as they are (the product's total is what scales).
    let changes = try loadChanges("""
        [[change]]
        type = "scale_demand"
        product = "P000108"
        factor = 0.4
        """, scenario: scenario)
    let index = try #require(scenario.products.firstIndex { $0.id == "P000108" })
    #expect(!scenario.products[index].overrides.isEmpty)
    #expect(changes == [.scaleDemand(scope: .product(index), factor: 0.4)])
    let changed = try scenario.applying(changes)
    expectOnlyDemandMeansChanged(scenario, changed)
    for p in scenario.products.indices {
        let before = scenario.products[p].demandMean, after = changed.products[p].demandMean
        if p == index {
            #expect(same(after, before * 0.4))
            #expect(after != before)
        } else {
            #expect(after == before, "\(scenario.products[p].id) moved from \(before) to \(after)")
        }
    }
    #expect(Array(changed.demandShares(of: index)) == Array(scenario.demandShares(of: index)))
}

@Test func whatIfFileSetsASpeedsPenaltyAndLeavesItsTarget() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.tiny)
    let changes = try loadChanges("""
        [[change]]
        type = "speed_service"
        speed = "two_day"
        penalty = 9.25
        """, scenario: scenario)
    #expect(changes == [.setSpeedService(speed: 1, targetFillRate: nil, missPenalty: 9.25)])
    let changed = try scenario.applying(changes)
    // scenario.toml of the tiny sample: two_day targets 0.95 with a penalty of 6, same_day 0.85 and 3.
    #expect(scenario.speeds.map(\.id) == ["same_day", "two_day"])
    #expect(changed.speeds[1].missPenalty == 9.25)
    #expect(changed.speeds[1].targetFillRate == 0.95)
    #expect(changed.speeds[0].missPenalty == 3)
    #expect(changed.speeds[0].targetFillRate == 0.85)
    #expect(changed.speeds[0] == scenario.speeds[0])
    #expect(changed.nodes == scenario.nodes)
    #expect(changed.products == scenario.products)

    // Target and penalty together set both.
    let both = try WhatIfFile.parse(
        "[[change]]\ntype = \"speed_service\"\nspeed = \"same_day\"\ntarget = 0.6\npenalty = 0", path: "b.toml", scenario: scenario)
    #expect(both == [.setSpeedService(speed: 0, targetFillRate: 0.6, missPenalty: 0)])
    let changedBoth = try scenario.applying(both)
    #expect(changedBoth.speeds[0].targetFillRate == 0.6)
    #expect(changedBoth.speeds[0].missPenalty == 0)
    #expect(changedBoth.speeds[1] == scenario.speeds[1])
}

@Test func whatIfFileSetsANodesInboundCapacityAlone() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.tiny)
    let changes = try loadChanges("""
        [[change]]
        type = "capacity"
        node = "FC-SAT"
        inbound = 75.5
        """, scenario: scenario)
    let sat = try #require(scenario.nodes.firstIndex { $0.id == "FC-SAT" })
    #expect(sat == 2)
    #expect(changes == [.setCapacity(node: sat, storage: nil, outbound: nil, inbound: 75.5)])
    let changed = try scenario.applying(changes)
    // nodes.csv of the tiny sample: FC-SAT stores 600 cubic feet, ships 150 and receives 150 a day.
    #expect(changed.nodes[sat].inboundCapacity == 75.5)
    #expect(changed.nodes[sat].storageCapacity == 600)
    #expect(changed.nodes[sat].outboundCapacity == 150)
    #expect(scenario.nodes[sat].inboundCapacity == 150)
    for n in scenario.nodes.indices where n != sat {
        #expect(changed.nodes[n] == scenario.nodes[n], "\(scenario.nodes[n].id) changed")
    }
    var withOldInbound = changed.nodes[sat]
    withOldInbound.inboundCapacity = scenario.nodes[sat].inboundCapacity
    #expect(withOldInbound == scenario.nodes[sat])
    #expect(changed.products == scenario.products)
    #expect(changed.speeds == scenario.speeds)
}

// MARK: - TOML errors

/// The text of the error `WhatIfFile.load` throws for `text` written to a file, and the file's path.
private func loadError(_ text: String, name: String, scenario: Scenario) throws -> (message: String, path: String, error: WhatIfInputError?) {
    let scratch = try WhatIfScratch("error")
    defer { scratch.remove() }
    let path = try scratch.file(name, text)
    do {
        _ = try WhatIfFile.load(path: path, scenario: scenario)
        return ("no error", path, nil)
    } catch let error as WhatIfInputError {
        return ("\(error)", path, error)
    } catch {
        return ("\(error)", path, nil)
    }
}

@Test func whatIfFileRejectsMoreThanOneDemandScope() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let regionAndCategory = try loadError(
        "# two scopes\n[[change]]\ntype = \"scale_demand\"\nregion = \"Baltimore\"\ncategory = \"Books\"\nfactor = 2",
        name: "two.toml", scenario: scenario)
    #expect(regionAndCategory.message == "\(regionAndCategory.path):5: category: give at most one of region, category, product")
    #expect(regionAndCategory.error == WhatIfInputError(
        file: regionAndCategory.path, line: 5, field: "category", message: "give at most one of region, category, product"))

    let all = try loadError(
        "[[change]]\ntype = \"scale_demand\"\nfactor = 2\nregion = \"Baltimore\"\ncategory = \"Books\"\nproduct = \"P000001\"",
        name: "three.toml", scenario: scenario)
    #expect(all.message == "\(all.path):5: category: give at most one of region, category, product")

    // Category and product without a region: the product is the one too many (it named `region`, at the
    // [[change]] line, before).
    let categoryAndProduct = try loadError(
        "[[change]]\ntype = \"scale_demand\"\ncategory = \"Books\"\nproduct = \"P000001\"\nfactor = 2",
        name: "cp.toml", scenario: scenario)
    #expect(categoryAndProduct.message == "\(categoryAndProduct.path):4: product: give at most one of region, category, product")
    // In the file's order, not the keys': a product before a region, the region is the one too many.
    let productFirst = try loadError(
        "[[change]]\ntype = \"scale_demand\"\nproduct = \"P000001\"\nregion = \"Baltimore\"\nfactor = 2",
        name: "pr.toml", scenario: scenario)
    #expect(productFirst.message == "\(productFirst.path):4: region: give at most one of region, category, product")
}

/// Each file's text and the error it must give after its path (`:line: field: message`).
private func expectErrors(_ cases: [(text: String, error: String)], scenario: Scenario, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (n, entry) in cases.enumerated() {
        let result = try loadError(entry.text, name: "case\(n).toml", scenario: scenario)
        #expect(result.message == result.path + entry.error, sourceLocation: sourceLocation)
    }
}

@Test func whatIfFileErrorsForUnknownIdsNameFileLineAndField() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let vendor = try loadError(
        "[[change]]\ntype = \"vendor_lead_time\"\n\nvendor = \"V-ATLANTIS\"\nmean = 12", name: "vendor.toml", scenario: scenario)
    #expect(vendor.error == WhatIfInputError(file: vendor.path, line: 4, field: "vendor", message: "no vendor 'V-ATLANTIS' in the scenario"))
    try expectErrors([
        ("[[change]]\ntype = \"vendor_lead_time\"\n\nvendor = \"V-ATLANTIS\"\nmean = 12", ":4: vendor: no vendor 'V-ATLANTIS' in the scenario"),
        ("[[change]]\ntype = \"speed_service\"\nspeed = \"warp\"   # not a speed\ntarget = 0.5", ":3: speed: no speed 'warp' in the scenario"),
        // Ids are matched exactly: a category in another case is unknown.
        ("[[change]]\ntype = \"scale_demand\"\nfactor = 1.1\ncategory = \"books\"", ":4: category: no category 'books' in the scenario"),
        // The second table's error names its own line.
        ("[[change]]\ntype = \"close_node\"\nnode = \"DC-ABE\"\n\n[[change]]\ntype = \"scale_demand\"\ncategory = \"Garden\"\nfactor = 2",
         ":7: category: no category 'Garden' in the scenario"),
    ], scenario: scenario)
}

@Test func whatIfFileErrorsForAStringWhereANumberBelongs() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.tiny)
    let factor = try loadError("[[change]]\ntype = \"scale_demand\"\nfactor = \"2\"", name: "factor.toml", scenario: scenario)
    #expect(factor.error == WhatIfInputError(file: factor.path, line: 3, field: "factor", message: "expected a number"))
    try expectErrors([
        ("[[change]]\ntype = \"scale_demand\"\nfactor = \"2\"", ":3: factor: expected a number"),
        ("[[change]]\ntype = \"capacity\"\nnode = \"FC-HOU\"\ninbound = \"lots\"", ":4: inbound: expected a number"),
        ("[[change]]\ntype = \"speed_service\"\nspeed = \"same_day\"\npenalty = \"6\"", ":4: penalty: expected a number"),
        // And a number where a string belongs.
        ("[[change]]\ntype = \"close_node\"\nnode = 3", ":3: node: expected a string"),
        // A bare word is neither.
        ("[[change]]\ntype = \"scale_demand\"\nfactor = twice", ":3: factor: cannot read value 'twice'"),
    ], scenario: scenario)
}

@Test func whatIfFileThatCannotBeReadNamesTheFile() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.tiny)
    let scratch = try WhatIfScratch("unreadable")
    defer { scratch.remove() }
    let missing = scratch.directory + "/missing.toml"
    #expect(throws: WhatIfInputError(file: missing, message: "cannot read the file")) {
        try WhatIfFile.load(path: missing, scenario: scenario)
    }
    do {
        _ = try WhatIfFile.load(path: missing, scenario: scenario)
        Issue.record("a missing file loaded")
    } catch {
        #expect("\(error)" == "\(missing): cannot read the file")
    }
    // A folder is no file either.
    #expect(throws: WhatIfInputError(file: scratch.directory, message: "cannot read the file")) {
        try WhatIfFile.load(path: scratch.directory, scenario: scenario)
    }
    // Bytes that are not UTF-8.
    let binary = scratch.directory + "/binary.toml"
    try Data([0x5B, 0x5B, 0xFF, 0xFE, 0xC3, 0x28]).write(to: URL(fileURLWithPath: binary))
    #expect(throws: WhatIfInputError(file: binary, message: "not UTF-8 text")) {
        try WhatIfFile.load(path: binary, scenario: scenario)
    }
}

// MARK: - Scenario.applying

@Test func applyingScalesDemandOfOneCategory() throws {
    // network(): product p is in category p % 2 ("home" for even p, "toys" for odd).
    let scenario = TestScenarios.network(products: 24, seed: 11)
    #expect(scenario.categories == ["home", "toys"])
    let changed = try scenario.applying([.scaleDemand(scope: .category(1), factor: 2.5)])
    expectOnlyDemandMeansChanged(scenario, changed)
    for p in scenario.products.indices {
        let before = scenario.products[p].demandMean, after = changed.products[p].demandMean
        if p % 2 == 1 {
            #expect(same(after, before * 2.5), "SKU\(p): \(after) is not 2.5 × \(before)")
        } else {
            #expect(after == before, "SKU\(p) is in 'home' but moved from \(before) to \(after)")
        }
    }
    // Two changes in order compose: toys ×2.5 then home ×0 leaves only toys.
    let onlyToys = try scenario.applying([.scaleDemand(scope: .category(1), factor: 2.5), .scaleDemand(scope: .category(0), factor: 0)])
    for p in scenario.products.indices {
        #expect(onlyToys.products[p].demandMean == (p % 2 == 1 ? changed.products[p].demandMean : 0))
    }
    // A factor of 1 changes nothing.
    let same1 = try scenario.applying([.scaleDemand(scope: .category(0), factor: 1)])
    #expect(same1.products == scenario.products)
    // An index out of range and a negative factor are refused, and the scenario is left as it was.
    #expect(throws: WhatIfInputError(message: "no category with index 2")) {
        try scenario.applying([.scaleDemand(scope: .category(2), factor: 2)])
    }
    #expect(throws: WhatIfInputError(message: "no category with index -1")) {
        try scenario.applying([.scaleDemand(scope: .category(-1), factor: 2)])
    }
    #expect(throws: WhatIfInputError(field: "factor", message: "-0.5 is outside [0.0, inf]")) {
        try scenario.applying([.scaleDemand(scope: .category(0), factor: -0.5)])
    }
    #expect(WhatIf.scaleDemand(scope: .category(1), factor: 2.5).describe(in: scenario) == "demand ×2.5 for category toys")
}

@Test func applyingScalesACategoryOfTheBundledSampleWithoutTouchingShares() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let furniture = try #require(scenario.categories.firstIndex(of: "Furniture"))
    let changed = try scenario.applying([.scaleDemand(scope: .category(furniture), factor: 3)])
    expectOnlyDemandMeansChanged(scenario, changed)
    let scaled = scenario.products.indices.filter { changed.products[$0].demandMean != scenario.products[$0].demandMean }
    // 113 furniture products, each with a positive demand mean.
    #expect(scaled.count == 113)
    for p in scaled {
        #expect(scenario.categories[Int(scenario.products[p].category)] == "Furniture")
        #expect(same(changed.products[p].demandMean, 3 * scenario.products[p].demandMean))
    }
}
