// Deterministic synthetic scenarios on the bundled network's shape (NetworkShape): the same nodes,
// regions, speeds, vendors and lanes, with products synthesised in believable categories and a long
// tail of demand. The bundled sample is `ScenarioGenerator.bundledSample`, written to
// sample-data/us-network; benchmarks make 10k to 1M products in memory.
//
// Capacities follow the products: each node's unconstrained use is estimated (base stock of
// lead-time demand + 1.5σ for the demand it would serve first, or replenish), and a few nodes get
// 60–85 % of it while the others keep slack, so every generated size has real prices to find.

public struct ScenarioGenerator: Sendable {
    public var productCount: Int
    public var seed: UInt64

    /// The bundled US sample: `sample-data/us-network` is this generator's output.
    public static let bundledSample = ScenarioGenerator(products: 2_500, seed: 20_261_125)

    public init(products: Int, seed: UInt64) {
        self.productCount = max(0, products)
        self.seed = seed
    }

    public func makeScenario() -> Scenario {
        let speeds = NetworkShape.speeds
        var nodeIndex: [String: Int] = [:]
        for (n, shape) in NetworkShape.nodes.enumerated() { nodeIndex[shape.id] = n }
        var nodes = NetworkShape.nodes.map { shape in
            Node(
                id: shape.id, kind: shape.kind, country: shape.country,
                location: GeoPoint(latitude: shape.latitude, longitude: shape.longitude), storageCapacity: 1,
                outboundCapacity: 1, inboundCapacity: 1, holdingMultiplier: shape.holdingMultiplier, cutoffHour: shape.cutoffs)
        }
        let vendors = NetworkShape.vendors.map {
            Vendor(id: $0.id, country: $0.country, location: GeoPoint(latitude: $0.latitude, longitude: $0.longitude))
        }
        let regions = NetworkShape.regions.map {
            Region(id: $0.id, country: $0.country, location: GeoPoint(latitude: $0.latitude, longitude: $0.longitude), weight: $0.population)
        }
        let lanes = Self.makeLanes(nodes: nodes, nodeIndex: nodeIndex)
        var options = FulfilmentDerivation.options(
            regions: regions, nodes: nodes, speeds: speeds.map { ($0.speed, $0.kinds, $0.shippingMultiplier) },
            derivation: NetworkShape.shipping)
        ScenarioGenerator.sortOptions(&options)

        let firstChoice = Self.firstChoices(options: options, nodes: nodes, regionCount: regions.count, speedCount: speeds.count)
        let profiles = Self.makeProfiles(regions: regions, speedCount: speeds.count, firstChoice: firstChoice)
        let profileIndex = Dictionary(uniqueKeysWithValues: profiles.enumerated().map { ($1.id, Int32($0)) })

        // Products.
        let categories = ProductCategory.all
        let categoryWeights = categories.map(\.weight)
        let totalCategoryWeight = categoryWeights.reduce(0, +)
        var products: [Product] = []
        products.reserveCapacity(productCount)
        var productVendors: [ProductVendor] = []
        productVendors.reserveCapacity(productCount + productCount / 2)
        var overrides: [DemandShare] = []
        let idWidth = max(6, String(productCount).count)
        let vendorIndex = Dictionary(uniqueKeysWithValues: NetworkShape.vendors.enumerated().map { ($1.id, $0) })
        let generalProfiles: [(String, Double)] = [
            ("national", 0.45), ("urban_fast", 0.15), ("economy", 0.15), ("sunbelt", 0.08), ("north", 0.08), ("us_only", 0.09),
        ]

        for p in 0..<productCount {
            var random = SplitMix64(seed: seed ^ (UInt64(p) &* 0x9E37_79B9_7F4A_7C15))
            // Category.
            var pick = random.uniform() * totalCategoryWeight
            var c = 0
            while c < categories.count - 1 && pick >= categoryWeights[c] {
                pick -= categoryWeights[c]
                c += 1
            }
            let category = categories[c]
            var cube = max(0.005, Self.round(category.cubeMedian * exp(category.cubeSigma * random.normal()), 3))
            let unitCost = max(0.5, Self.round(category.costMedian * exp(category.costSigma * random.normal()), 2))
            var sizeClass = SizeClass.sortable
            if cube > 15 || random.uniform() < category.nonsortableShare {
                sizeClass = .nonsortable
                cube = max(cube, Self.round(4 + 8 * random.uniform(), 3))
            }
            let holdingRate = Self.round(category.holdingRate + 0.03 * (random.uniform() * 2 - 1), 2)
            // A long tail: lognormal around 0.12 a day, so most products sell a few a month and a few sell
            // a hundred or more a day.
            let rawDemand = min(2_000, max(0.0005, 0.12 * category.demandScale * exp(1.85 * random.normal())))
            let demandMean = rawDemand < 1 ? max(0.0001, Self.round(rawDemand, 4)) : Self.round(rawDemand, 2)
            let spread = -log(max(1e-12, random.uniform())) * (demandMean >= 1 ? 0.9 : 0.25)
            let vmr = min(8, Self.round(1 + spread, 2))
            var profileName = "bulky"
            if sizeClass == .sortable {
                var draw = random.uniform()
                profileName = generalProfiles.last!.0
                for (name, share) in generalProfiles {
                    if draw < share {
                        profileName = name
                        break
                    }
                    draw -= share
                }
            }
            // Vendors: one primary; some products a second (often nearer and dearer), a few a third.
            let start = Int32(productVendors.count)
            var chosen: [Int] = [vendorIndex[category.primaryVendors[Int(random.uniform() * Double(category.primaryVendors.count))]]!]
            if random.uniform() < 0.35 {
                let second = vendorIndex[category.secondaryVendors[Int(random.uniform() * Double(category.secondaryVendors.count))]]!
                if !chosen.contains(second) { chosen.append(second) }
                if random.uniform() < 0.12 {
                    for id in category.primaryVendors where !chosen.contains(vendorIndex[id]!) {
                        chosen.append(vendorIndex[id]!)
                        break
                    }
                }
            }
            for v in chosen {
                let shape = NetworkShape.vendors[v]
                productVendors.append(
                    ProductVendor(
                        vendor: v, unitPrice: max(0.25, Self.round(unitCost * shape.priceFactor * (0.94 + 0.12 * random.uniform()), 2)),
                        leadTimeMean: Self.round(shape.leadTimeMean * (0.8 + 0.5 * random.uniform()), 1),
                        leadTimeStd: Self.round(shape.leadTimeStd * (0.8 + 0.5 * random.uniform()), 2)))
            }
            var overrideRange: Range<Int32> = 0..<0
            if sizeClass == .sortable && random.uniform() < 0.004 {
                // A regional product (a sports team's gear, a local brand): its own few regions.
                let shares = Self.regionalShares(random: &random, regions: regions, speedCount: speeds.count, firstChoice: firstChoice)
                if !shares.isEmpty {
                    let first = Int32(overrides.count)
                    overrides.append(contentsOf: shares)
                    overrideRange = first..<Int32(overrides.count)
                }
            }
            products.append(
                Product(
                    id: Self.productId(p + 1, width: idWidth), category: Int32(c), cube: cube, unitCost: unitCost,
                    holdingRate: holdingRate, sizeClass: sizeClass, demandMean: demandMean, demandVMR: vmr,
                    profile: profileIndex[profileName]!, vendors: start..<Int32(productVendors.count), overrides: overrideRange))
        }

        var scenario = Scenario(
            name: NetworkShape.name, currency: "USD", timeUnit: "day", unmetDemand: .lostSales, costs: NetworkShape.costs,
            speeds: speeds.map(\.speed), nodes: nodes, vendors: vendors, lanes: lanes, regions: regions, options: options,
            profiles: profiles, arrivalCurve: NetworkShape.arrivalCurve, categories: categories.map(\.name),
            products: products, productVendors: productVendors, demandOverrides: overrides)
        Self.setCapacities(&nodes, scenario: scenario, firstChoice: firstChoice)
        scenario.nodes = nodes
        return scenario
    }

