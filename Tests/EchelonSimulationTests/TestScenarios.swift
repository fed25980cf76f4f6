// Small networks built in code, with known answers.
import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum TestScenarios {
    static let here = GeoPoint(latitude: 40, longitude: -75)
    static let uniformCurve = [Double](repeating: 1.0 / 24, count: 24)

    static func node(_ id: String, _ kind: NodeKind, cutoffs: [Double], capacity: Double = 1e12) -> Node {
        Node(
            id: id, kind: kind, country: "US", location: here, storageCapacity: capacity, outboundCapacity: capacity,
            inboundCapacity: capacity, holdingMultiplier: 1, cutoffHour: cutoffs)
    }

    static func product(_ id: String, mean: Double, vmr: Double = 1, vendors: Range<Int32>, profile: Int32 = 0) -> Product {
        Product(
            id: id, category: 0, cube: 1, unitCost: 10, holdingRate: 0.365, sizeClass: .sortable, demandMean: mean,
            demandVMR: vmr, profile: profile, vendors: vendors)
    }

    /// One vendor → one node, one region, one speed: a single base-stock installation with a fixed
    /// lead time of `leadDays`.
    static func singleNode(mean: Double, leadDays: Double, policy: UnmetDemandPolicy) -> Scenario {
        Scenario(
            name: "single", unmetDemand: policy,
            costs: CostSettings(daysPerYear: 365, transferHandlingPerCubicFoot: 0, lostSalePenalty: 5),
            speeds: [Speed(id: "two_day", promiseHours: 48, targetFillRate: 0.9, missPenalty: 2)],
            nodes: [node("FC1", .fc, cutoffs: [24])],
            vendors: [Vendor(id: "V1", country: "US", location: here)],
            lanes: [Lane(source: .vendor(0), destination: 0, transitMean: leadDays, transitStd: 0, costPerCubicFoot: 0.5)],
            regions: [Region(id: "R1", country: "US", location: here, weight: 1)],
            options: [FulfilmentOption(region: 0, speed: 0, node: 0, costPerUnit: 3, costPerCubicFoot: 0)],
            profiles: [DemandProfile(id: "all", shares: [DemandShare(region: 0, speed: 0, share: 1)])],
            arrivalCurve: uniformCurve, categories: ["c"],
            products: [product("P1", mean: mean, vendors: 0..<1)],
            productVendors: [ProductVendor(vendor: 0, unitPrice: 7, leadTimeMean: 0, leadTimeStd: 0)])
    }

    /// Vendor → DC → two FCs, each FC the only option of its region. Backorders, so every demand at an
    /// FC becomes a request at the DC and the DC sees Poisson demand of rate mean1 + mean2.
    static func twoEchelon(mean1: Double, mean2: Double, vendorDays: Double, transitDays: Double) -> Scenario {
        Scenario(
            name: "metric", unmetDemand: .backorder,
            speeds: [Speed(id: "two_day", promiseHours: 48, targetFillRate: 0.9, missPenalty: 2)],
            nodes: [node("DC1", .dc, cutoffs: [24]), node("FC1", .fc, cutoffs: [24]), node("FC2", .fc, cutoffs: [24])],
            vendors: [Vendor(id: "V1", country: "US", location: here)],
            lanes: [
                Lane(source: .vendor(0), destination: 0, transitMean: 0, transitStd: 0, costPerCubicFoot: 0.5),
                Lane(source: .node(0), destination: 1, transitMean: transitDays, transitStd: 0, costPerCubicFoot: 0.2),
                Lane(source: .node(0), destination: 2, transitMean: transitDays, transitStd: 0, costPerCubicFoot: 0.2),
            ],
            regions: [
                Region(id: "R1", country: "US", location: here, weight: 1),
                Region(id: "R2", country: "US", location: here, weight: 1),
            ],
            options: [
                FulfilmentOption(region: 0, speed: 0, node: 1, costPerUnit: 3, costPerCubicFoot: 0),
                FulfilmentOption(region: 1, speed: 0, node: 2, costPerUnit: 3, costPerCubicFoot: 0),
            ],
            profiles: [
                DemandProfile(
                    id: "split",
                    shares: [
                        DemandShare(region: 0, speed: 0, share: mean1 / (mean1 + mean2)),
                        DemandShare(region: 1, speed: 0, share: mean2 / (mean1 + mean2)),
                    ])
            ],
            arrivalCurve: uniformCurve, categories: ["c"],
            products: [product("P1", mean: mean1 + mean2, vendors: 0..<1)],
            productVendors: [ProductVendor(vendor: 0, unitPrice: 7, leadTimeMean: vendorDays, leadTimeStd: 0)])
    }

    /// One node, two speeds; the node stops taking same-day orders at `sameDayCutoff`.
    static func cutoff(sameDayCutoff: Double) -> Scenario {
        Scenario(
            name: "cutoff", unmetDemand: .lostSales,
            speeds: [
                Speed(id: "same_day", promiseHours: 12, targetFillRate: 0.5, missPenalty: 4),
                Speed(id: "one_day", promiseHours: 24, targetFillRate: 0.9, missPenalty: 2),
            ],
            nodes: [node("SSD1", .ssd, cutoffs: [sameDayCutoff, 24])],
            vendors: [Vendor(id: "V1", country: "US", location: here)],
            lanes: [Lane(source: .vendor(0), destination: 0, transitMean: 1, transitStd: 0, costPerCubicFoot: 0)],
            regions: [Region(id: "R1", country: "US", location: here, weight: 1)],
            options: [
                FulfilmentOption(region: 0, speed: 0, node: 0, costPerUnit: 5, costPerCubicFoot: 0),
                FulfilmentOption(region: 0, speed: 1, node: 0, costPerUnit: 2, costPerCubicFoot: 0),
            ],
            profiles: [DemandProfile(id: "sd", shares: [DemandShare(region: 0, speed: 0, share: 1)])],
            arrivalCurve: uniformCurve, categories: ["c"],
            products: [product("P1", mean: 10, vendors: 0..<1)],
            productVendors: [ProductVendor(vendor: 0, unitPrice: 7, leadTimeMean: 0, leadTimeStd: 0)])
    }

    static func plan(_ scenario: Scenario, baseStock: [(node: Int, stock: Int32)]) -> Plan {
        Plan(
            vendorChoice: [0],
            positions: baseStock.map { PlanPosition(product: 0, node: Int32($0.node), baseStock: $0.stock) })
    }
}

