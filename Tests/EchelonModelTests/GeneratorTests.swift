import Testing
@testable import EchelonModel

@Test func bundledSampleIsExactlyTheGeneratorsOutput() throws {
    let directory = makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    try ScenarioWriter.write(ScenarioGenerator.bundledSample.makeScenario(), to: directory)
    let sample = BundledSample.usNetwork
    #expect(fileNames(in: directory) == fileNames(in: sample))
    for name in fileNames(in: sample) {
        #expect(readText(directory + "/" + name) == readText(sample + "/" + name), "\(name) differs from the generator's")
    }
}

@Test func bundledSampleHasTheStatedShape() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.usNetwork)
    let count = { (kind: NodeKind, country: String) in scenario.nodes.filter { $0.kind == kind && $0.country == country }.count }
    #expect(count(.dc, "US") >= 3)
    #expect(count(.fc, "US") >= 10)
    #expect(count(.nsfc, "US") >= 2)
    #expect(count(.ssd, "US") >= 5)
    #expect(scenario.regions.filter { $0.country == "US" }.count >= 40)
    // The second country: a DC, two FCs, an SSD and five metro regions.
    #expect(count(.dc, "CA") == 1 && count(.fc, "CA") == 2 && count(.ssd, "CA") == 1)
    #expect(scenario.regions.filter { $0.country == "CA" }.count == 5)
    #expect(scenario.speeds.map(\.id) == ["same_day", "one_day", "two_day"])
    #expect(scenario.products.count == 2_500)
    #expect(scenario.products.contains { $0.sizeClass == .nonsortable })
    #expect(!scenario.demandOverrides.isEmpty)

    // Regions are served only by nodes of their own country.
    for option in scenario.options {
        #expect(scenario.nodes[option.node].country == scenario.regions[option.region].country)
    }
    // Several vendors with different lead-time means and spreads for some products.
    let multiVendor = scenario.products.indices.filter { scenario.vendorOptions(of: $0).count >= 2 }
    #expect(multiVendor.count > 500)
    let differing = multiVendor.filter { p in
        let options = scenario.vendorOptions(of: p)
        return Set(options.map(\.leadTimeMean)).count > 1 && Set(options.map(\.leadTimeStd)).count > 1
    }
    #expect(differing.count > 400)

    // A long tail: most products slow, a few very fast.
    let demand = scenario.products.map(\.demandMean).sorted()
    #expect(demand[demand.count / 2] < 0.2)
    #expect(demand.last! > 20)
    let top1Percent = demand.suffix(25).reduce(0, +) / demand.reduce(0, +)
    #expect(top1Percent > 0.15)
}

@Test func generatorIsDeterministicAndPrefixStable() {
    let a = ScenarioGenerator(products: 500, seed: 7).makeScenario()
    let b = ScenarioGenerator(products: 500, seed: 7).makeScenario()
    let c = ScenarioGenerator(products: 500, seed: 8).makeScenario()
    #expect(a.products == b.products)
    #expect(a.productVendors == b.productVendors)
    #expect(a.nodes == b.nodes)
    #expect(a.products != c.products)
    // Products do not depend on how many are made: the first 100 of 500 are the 100 of a 100-product scenario.
    let small = ScenarioGenerator(products: 100, seed: 7).makeScenario()
    #expect(Array(a.products.prefix(100)).map(\.demandMean) == small.products.map(\.demandMean))
}

@Test func writtenScenarioReadsBackIdentically() throws {
    let generated = ScenarioGenerator(products: 300, seed: 11).makeScenario()
    let directory = makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    try ScenarioWriter.write(generated, to: directory)
    let loaded = try ScenarioLoader.load(directory: directory)
    #expect(loaded.name == generated.name)
    #expect(loaded.costs == generated.costs)
    #expect(loaded.speeds == generated.speeds)
    #expect(loaded.nodes == generated.nodes)
    #expect(loaded.vendors == generated.vendors)
    #expect(loaded.lanes == generated.lanes)
    #expect(loaded.regions == generated.regions)
    #expect(loaded.options == generated.options)
    #expect(loaded.profiles == generated.profiles)
    #expect(loaded.arrivalCurve == generated.arrivalCurve)
    #expect(loaded.productVendors == generated.productVendors)
    #expect(loaded.demandOverrides == generated.demandOverrides)
    // Category numbers follow first appearance in the file; the names must match.
    #expect(loaded.products.count == generated.products.count)
    for (l, g) in zip(loaded.products, generated.products) {
        var renumbered = l
        renumbered.category = g.category
        #expect(renumbered == g)
        #expect(loaded.categories[Int(l.category)] == generated.categories[Int(g.category)])
    }
}

@Test func capacitiesAreTightWhereTheShapeSaysSo() {
    // Tight capacities are 60–85 % of the node's (lean) estimated unconstrained use, the others 1.4–2.2
    // times the (generous) estimate, and the lean estimate never exceeds the generous one.
    let scenario = ScenarioGenerator(products: 4_000, seed: 3).makeScenario()
    var options = scenario.options
    ScenarioGenerator.sortOptions(&options)
    let firstChoice = ScenarioGenerator.firstChoices(
        options: options, nodes: scenario.nodes, regionCount: scenario.regions.count, speedCount: scenario.speeds.count)
    let use = ScenarioGenerator.estimatedUse(scenario: scenario, firstChoice: firstChoice)
    var tightCount = 0
    for (n, node) in scenario.nodes.enumerated() {
        let tight = NetworkShape.tightNodes[node.id]
        for (capacity, used, factor) in [
            (node.storageCapacity, (tight?.storage ?? 1) < 1 ? use.leanStorage[n] : use.storage[n], tight?.storage),
            (node.outboundCapacity, use.outbound[n], tight?.outbound),
            (node.inboundCapacity, use.inbound[n], tight?.inbound),
        ] where used > 50 {
            let ratio = capacity / used
            if let factor, factor < 1 {
                tightCount += 1
                #expect(ratio >= 0.6 && ratio <= 0.85, "\(node.id)")
            } else {
                #expect(ratio >= 1.39 && ratio <= 2.21, "\(node.id)")
            }
        }
    }
    #expect(tightCount >= 6)
    for n in scenario.nodes.indices { #expect(use.leanStorage[n] <= use.storage[n]) }
}

@Test func writerRefusesAFolderThatIsNotAScenario() throws {
    let directory = makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    writeText("keep me", to: directory + "/notes.txt")
    #expect(throws: ScenarioWriteError.self) {
        try ScenarioWriter.write(ScenarioGenerator(products: 3, seed: 1).makeScenario(), to: directory)
    }
    #expect(readText(directory + "/notes.txt") == "keep me")
    #expect(fileNames(in: directory) == ["notes.txt"])
}
