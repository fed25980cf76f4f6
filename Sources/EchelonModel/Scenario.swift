// The validated, indexed scenario: the one value every other module reads.
//
// Everything is addressed by array index (Int32 where arrays are large), never by dictionary lookup,
// because the planning core and the simulation walk these arrays millions of times. String ids are
// kept for reports and for the dashboard only.

/// The kind of a building; it decides which products it may hold and what it does in the network.
public enum NodeKind: String, CaseIterable, Sendable, Codable {
    /// Distribution centre: stocks, replenishes downstream nodes, may ship slow speeds.
    case dc = "DC"
    /// Sortable fulfilment centre.
    case fc = "FC"
    /// Non-sortable fulfilment centre: large items only.
    case nsfc = "NSFC"
    /// Small same-day site.
    case ssd = "SSD"
}

/// Whether a product goes through sortable buildings or needs a non-sortable one.
public enum SizeClass: String, CaseIterable, Sendable, Codable {
    case sortable
    case nonsortable

    /// The node kinds that may hold a product of this class.
    public var eligibleKinds: Set<NodeKind> {
        switch self {
        case .sortable: return [.dc, .fc, .ssd]
        case .nonsortable: return [.dc, .nsfc]
        }
    }
}

/// What happens to an order no node can serve, even after downgrading.
public enum UnmetDemandPolicy: String, Sendable, Codable {
    case lostSales = "lost_sales"
    case backorder = "backorder"
}

public struct GeoPoint: Sendable, Hashable, Codable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Great-circle distance in miles (haversine; the earth as a sphere is plenty for radii).
    public func miles(to other: GeoPoint) -> Double {
        let radius = 3958.8
        let toRadians = Double.pi / 180
        let dLat = (other.latitude - latitude) * toRadians
        let dLon = (other.longitude - longitude) * toRadians
        let a = pow(sin(dLat / 2), 2)
            + cos(latitude * toRadians) * cos(other.latitude * toRadians) * pow(sin(dLon / 2), 2)
        return 2 * radius * asin(min(1, a.squareRoot()))
    }
}

/// A building.
public struct Node: Sendable, Hashable {
    public var id: String
    public var kind: NodeKind
    public var country: String
    public var location: GeoPoint
    /// Cubic feet.
    public var storageCapacity: Double
    /// Units per day.
    public var outboundCapacity: Double
    /// Units per day.
    public var inboundCapacity: Double
    /// Multiplies every product's holding cost at this node (urban space is dear).
    public var holdingMultiplier: Double
    /// Order cut-off hour (0...24, local hours of the day) per speed index; 24 means no cut-off.
    public var cutoffHour: [Double]

    public init(
        id: String, kind: NodeKind, country: String, location: GeoPoint, storageCapacity: Double,
        outboundCapacity: Double, inboundCapacity: Double, holdingMultiplier: Double, cutoffHour: [Double]
    ) {
        self.id = id
        self.kind = kind
        self.country = country
        self.location = location
        self.storageCapacity = storageCapacity
        self.outboundCapacity = outboundCapacity
        self.inboundCapacity = inboundCapacity
        self.holdingMultiplier = holdingMultiplier
        self.cutoffHour = cutoffHour
    }
}

public struct Vendor: Sendable, Hashable {
    public var id: String
    public var country: String
    public var location: GeoPoint
    public init(id: String, country: String, location: GeoPoint) {
        self.id = id
        self.country = country
        self.location = location
    }
}

/// The source of a lane: a vendor or an upstream node.
public enum LaneSource: Sendable, Hashable {
    case vendor(Int)
    case node(Int)
}

/// A replenishment lane into a node.
public struct Lane: Sendable, Hashable {
    public var source: LaneSource
    /// Index of the receiving node.
    public var destination: Int
    /// Days.
    public var transitMean: Double
    /// Days.
    public var transitStd: Double
    /// Currency per cubic foot moved.
    public var costPerCubicFoot: Double
    public init(source: LaneSource, destination: Int, transitMean: Double, transitStd: Double, costPerCubicFoot: Double) {
        self.source = source
        self.destination = destination
        self.transitMean = transitMean
        self.transitStd = transitStd
        self.costPerCubicFoot = costPerCubicFoot
    }
}