    // MARK: Network

    static func makeLanes(nodes: [Node], nodeIndex: [String: Int]) -> [Lane] {
        var lanes: [Lane] = []
        let dcs = nodes.indices.filter { nodes[$0].kind == .dc }
        // A Pacific port near Los Angeles: ocean freight lands there and crosses the continent by rail.
        let port = GeoPoint(latitude: 33.7405, longitude: -118.2720)
        for (v, vendor) in NetworkShape.vendors.enumerated() {
            let location = GeoPoint(latitude: vendor.latitude, longitude: vendor.longitude)
            for d in dcs {
                let dc = nodes[d]
                let crossBorder = vendor.country != dc.country
                if !vendor.overseas && crossBorder && !(vendor.country == "MX" && dc.country == "US")
                    && !(vendor.country == "US" && dc.country == "CA") && !(vendor.country == "CA" && dc.id == "DC-ABE")
                {
                    continue
                }
                if vendor.country == "MX" && dc.country == "CA" { continue }
                let mean: Double, std: Double, cost: Double
                if vendor.overseas {
                    let inland = port.miles(to: dc.location)
                    mean = round(21 + inland / 400, 1)
                    std = round(4 + mean * 0.1, 2)
                    cost = round(0.30 + 0.0002 * inland, 2)
                } else {
                    let miles = location.miles(to: dc.location)
                    mean = round(1 + miles / 450 + (crossBorder ? 1.5 : 0), 1)
                    std = round(0.3 + 0.12 * mean + (crossBorder ? 0.8 : 0), 2)
                    cost = round(0.20 + 0.00045 * miles, 2)
                }
                lanes.append(Lane(source: .vendor(v), destination: d, transitMean: mean, transitStd: std, costPerCubicFoot: cost))
            }
        }
        for (n, shape) in NetworkShape.nodes.enumerated() {
            guard let upstreamId = shape.upstream, let u = nodeIndex[upstreamId] else { continue }
            let miles = nodes[u].location.miles(to: nodes[n].location)
            let mean = round(0.5 + miles / 450, 1)
            lanes.append(
                Lane(
                    source: .node(u), destination: n, transitMean: mean, transitStd: round(0.15 + 0.1 * mean, 2),
                    costPerCubicFoot: round(0.10 + 0.0005 * miles, 2)))
        }
        return lanes
    }

