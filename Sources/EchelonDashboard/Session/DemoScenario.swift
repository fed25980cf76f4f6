import EchelonModel
import Foundation

/// A small network built in code: for `--demo`, for tests, and until a scenario directory is given.
/// Deterministic: the same arguments give the same scenario.
public enum DemoScenario {
    public static func make(products productCount: Int = 120, seed: UInt64 = 7) -> Scenario {
        var random = SplitMix(seed: seed)
        let speeds = [
            Speed(id: "same_day", promiseHours: 12, targetFillRate: 0.85, missPenalty: 2.5, radiusMiles: 40),
            Speed(id: "one_day", promiseHours: 24, targetFillRate: 0.92, missPenalty: 1.5, radiusMiles: 250),
            Speed(id: "two_day", promiseHours: 48, targetFillRate: 0.97, missPenalty: 1.0, radiusMiles: 1200),
        ]
        func point(_ lat: Double, _ lon: Double) -> GeoPoint { GeoPoint(latitude: lat, longitude: lon) }
        let vendors = [
            Vendor(id: "V-ACME", country: "US", location: point(34.05, -118.24)),
            Vendor(id: "V-NORTH", country: "US", location: point(41.88, -87.63)),
        ]
        // (id, kind, lat, lon, storage ft³, outbound/day, inbound/day, holding multiplier)
        let specs: [(String, NodeKind, Double, Double, Double, Double, Double, Double)] = [
            ("DC-EAST", .dc, 40.2, -76.9, 5_500, 700, 800, 0.8),
            ("DC-WEST", .dc, 36.2, -115.1, 4_000, 500, 650, 0.8),
            ("FC-NYC", .fc, 40.7, -74.0, 900, 260, 350, 1.4),
            ("FC-BOS", .fc, 42.4, -71.1, 500, 120, 130, 1.3),
            ("FC-LAX", .fc, 34.0, -118.2, 700, 220, 300, 1.3),
            ("FC-SEA", .fc, 47.6, -122.3, 400, 100, 110, 1.2),
            ("NSFC-MID", .nsfc, 39.1, -94.6, 3_000, 80, 90, 0.9),
            ("SSD-MAN", .ssd, 40.78, -73.97, 80, 300, 340, 2.0),
            ("SSD-SFO", .ssd, 37.77, -122.42, 70, 120, 130, 2.0),
        ]
        let nodes = specs.map { s in
            Node(id: s.0, kind: s.1, country: "US", location: point(s.2, s.3), storageCapacity: s.4, outboundCapacity: s.5,
                 inboundCapacity: s.6, holdingMultiplier: s.7, cutoffHour: [12, 20, 22])
        }
        var lanes: [Lane] = [
            Lane(source: .vendor(0), destination: 1, transitMean: 3, transitStd: 1, costPerCubicFoot: 0.4),
            Lane(source: .vendor(1), destination: 0, transitMean: 4, transitStd: 1.5, costPerCubicFoot: 0.5),
        ]
        for (child, parent) in [(2, 0), (3, 0), (4, 1), (5, 1), (6, 0), (7, 2), (8, 4)] {
            lanes.append(Lane(source: .node(parent), destination: child, transitMean: child >= 7 ? 0.5 : 1.5, transitStd: 0.5, costPerCubicFoot: 0.2))
        }
        let regions = [
            Region(id: "NYC", country: "US", location: point(40.71, -74.0), weight: 8),
            Region(id: "BOSTON", country: "US", location: point(42.36, -71.06), weight: 3),
            Region(id: "LA", country: "US", location: point(34.05, -118.24), weight: 6),
            Region(id: "BAY", country: "US", location: point(37.77, -122.42), weight: 4),
            Region(id: "SEATTLE", country: "US", location: point(47.6, -122.3), weight: 2.5),
            Region(id: "MIDWEST", country: "US", location: point(39.1, -94.6), weight: 3),
        ]
        // Options derived from distance and each speed's radius, cheapest first.
        var options: [FulfilmentOption] = []
        for (r, region) in regions.enumerated() {
            for (s, speed) in speeds.enumerated() {
                var candidates: [FulfilmentOption] = []
                for (n, node) in nodes.enumerated() {
                    let miles = region.location.miles(to: node.location)
                    guard miles <= speed.radiusMiles! else { continue }
                    candidates.append(FulfilmentOption(region: r, speed: s, node: n, costPerUnit: 1.5 + miles / 400 - (node.kind == .ssd ? 0.8 : 0), costPerCubicFoot: 0.3 + miles / 2000))
                }
                options += candidates.sorted { $0.unitCost(cube: 1) < $1.unitCost(cube: 1) }
            }
        }
        let totalWeight = regions.reduce(0) { $0 + $1.weight }
        let speedMix = [0.2, 0.45, 0.35]
        var shares: [DemandShare] = []
        for (r, region) in regions.enumerated() {
            for s in speeds.indices { shares.append(DemandShare(region: Int32(r), speed: Int32(s), share: region.weight / totalWeight * speedMix[s])) }
        }
        let profiles = [DemandProfile(id: "national", shares: shares)]
        let categories = ["electronics", "home", "toys", "furniture"]
        var products: [Product] = []
        var productVendors: [ProductVendor] = []
        for p in 0..<productCount {
            let category = Int32(p % categories.count)
            let large = category == 3
            let first = Int32(productVendors.count)
            let price = 5 + random.next() * 95
            productVendors.append(ProductVendor(vendor: 0, unitPrice: price, leadTimeMean: 8 + random.next() * 6, leadTimeStd: 2))
            productVendors.append(ProductVendor(vendor: 1, unitPrice: price * (0.95 + random.next() * 0.15), leadTimeMean: 6 + random.next() * 8, leadTimeStd: 3))
            let demand = 0.3 + 30 * pow(random.next(), 3)
            products.append(Product(
                id: String(format: "SKU-%05d", p + 1), category: category, cube: large ? 4 + random.next() * 8 : 0.05 + random.next() * 0.6,
                unitCost: price, holdingRate: 0.25, sizeClass: large ? .nonsortable : .sortable, demandMean: demand,
                demandVMR: 1 + random.next() * 2, profile: 0, vendors: first..<first + 2))
        }
        return Scenario(
            name: "demo-us", speeds: speeds, nodes: nodes, vendors: vendors, lanes: lanes, regions: regions, options: options,
            profiles: profiles, arrivalCurve: Array(repeating: 1.0 / 24, count: 24), categories: categories, products: products,
            productVendors: productVendors, sourcePath: nil)
    }
}

/// A small deterministic generator (SplitMix64) so demo data never depends on the platform's RNG.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    /// Uniform in [0, 1).
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
