// Small scenarios built in code for the core's tests.

import EchelonModel
import Foundation
@testable import EchelonCore

/// A deterministic generator (SplitMix64) so test scenarios are the same on every run.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }
}

enum TestScenarios {
    static func node(_ id: String, _ kind: NodeKind, storage: Double = .infinity, outbound: Double = .infinity,
                     inbound: Double = .infinity, multiplier: Double = 1, cutoffs: [Double] = [24, 24, 24]) -> Node {
        Node(id: id, kind: kind, country: "US", location: GeoPoint(latitude: 40, longitude: -100),
             storageCapacity: storage, outboundCapacity: outbound, inboundCapacity: inbound,
             holdingMultiplier: multiplier, cutoffHour: cutoffs)
    }

    static func region(_ id: String) -> Region {
        Region(id: id, country: "US", location: GeoPoint(latitude: 40, longitude: -100), weight: 1)
    }

    /// The separable instance of the acceptance list: one speed, one FC per region, each FC fed by the
    /// vendor (deterministic lead time, so lead-time demand is Poisson), storage the only capacity.
    /// Product p's demand is split over the regions by `shares[p]`.
    static func separable(storage: [Double], products: [(mean: Double, cube: Double, unitCost: Double, shares: [Double])],
                          missPenalty: Double = 6, lostSalePenalty: Double = 4, leadTime: Double = 3) -> Scenario {
        let regionCount = storage.count
        let nodes = (0..<regionCount).map { node("FC\($0)", .fc, storage: storage[$0], multiplier: 1 + 0.25 * Double($0), cutoffs: [24]) }
        let regions = (0..<regionCount).map { region("R\($0)") }
        let lanes = (0..<regionCount).map {
            Lane(source: .vendor(0), destination: $0, transitMean: 1 + Double($0), transitStd: 0, costPerCubicFoot: 0.1)
        }
        let options = (0..<regionCount).map {
            FulfilmentOption(region: $0, speed: 0, node: $0, costPerUnit: 1 + 0.2 * Double($0), costPerCubicFoot: 0.05)
        }
        var profiles: [DemandProfile] = []
        var productList: [Product] = []
        var productVendors: [ProductVendor] = []
        for (p, spec) in products.enumerated() {
            let shares = spec.shares.enumerated().compactMap { r, share in
                share > 0 ? DemandShare(region: Int32(r), speed: 0, share: share) : nil
            }
            profiles.append(DemandProfile(id: "P\(p)", shares: shares))
            productVendors.append(ProductVendor(vendor: 0, unitPrice: spec.unitCost * 0.8, leadTimeMean: leadTime, leadTimeStd: 0))
            productList.append(
                Product(id: "SKU\(p)", category: 0, cube: spec.cube, unitCost: spec.unitCost, holdingRate: 0.3,
                        sizeClass: .sortable, demandMean: spec.mean, demandVMR: 1, profile: Int32(p),
                        vendors: Int32(p)..<Int32(p + 1)))
        }
        return Scenario(
            name: "separable", unmetDemand: .lostSales,
            costs: CostSettings(daysPerYear: 365, transferHandlingPerCubicFoot: 0, lostSalePenalty: lostSalePenalty),
            speeds: [Speed(id: "two_day", promiseHours: 48, targetFillRate: 0, missPenalty: missPenalty)],
            nodes: nodes, vendors: [Vendor(id: "V", country: "US", location: GeoPoint(latitude: 40, longitude: -90))],
            lanes: lanes, regions: regions, options: options, profiles: profiles, arrivalCurve: [Double](repeating: 1.0 / 24, count: 24),
            categories: ["all"], products: productList, productVendors: productVendors)
    }