/// Closed forms for a single base-stock installation with Poisson demand and a fixed lead time.
enum ClosedForm {
    static func poissonPMF(_ k: Int, _ mean: Double) -> Double {
        exp(Double(k) * log(mean) - mean - lgamma(Double(k) + 1))
    }

    /// Backorders: outstanding orders are Poisson(mean) (M/D/∞), so an order is filled at once when
    /// fewer than S are outstanding.
    static func backorderFillRate(baseStock s: Int, leadDemand mean: Double) -> Double {
        (0..<s).reduce(0) { $0 + poissonPMF($1, mean) }
    }

    static func backorderOnHand(baseStock s: Int, leadDemand mean: Double) -> Double {
        (0..<s).reduce(0) { $0 + Double(s - $1) * poissonPMF($1, mean) }
    }

    /// Expected backorders beyond S: METRIC's EBO.
    static func expectedBackorders(baseStock s: Int, leadDemand mean: Double) -> Double {
        // E[(N − S)+] = E[N] − S + E[(S − N)+].
        mean - Double(s) + backorderOnHand(baseStock: s, leadDemand: mean)
    }

    /// Lost sales: outstanding orders form an Erlang loss system M/G/S/S.
    static func erlangB(servers s: Int, load: Double) -> Double {
        var b = 1.0
        for k in stride(from: 1, through: s, by: 1) { b = load * b / (Double(k) + load * b) }
        return b
    }
}