    /// The loader's order: (region, speed, cost of a one-cubic-foot unit, node).
    static func sortOptions(_ options: inout [FulfilmentOption]) {
        options.sort { a, b in
            if a.region != b.region { return a.region < b.region }
            if a.speed != b.speed { return a.speed < b.speed }
            let costA = a.unitCost(cube: 1), costB = b.unitCost(cube: 1)
            if costA != costB { return costA < costB }
            return a.node < b.node
        }
    }

    /// Per size class (sortable 0, non-sortable 1) and (region * speeds + speed): the cheapest node that may hold the class, or -1.
    static func firstChoices(options: [FulfilmentOption], nodes: [Node], regionCount: Int, speedCount: Int) -> [[Int]] {
        SizeClass.allCases.map { sizeClass in
            var choice = [Int](repeating: -1, count: regionCount * speedCount)
            for option in options where choice[option.region * speedCount + option.speed] < 0 {
                if sizeClass.eligibleKinds.contains(nodes[option.node].kind) {
                    choice[option.region * speedCount + option.speed] = option.node
                }
            }
            return choice
        }
    }

    // MARK: Demand

    static func makeProfiles(regions: [Region], speedCount: Int, firstChoice: [[Int]]) -> [DemandProfile] {
        let national: [Double] = [0.12, 0.38, 0.50]
        let specs: [(id: String, sizeClass: Int, mix: [Double], weight: (Region) -> Double)] = [
            ("national", 0, national, { $0.weight }),
            ("urban_fast", 0, [0.35, 0.45, 0.20], { pow($0.weight, 1.3) }),
            ("economy", 0, [0.0, 0.15, 0.85], { $0.weight }),
            ("sunbelt", 0, national, { $0.weight * ($0.location.latitude < 36.5 ? 3 : 1) }),
            ("north", 0, national, { $0.weight * ($0.location.latitude >= 40 ? 3 : 0.5) }),
            ("us_only", 0, national, { $0.country == "US" ? $0.weight : 0 }),
            ("bulky", 1, [0.0, 0.25, 0.75], { $0.weight }),
        ]
        return specs.map { spec in
            var raw: [(region: Int, speed: Int, value: Double)] = []
            for (r, region) in regions.enumerated() {
                let weight = spec.weight(region)
                for s in 0..<speedCount where spec.mix[s] > 0 && firstChoice[spec.sizeClass][r * speedCount + s] >= 0 {
                    raw.append((r, s, weight * spec.mix[s]))
                }
            }
            return DemandProfile(id: spec.id, shares: microShares(raw))
        }
    }