/// A demand zone.
public struct Region: Sendable, Hashable {
    public var id: String
    public var country: String
    public var location: GeoPoint
    /// Relative weight (e.g. population); profiles may be derived from it.
    public var weight: Double
    public init(id: String, country: String, location: GeoPoint, weight: Double) {
        self.id = id
        self.country = country
        self.location = location
        self.weight = weight
    }
}

/// A delivery speed.
public struct Speed: Sendable, Hashable {
    public var id: String
    /// Hours from order to delivery.
    public var promiseHours: Double
    /// Network-wide target fill rate in (0, 1].
    public var targetFillRate: Double
    /// Currency per unit that misses this speed's promise (downgraded or lost).
    public var missPenalty: Double
    /// Radius in miles within which a node can keep this promise, when options are derived.
    public var radiusMiles: Double?
    public init(id: String, promiseHours: Double, targetFillRate: Double, missPenalty: Double, radiusMiles: Double? = nil) {
        self.id = id
        self.promiseHours = promiseHours
        self.targetFillRate = targetFillRate
        self.missPenalty = missPenalty
        self.radiusMiles = radiusMiles
    }
}

/// A node that can keep the promise of `speed` to `region`.
public struct FulfilmentOption: Sendable, Hashable {
    public var region: Int
    public var speed: Int
    public var node: Int
    /// Shipping cost per unit, before the per-cubic-foot part.
    public var costPerUnit: Double
    /// Shipping cost per cubic foot of the product shipped.
    public var costPerCubicFoot: Double
    public init(region: Int, speed: Int, node: Int, costPerUnit: Double, costPerCubicFoot: Double) {
        self.region = region
        self.speed = speed
        self.node = node
        self.costPerUnit = costPerUnit
        self.costPerCubicFoot = costPerCubicFoot
    }

    /// The cost of shipping one unit of a product of `cube` cubic feet.
    @inlinable public func unitCost(cube: Double) -> Double { costPerUnit + costPerCubicFoot * cube }
}

/// A product's supply from one vendor.
public struct ProductVendor: Sendable, Hashable {
    public var vendor: Int
    /// Currency per unit.
    public var unitPrice: Double
    /// Days.
    public var leadTimeMean: Double
    /// Days.
    public var leadTimeStd: Double
    public init(vendor: Int, unitPrice: Double, leadTimeMean: Double, leadTimeStd: Double) {
        self.vendor = vendor
        self.unitPrice = unitPrice
        self.leadTimeMean = leadTimeMean
        self.leadTimeStd = leadTimeStd
    }
}

/// One (region, speed) share of a product's demand.
public struct DemandShare: Sendable, Hashable {
    public var region: Int32
    public var speed: Int32
    public var share: Double
    public init(region: Int32, speed: Int32, share: Double) {
        self.region = region
        self.speed = speed
        self.share = share
    }
}

/// Shares of demand by (region, speed), summing to 1.
public struct DemandProfile: Sendable, Hashable {
    public var id: String
    public var shares: [DemandShare]
    public init(id: String, shares: [DemandShare]) {
        self.id = id
        self.shares = shares
    }
}

public struct Product: Sendable, Hashable {
    public var id: String
    /// Index into `Scenario.categories`.
    public var category: Int32
    /// Cubic feet per unit.
    public var cube: Double
    /// Currency per unit (the value held in stock).
    public var unitCost: Double
    /// Annual holding rate as a fraction of unit cost (0.25 = 25 % a year).
    public var holdingRate: Double
    public var sizeClass: SizeClass
    /// Units per day.
    public var demandMean: Double
    /// Variance-to-mean ratio of daily demand, ≥ 1 (1 = Poisson, > 1 negative binomial).
    public var demandVMR: Double
    /// Index into `Scenario.profiles`.
    public var profile: Int32
    /// Indices into `Scenario.productVendors`.
    public var vendors: Range<Int32>
    /// Indices into `Scenario.demandOverrides`; empty when the profile applies.
    public var overrides: Range<Int32>

