import Testing
@testable import EchelonModel

@Test func tinySampleLoadsWithHandCheckedValues() throws {
    let scenario = try ScenarioLoader.load(directory: BundledSample.tiny)
    #expect(scenario.name == "Tiny Texas")
    #expect(scenario.speeds.map(\.id) == ["same_day", "two_day"])
    #expect(scenario.nodes.map(\.id) == ["DC-DAL", "FC-HOU", "FC-SAT", "SSD-DAL"])
    #expect(scenario.nodes[3].cutoffHour == [22, 0])
    #expect(scenario.regions.map(\.id) == ["Dallas", "Houston", "Austin"])
    #expect(scenario.products.count == 6)
    #expect(scenario.categories[Int(scenario.products[0].category)] == "Electronics, small")
    #expect(scenario.vendorOptions(of: 5).map(\.unitPrice) == [21.00, 17.50])
    #expect(abs(scenario.arrivalCurve.reduce(0, +) - 1) < 1e-12)

    // Options derived from radii: Dallas same-day only from the Dallas SSD (0 miles, 30-mile radius),
    // Houston same-day from FC-HOU (about 27 miles), Austin has no same-day node; two-day from DC and both FCs.
    let index = ScenarioIndex(scenario)
    let dallasSameDay = index.options(region: 0, speed: 0).map { scenario.options[$0].node }
    #expect(dallasSameDay == [3])
    let houstonSameDay = index.options(region: 1, speed: 0).map { scenario.options[$0] }
    #expect(houstonSameDay.map(\.node) == [1])
    let miles = scenario.regions[1].location.miles(to: scenario.nodes[1].location)
    #expect(miles > 25 && miles < 30)
    #expect(houstonSameDay[0].costPerUnit == ((3.0 + 0.004 * miles) * 1.5 * 100).rounded() / 100)
    #expect(index.options(region: 2, speed: 0).isEmpty)
    #expect(Set(index.options(region: 2, speed: 1).map { scenario.options[$0].node }) == [0, 1, 2])
    // Cheapest first: for Austin the San Antonio FC (about 55 miles) beats Katy and Dallas.
    #expect(scenario.options[index.options(region: 2, speed: 1).lowerBound].node == 2)

    // T5 has its own demand shares; the others use their profile.
    #expect(scenario.demandShares(of: 4).map(\.share) == [0.5, 0.3, 0.2])
    #expect(scenario.demandShares(of: 0).count == 5)
    #expect(index.echelon == [1, 2, 2, 2])
}

@Test func summaryCountsTheTinySample() throws {
    let summary = ScenarioSummary(try ScenarioLoader.load(directory: BundledSample.tiny))
    #expect(summary.nodesByKind.map(\.count) == [1, 2, 0, 1])
    #expect(summary.productCount == 6)
    #expect(abs(summary.totalDemandPerDay - 12.15) < 1e-9)
    #expect(summary.capacityByEchelon.map(\.storage) == [5000, 1460])
    #expect(summary.description.contains("6 in 6 categories"))
}