    /// Shares rounded to millionths that add up to exactly one million millionths, so that files read
    /// back to the same values (the remainder goes to the largest share).
    static func microShares(_ raw: [(region: Int, speed: Int, value: Double)]) -> [DemandShare] {
        let total = raw.reduce(0) { $0 + $1.value }
        guard total > 0 else { return [] }
        var micro = raw.map { Int(($0.value / total * 1_000_000).rounded()) }
        if let largest = micro.indices.max(by: { micro[$0] < micro[$1] }) {
            micro[largest] += 1_000_000 - micro.reduce(0, +)
        }
        var shares: [DemandShare] = []
        for (k, entry) in raw.enumerated() where micro[k] > 0 {
            shares.append(DemandShare(region: Int32(entry.region), speed: Int32(entry.speed), share: Double(micro[k]) / 1_000_000))
        }
        return shares
    }

    static func regionalShares(random: inout SplitMix64, regions: [Region], speedCount: Int, firstChoice: [[Int]]) -> [DemandShare] {
        let count = 2 + Int(random.uniform() * 4)
        var picked: [Int] = []
        while picked.count < count {
            let r = Int(random.uniform() * Double(regions.count))
            if !picked.contains(r) { picked.append(r) }
        }
        picked.sort()
        let mix: [Double] = [0.12, 0.38, 0.50]
        var raw: [(region: Int, speed: Int, value: Double)] = []
        for r in picked {
            let weight = 0.2 + random.uniform()
            for s in 0..<speedCount where firstChoice[0][r * speedCount + s] >= 0 {
                raw.append((r, s, weight * mix[min(s, mix.count - 1)]))
            }
        }
        return microShares(raw)
    }

    // MARK: Capacities

    /// Sets capacities from each node's estimated unconstrained use: tight nodes below it, the others above.
    static func setCapacities(_ nodes: inout [Node], scenario: Scenario, firstChoice: [[Int]]) {
        let use = estimatedUse(scenario: scenario, firstChoice: firstChoice)
        for n in nodes.indices {
            let factors = capacityFactors(nodeId: nodes[n].id)
            // Tight storage is cut from the lean estimate (only products worth stocking there), slack
            // storage sized from the generous one (every product), so that tight stays tight and slack
            // stays slack whichever estimate is nearer the solver's plan.
            let tightStorage = (NetworkShape.tightNodes[nodes[n].id]?.storage ?? 1) < 1
            // A node nothing flows through still gets a small capacity (zero would mean closed).
            func capacity(_ use: Double, _ factor: Double, minimum: Double) -> Double {
                use > 0 ? max(1, (use * factor).rounded()) : minimum
            }
            nodes[n].storageCapacity = capacity(tightStorage ? use.leanStorage[n] : use.storage[n], factors.storage, minimum: 100)
            nodes[n].outboundCapacity = capacity(use.outbound[n], factors.outbound, minimum: 20)
            nodes[n].inboundCapacity = capacity(use.inbound[n], factors.inbound, minimum: 20)
        }
    }