    /// Two DCs feeding four FCs and two same-day sites, three speeds with cut-offs and downgrades, a
    /// non-sortable centre, two vendors; products drawn from `seed`.
    static func network(products productCount: Int, seed: UInt64 = 7, storageScale: Double = 1,
                        targets: [Double] = [0.25, 0.65, 0.8], unmet: UnmetDemandPolicy = .lostSales) -> Scenario {
        var random = TestRandom(seed: seed)
        let speeds = [
            Speed(id: "same_day", promiseHours: 12, targetFillRate: targets[0], missPenalty: 3),
            Speed(id: "one_day", promiseHours: 24, targetFillRate: targets[1], missPenalty: 2),
            Speed(id: "two_day", promiseHours: 48, targetFillRate: targets[2], missPenalty: 4),
        ]
        // Storage and flow capacities scale with the product count so that some bind.
        let scale = Double(productCount) * storageScale
        let nodes = [
            node("DC-E", .dc, storage: 60 * scale, multiplier: 0.8, cutoffs: [0, 0, 20]),
            node("DC-W", .dc, storage: 60 * scale, multiplier: 0.8, cutoffs: [0, 0, 20]),
            node("FC-1", .fc, storage: 9 * scale, outbound: 1.2 * Double(productCount), cutoffs: [0, 18, 22]),
            node("FC-2", .fc, storage: 9 * scale, cutoffs: [0, 18, 22]),
            node("FC-3", .fc, storage: 9 * scale, cutoffs: [0, 18, 22]),
            node("FC-4", .fc, storage: 9 * scale, inbound: 1.5 * Double(productCount), cutoffs: [0, 18, 22]),
            node("SSD-1", .ssd, storage: 1.5 * scale, multiplier: 2, cutoffs: [14, 20, 22]),
            node("SSD-2", .ssd, storage: 1.5 * scale, multiplier: 2, cutoffs: [14, 20, 22]),
            node("NS-1", .nsfc, storage: 40 * scale, cutoffs: [0, 16, 20]),
        ]
        let regions = (0..<6).map { region("R\($0)") }
        let vendors = [
            Vendor(id: "V-A", country: "US", location: GeoPoint(latitude: 35, longitude: -80)),
            Vendor(id: "V-B", country: "US", location: GeoPoint(latitude: 45, longitude: -120)),
        ]
        var lanes: [Lane] = []
        for v in 0..<2 {
            for dc in 0..<2 {
                lanes.append(Lane(source: .vendor(v), destination: dc, transitMean: v == dc ? 2 : 4, transitStd: 1, costPerCubicFoot: 0.2))
            }
            lanes.append(Lane(source: .vendor(v), destination: 8, transitMean: 3, transitStd: 1, costPerCubicFoot: 0.3))
        }
        for (fc, dc) in [(2, 0), (3, 0), (4, 1), (5, 1), (6, 0), (7, 1)] {
            lanes.append(Lane(source: .node(dc), destination: fc, transitMean: 1, transitStd: 0.3, costPerCubicFoot: 0.1))
        }
        var options: [FulfilmentOption] = []
        for r in 0..<6 {
            let ssd = r < 3 ? 6 : 7
            let fcA = 2 + r % 4, fcB = 2 + (r + 1) % 4
            let dc = r < 3 ? 0 : 1
            options.append(FulfilmentOption(region: r, speed: 0, node: ssd, costPerUnit: 2.5, costPerCubicFoot: 0.2))
            options.append(FulfilmentOption(region: r, speed: 1, node: fcA, costPerUnit: 1.5, costPerCubicFoot: 0.15))
            options.append(FulfilmentOption(region: r, speed: 1, node: fcB, costPerUnit: 1.9, costPerCubicFoot: 0.15))
            options.append(FulfilmentOption(region: r, speed: 2, node: fcA, costPerUnit: 1.0, costPerCubicFoot: 0.1))
            options.append(FulfilmentOption(region: r, speed: 2, node: dc, costPerUnit: 1.2, costPerCubicFoot: 0.1))
            options.append(FulfilmentOption(region: r, speed: 2, node: 8, costPerUnit: 2.0, costPerCubicFoot: 0.12))
            options.append(FulfilmentOption(region: r, speed: 1, node: 8, costPerUnit: 3.0, costPerCubicFoot: 0.12))
        }
        options.sort { ($0.region, $0.speed, $0.unitCost(cube: 1)) < ($1.region, $1.speed, $1.unitCost(cube: 1)) }
        var profiles: [DemandProfile] = []
        for k in 0..<3 {
            var shares: [DemandShare] = []
            for r in 0..<6 {
                let weight = 1.0 + Double((r + k) % 3)
                shares.append(DemandShare(region: Int32(r), speed: 0, share: weight * 0.15))
                shares.append(DemandShare(region: Int32(r), speed: 1, share: weight * 0.45))
                shares.append(DemandShare(region: Int32(r), speed: 2, share: weight * 0.40))
            }
            let total = shares.reduce(0) { $0 + $1.share }
            profiles.append(DemandProfile(id: "profile\(k)", shares: shares.map { DemandShare(region: $0.region, speed: $0.speed, share: $0.share / total) }))
        }
        var curve = (0..<24).map { h in 0.5 + sin(Double(h) / 24 * Double.pi) }
        let curveTotal = curve.reduce(0, +)
        curve = curve.map { $0 / curveTotal }
        var products: [Product] = []
        var productVendors: [ProductVendor] = []
        for p in 0..<productCount {
            let fast = random.uniform() < 0.08
            let mean = fast ? random.uniform(20, 300) : exp(random.uniform(log(0.05), log(8)))
            let nonsortable = random.uniform() < 0.1
            let cost = exp(random.uniform(log(5), log(400)))
            let start = Int32(productVendors.count)
            let twoVendors = random.uniform() < 0.3
            productVendors.append(ProductVendor(vendor: 0, unitPrice: cost * 0.7, leadTimeMean: random.uniform(4, 14), leadTimeStd: random.uniform(0.5, 3)))
            if twoVendors {
                productVendors.append(ProductVendor(vendor: 1, unitPrice: cost * 0.66, leadTimeMean: random.uniform(8, 20), leadTimeStd: random.uniform(1, 5)))
            }
            products.append(
                Product(id: "SKU\(p)", category: Int32(p % 2), cube: nonsortable ? random.uniform(3, 12) : random.uniform(0.05, 1.5),
                        unitCost: cost, holdingRate: 0.25, sizeClass: nonsortable ? .nonsortable : .sortable,
                        demandMean: mean, demandVMR: random.uniform() < 0.5 ? 1 : random.uniform(1.2, 3),
                        profile: Int32(p % 3), vendors: start..<Int32(productVendors.count)))
        }
        return Scenario(
            name: "network", unmetDemand: unmet,
            costs: CostSettings(daysPerYear: 365, transferHandlingPerCubicFoot: 0.05, lostSalePenalty: 5),
            speeds: speeds, nodes: nodes, vendors: vendors, lanes: lanes, regions: regions, options: options,
            profiles: profiles, arrivalCurve: curve, categories: ["home", "toys"], products: products,
            productVendors: productVendors)
    }

    /// `network` without targets or capacities, for the repair tests to constrain.
    static func unconstrainedNetwork(products productCount: Int, seed: UInt64) -> Scenario {
        var scenario = network(products: productCount, seed: seed, targets: [0, 0, 0])
        for n in scenario.nodes.indices {
            scenario.nodes[n].storageCapacity = .infinity
            scenario.nodes[n].outboundCapacity = .infinity
            scenario.nodes[n].inboundCapacity = .infinity
        }
        return scenario
    }

    /// `unconstrainedNetwork` with fill-rate targets that allow 99.5 % of the misses its zero-price
    /// relaxation has: every target a little short.
    static func networkJustShortOfTargets(products productCount: Int, seed: UInt64) -> Scenario {
        var scenario = unconstrainedNetwork(products: productCount, seed: seed)
        let unpriced = InventoryProblem(model: PlanningModel(scenario: scenario), threads: 1)
        let misses = unpriced.relax(prices: [Double](repeating: 0, count: unpriced.limits.count)).use.suffix(scenario.speeds.count)
        for (s, missed) in zip(scenario.speeds.indices, misses) {
            scenario.speeds[s].targetFillRate = 1 - 0.995 * missed / unpriced.model.speedDemand[s]
        }
        return scenario
    }
}