    public init(
        id: String, category: Int32, cube: Double, unitCost: Double, holdingRate: Double, sizeClass: SizeClass,
        demandMean: Double, demandVMR: Double, profile: Int32, vendors: Range<Int32>, overrides: Range<Int32> = 0..<0
    ) {
        self.id = id
        self.category = category
        self.cube = cube
        self.unitCost = unitCost
        self.holdingRate = holdingRate
        self.sizeClass = sizeClass
        self.demandMean = demandMean
        self.demandVMR = demandVMR
        self.profile = profile
        self.vendors = vendors
        self.overrides = overrides
    }
}

/// Cost settings from the manifest.
public struct CostSettings: Sendable, Hashable {
    /// Days a year, to turn annual holding rates into daily ones.
    public var daysPerYear: Double
    /// Currency per cubic foot moved between nodes, added to the lane's own cost (handling).
    public var transferHandlingPerCubicFoot: Double
    /// Lost-sales penalty per unit beyond the slowest speed's miss penalty (lost margin).
    public var lostSalePenalty: Double
    public init(daysPerYear: Double = 365, transferHandlingPerCubicFoot: Double = 0, lostSalePenalty: Double = 0) {
        self.daysPerYear = daysPerYear
        self.transferHandlingPerCubicFoot = transferHandlingPerCubicFoot
        self.lostSalePenalty = lostSalePenalty
    }
}

/// A whole planning problem, validated and indexed.
public struct Scenario: Sendable {
    public var name: String
    public var currency: String
    /// The unit of every rate ("day").
    public var timeUnit: String
    public var unmetDemand: UnmetDemandPolicy
    public var costs: CostSettings
    /// Fastest first (ascending promise hours); downgrades go to the next index.
    public var speeds: [Speed]
    public var nodes: [Node]
    public var vendors: [Vendor]
    public var lanes: [Lane]
    public var regions: [Region]
    /// Sorted by (region, speed, unit cost of a one-cubic-foot product).
    public var options: [FulfilmentOption]
    public var profiles: [DemandProfile]
    /// Share of a day's orders arriving in each hour 0..<24; sums to 1.
    public var arrivalCurve: [Double]
    public var categories: [String]
    public var products: [Product]
    public var productVendors: [ProductVendor]
    public var demandOverrides: [DemandShare]
    /// Where the scenario was loaded from, for reports.
    public var sourcePath: String?

    public init(
        name: String, currency: String = "USD", timeUnit: String = "day", unmetDemand: UnmetDemandPolicy = .lostSales,
        costs: CostSettings = CostSettings(), speeds: [Speed], nodes: [Node], vendors: [Vendor], lanes: [Lane],
        regions: [Region], options: [FulfilmentOption], profiles: [DemandProfile], arrivalCurve: [Double],
        categories: [String], products: [Product], productVendors: [ProductVendor], demandOverrides: [DemandShare] = [],
        sourcePath: String? = nil
    ) {
        self.name = name
        self.currency = currency
        self.timeUnit = timeUnit
        self.unmetDemand = unmetDemand
        self.costs = costs
        self.speeds = speeds
        self.nodes = nodes
        self.vendors = vendors
        self.lanes = lanes
        self.regions = regions
        self.options = options
        self.profiles = profiles
        self.arrivalCurve = arrivalCurve
        self.categories = categories
        self.products = products
        self.productVendors = productVendors
        self.demandOverrides = demandOverrides
        self.sourcePath = sourcePath
    }

    /// The (region, speed) shares of a product's demand: its overrides if it has any, else its profile's.
    @inlinable public func demandShares(of product: Int) -> ArraySlice<DemandShare> {
        let p = products[product]
        if !p.overrides.isEmpty {
            return demandOverrides[Int(p.overrides.lowerBound)..<Int(p.overrides.upperBound)]
        }
        return profiles[Int(p.profile)].shares[...]
    }

    /// The vendors a product may be bought from.
    @inlinable public func vendorOptions(of product: Int) -> ArraySlice<ProductVendor> {
        let r = products[product].vendors
        return productVendors[Int(r.lowerBound)..<Int(r.upperBound)]
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