    /// Capacity over estimated use: the shape's factor for tight capacities, otherwise 1.4–2.2 varied
    /// by a hash of the id so that slack buildings differ.
    static func capacityFactors(nodeId: String) -> (storage: Double, outbound: Double, inbound: Double) {
        var hash: UInt64 = 1469598103934665603
        for byte in nodeId.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        let slack = 1.4 + 0.8 * Double(hash % 1000) / 1000
        let tight = NetworkShape.tightNodes[nodeId] ?? (1, 1, 1)
        return (tight.storage < 1 ? tight.storage : slack, tight.outbound < 1 ? tight.outbound : slack,
                tight.inbound < 1 ? tight.inbound : slack)
    }

    /// Per node, the storage (cubic feet), outbound and inbound (units a day) an unconstrained plan
    /// would use: every product stocked at base stock = lead-time demand + 1.5σ wherever it is the
    /// first choice or replenishes one, on hand = base stock − lead-time demand. `leanStorage` leaves
    /// out, below the DCs, products that cost more to hold than the penalties they would save.
    static func estimatedUse(
        scenario: Scenario, firstChoice: [[Int]]
    ) -> (storage: [Double], leanStorage: [Double], outbound: [Double], inbound: [Double]) {
        let nodes = scenario.nodes
        let nodeCount = nodes.count
        let speedCount = scenario.speeds.count
        // Upstream node per node, and each node's inbound lane from it (or from each vendor).
        var upstream = [Int](repeating: -1, count: nodeCount)
        var transitMean = [Double](repeating: 0, count: nodeCount)
        var transitVariance = [Double](repeating: 0, count: nodeCount)
        var vendorTransit = [[Int: (mean: Double, variance: Double)]](repeating: [:], count: nodeCount)
        for lane in scenario.lanes {
            switch lane.source {
            case .node(let u):
                upstream[lane.destination] = u
                transitMean[lane.destination] = lane.transitMean
                transitVariance[lane.destination] = lane.transitStd * lane.transitStd
            case .vendor(let v):
                vendorTransit[lane.destination][v] = (lane.transitMean, lane.transitStd * lane.transitStd)
            }
        }
        // Children before parents, so that flows can be accumulated upwards.
        let order = ScenarioIndex(scenario).topologicalOrder.reversed()

        // Per (class, demand shares): the fraction of a product's demand each node ships (direct) and receives (through).
        func fractions(_ shares: ArraySlice<DemandShare>, sizeClass: Int) -> (direct: [Double], through: [Double]) {
            var direct = [Double](repeating: 0, count: nodeCount)
            for share in shares {
                let n = firstChoice[sizeClass][Int(share.region) * speedCount + Int(share.speed)]
                if n >= 0 { direct[n] += share.share }
            }
            var through = direct
            for n in order where upstream[n] >= 0 { through[upstream[n]] += through[n] }
            return (direct, through)
        }
        let profileFractions: [[(direct: [Double], through: [Double])]] = SizeClass.allCases.indices.map { c in
            scenario.profiles.map { fractions($0.shares[...], sizeClass: c) }
        }

        var storage = [Double](repeating: 0, count: nodeCount)
        var leanStorage = [Double](repeating: 0, count: nodeCount)
        var outbound = [Double](repeating: 0, count: nodeCount)
        var inbound = [Double](repeating: 0, count: nodeCount)
        for p in scenario.products.indices {
            let product = scenario.products[p]
            let c = product.sizeClass == .sortable ? 0 : 1
            let flows =
                product.overrides.isEmpty
                ? profileFractions[c][Int(product.profile)]
                : fractions(scenario.demandShares(of: p), sizeClass: c)
            let vendor = scenario.productVendors[Int(product.vendors.lowerBound)]
            let mu = product.demandMean, vmr = product.demandVMR
            for n in 0..<nodeCount {
                let share = flows.through[n]
                guard share > 0 else { continue }
                let lambda = mu * share
                var leadMean: Double, leadVariance: Double
                if upstream[n] < 0 {
                    let lane = vendorTransit[n][vendor.vendor] ?? (0, 0)
                    leadMean = vendor.leadTimeMean + lane.mean
                    leadVariance = vendor.leadTimeStd * vendor.leadTimeStd + lane.variance
                } else {
                    // Transit plus about a day of waiting at the upstream node.
                    leadMean = transitMean[n] + 1
                    leadVariance = transitVariance[n] + 0.25
                }
                let sigma = (lambda * vmr * leadMean + lambda * lambda * leadVariance).squareRoot()
                let baseStock = (lambda * leadMean + 1.5 * sigma).rounded(.up)
                let onHand = max(0, baseStock - lambda * leadMean)
                storage[n] += product.cube * onHand
                // Below a DC, a product worth less in missed-promise penalties than it costs to hold is
                // not stocked by a lean plan.
                let holdingPerDay =
                    product.unitCost * product.holdingRate / scenario.costs.daysPerYear * nodes[n].holdingMultiplier * onHand
                if upstream[n] < 0 || lambda * 2.5 >= holdingPerDay {
                    leanStorage[n] += product.cube * onHand
                }
                inbound[n] += lambda
                outbound[n] += mu * flows.direct[n]
            }
        }
        return (storage, leanStorage, outbound, inbound)
    }

    // MARK: Helpers

    static func round(_ value: Double, _ decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }

    /// "P000042": fixed width so ids sort like their numbers.
    static func productId(_ number: Int, width: Int) -> String {
        var digits = [UInt8](repeating: 0x30, count: width + 1)
        digits[0] = 0x50  // "P"
        var value = number
        var k = width
        while value > 0 && k > 0 {
            digits[k] = UInt8(0x30 + value % 10)
            value /= 10
            k -= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

/// A product category and the shape of its products.
struct ProductCategory {
    let name: String
    /// Relative share of products.
    let weight: Double
    /// Cubic feet: median and lognormal spread.
    let cubeMedian: Double
    let cubeSigma: Double
    /// Standard cost: median and lognormal spread.
    let costMedian: Double
    let costSigma: Double
    /// Share of products needing a non-sortable building (beyond those too big for sortation).
    let nonsortableShare: Double
    /// Annual holding rate.
    let holdingRate: Double
    /// Multiplies the demand of the category's products.
    let demandScale: Double
    let primaryVendors: [String]
    let secondaryVendors: [String]

    static let all: [ProductCategory] = [
        ProductCategory(name: "Books", weight: 12, cubeMedian: 0.05, cubeSigma: 0.4, costMedian: 12, costSigma: 0.5, nonsortableShare: 0, holdingRate: 0.18, demandScale: 0.8, primaryVendors: ["V-COLUMBUS", "V-GREENSBORO"], secondaryVendors: ["V-MISSISSAUGA"]),
        ProductCategory(name: "Electronics accessories", weight: 12, cubeMedian: 0.08, cubeSigma: 0.6, costMedian: 18, costSigma: 0.6, nonsortableShare: 0, holdingRate: 0.28, demandScale: 1.5, primaryVendors: ["V-SHENZHEN", "V-NINGBO"], secondaryVendors: ["V-COMMERCE"]),
        ProductCategory(name: "Consumer electronics", weight: 6, cubeMedian: 0.6, cubeSigma: 0.8, costMedian: 140, costSigma: 0.8, nonsortableShare: 0.02, holdingRate: 0.32, demandScale: 0.8, primaryVendors: ["V-SHENZHEN"], secondaryVendors: ["V-MONTERREY"]),
        ProductCategory(name: "Kitchen", weight: 9, cubeMedian: 0.8, cubeSigma: 0.7, costMedian: 35, costSigma: 0.6, nonsortableShare: 0.03, holdingRate: 0.24, demandScale: 1.0, primaryVendors: ["V-NINGBO", "V-COLUMBUS"], secondaryVendors: ["V-MONTERREY"]),
        ProductCategory(name: "Home decor", weight: 8, cubeMedian: 1.2, cubeSigma: 0.7, costMedian: 28, costSigma: 0.6, nonsortableShare: 0.05, holdingRate: 0.24, demandScale: 0.7, primaryVendors: ["V-HCMC", "V-NINGBO"], secondaryVendors: ["V-GREENSBORO"]),
        ProductCategory(name: "Toys and games", weight: 8, cubeMedian: 0.7, cubeSigma: 0.7, costMedian: 22, costSigma: 0.6, nonsortableShare: 0.01, holdingRate: 0.26, demandScale: 1.0, primaryVendors: ["V-SHENZHEN", "V-NINGBO"], secondaryVendors: ["V-COMMERCE"]),
        ProductCategory(name: "Apparel", weight: 10, cubeMedian: 0.12, cubeSigma: 0.5, costMedian: 25, costSigma: 0.5, nonsortableShare: 0, holdingRate: 0.35, demandScale: 0.9, primaryVendors: ["V-HCMC"], secondaryVendors: ["V-MONTERREY"]),
        ProductCategory(name: "Beauty and personal care", weight: 8, cubeMedian: 0.04, cubeSigma: 0.5, costMedian: 14, costSigma: 0.6, nonsortableShare: 0, holdingRate: 0.22, demandScale: 1.4, primaryVendors: ["V-COMMERCE", "V-COLUMBUS"], secondaryVendors: ["V-MISSISSAUGA"]),
        ProductCategory(name: "Grocery and household", weight: 8, cubeMedian: 0.25, cubeSigma: 0.6, costMedian: 9, costSigma: 0.5, nonsortableShare: 0, holdingRate: 0.20, demandScale: 3.0, primaryVendors: ["V-COLUMBUS", "V-COMMERCE", "V-GREENSBORO"], secondaryVendors: ["V-MONTERREY"]),
        ProductCategory(name: "Sports and outdoors", weight: 6, cubeMedian: 1.0, cubeSigma: 0.8, costMedian: 40, costSigma: 0.7, nonsortableShare: 0.08, holdingRate: 0.25, demandScale: 0.7, primaryVendors: ["V-HCMC", "V-NINGBO"], secondaryVendors: ["V-COLUMBUS"]),
        ProductCategory(name: "Tools and home improvement", weight: 6, cubeMedian: 0.9, cubeSigma: 0.8, costMedian: 45, costSigma: 0.7, nonsortableShare: 0.06, holdingRate: 0.22, demandScale: 0.8, primaryVendors: ["V-NINGBO", "V-MONTERREY"], secondaryVendors: ["V-COLUMBUS"]),
        ProductCategory(name: "Furniture", weight: 4, cubeMedian: 18, cubeSigma: 0.6, costMedian: 320, costSigma: 0.6, nonsortableShare: 0.85, holdingRate: 0.28, demandScale: 0.3, primaryVendors: ["V-HCMC", "V-GREENSBORO"], secondaryVendors: ["V-MONTERREY"]),
        ProductCategory(name: "Large appliances", weight: 2, cubeMedian: 28, cubeSigma: 0.4, costMedian: 650, costSigma: 0.5, nonsortableShare: 1, holdingRate: 0.26, demandScale: 0.3, primaryVendors: ["V-MONTERREY", "V-NINGBO"], secondaryVendors: ["V-COLUMBUS"]),
        ProductCategory(name: "Pet supplies", weight: 5, cubeMedian: 1.1, cubeSigma: 0.7, costMedian: 30, costSigma: 0.6, nonsortableShare: 0.05, holdingRate: 0.22, demandScale: 1.2, primaryVendors: ["V-COLUMBUS", "V-COMMERCE"], secondaryVendors: ["V-NINGBO"]),
    ]
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same scenario on every platform.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller, one value per call).
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
