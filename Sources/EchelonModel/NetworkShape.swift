// The network the bundled sample and every generated scenario share: real US and Canadian logistics
// locations and the metro areas they serve. Coordinates are the places' centres; region weights are
// 2020 US census metropolitan (MSA) and 2021 Canadian census metropolitan (CMA) populations.

struct ShapeNode {
    let id: String
    let kind: NodeKind
    let country: String
    let latitude: Double
    let longitude: Double
    /// The node that replenishes this one; nil for vendor-fed DCs.
    let upstream: String?
    let holdingMultiplier: Double
    /// Cut-off hour per speed (same_day, one_day, two_day); 0 where the node does not ship that speed, 24 for none.
    let cutoffs: [Double]
}

struct ShapeVendor {
    let id: String
    let country: String
    let latitude: Double
    let longitude: Double
    /// Order-to-ship lead time, days: the vendor's typical mean and spread.
    let leadTimeMean: Double
    let leadTimeStd: Double
    /// Purchase price relative to the product's standard (landed) cost: imports are cheaper to buy.
    let priceFactor: Double
    /// True for ocean freight: long and variable transit, cheap per cubic foot.
    let overseas: Bool
}

struct ShapeRegion {
    let id: String
    let country: String
    let latitude: Double
    let longitude: Double
    let population: Double
}

struct ShapeSpeed {
    let speed: Speed
    let kinds: Set<NodeKind>
    let shippingMultiplier: Double
}

enum NetworkShape {
    static let name = "US and Canada network"

    static let speeds: [ShapeSpeed] = [
        ShapeSpeed(
            speed: Speed(id: "same_day", promiseHours: 12, targetFillRate: 0.85, missPenalty: 4.0, radiusMiles: 30),
            kinds: [.fc, .ssd], shippingMultiplier: 1.6),
        ShapeSpeed(
            speed: Speed(id: "one_day", promiseHours: 24, targetFillRate: 0.90, missPenalty: 3.0, radiusMiles: 250),
            kinds: [.fc, .nsfc], shippingMultiplier: 1.25),
        ShapeSpeed(
            speed: Speed(id: "two_day", promiseHours: 48, targetFillRate: 0.95, missPenalty: 2.5, radiusMiles: 900),
            kinds: [.dc, .fc, .nsfc], shippingMultiplier: 1.0),
    ]

    /// Outbound shipping cost as a function of distance, before the speed's multiplier.
    static let shipping = FulfilmentDerivation(
        costPerUnit: 2.50, costPerUnitPerMile: 0.003, costPerCubicFoot: 0.50, costPerCubicFootPerMile: 0.0015)

    static let costs = CostSettings(daysPerYear: 365, transferHandlingPerCubicFoot: 0.12, lostSalePenalty: 6.0)

    // Orders arriving after a node's cut-off cannot be served from it at that speed, so the cut-offs
    // bound the fill rate a speed can reach: 22:00 leaves 90.5 % of a day's orders (the arrival curve
    // below), 23:00 96 %. The targets sit under those bounds, so they are reachable, but only with
    // good availability at the nodes that take late orders.
    private static let dcCutoffs: [Double] = [0, 0, 24]
    private static let fcCutoffs: [Double] = [22, 23, 24]
    private static let nsfcCutoffs: [Double] = [0, 22, 24]
    private static let ssdCutoffs: [Double] = [22, 0, 0]

    static let nodes: [ShapeNode] = [
        // Distribution centres: fed by vendors, replenish the buildings below them, ship two-day.
        ShapeNode(id: "DC-ABE", kind: .dc, country: "US", latitude: 40.5370, longitude: -75.6330, upstream: nil, holdingMultiplier: 0.8, cutoffs: dcCutoffs),
        ShapeNode(id: "DC-MEM", kind: .dc, country: "US", latitude: 34.9618, longitude: -89.8295, upstream: nil, holdingMultiplier: 0.7, cutoffs: dcCutoffs),
        ShapeNode(id: "DC-ONT", kind: .dc, country: "US", latitude: 34.0633, longitude: -117.6509, upstream: nil, holdingMultiplier: 0.9, cutoffs: dcCutoffs),
        ShapeNode(id: "DC-YYZ", kind: .dc, country: "CA", latitude: 43.7315, longitude: -79.7624, upstream: nil, holdingMultiplier: 0.9, cutoffs: dcCutoffs),
        // Sortable fulfilment centres.
        ShapeNode(id: "FC-EWR", kind: .fc, country: "US", latitude: 40.5773, longitude: -74.2282, upstream: "DC-ABE", holdingMultiplier: 1.3, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-BOS", kind: .fc, country: "US", latitude: 41.7015, longitude: -71.1550, upstream: "DC-ABE", holdingMultiplier: 1.2, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-BWI", kind: .fc, country: "US", latitude: 39.2300, longitude: -76.6200, upstream: "DC-ABE", holdingMultiplier: 1.1, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-CMH", kind: .fc, country: "US", latitude: 39.9573, longitude: -82.6813, upstream: "DC-ABE", holdingMultiplier: 1.0, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-ATL", kind: .fc, country: "US", latitude: 33.5871, longitude: -84.5424, upstream: "DC-MEM", holdingMultiplier: 1.0, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-MIA", kind: .fc, country: "US", latitude: 25.9023, longitude: -80.2503, upstream: "DC-MEM", holdingMultiplier: 1.2, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-ORD", kind: .fc, country: "US", latitude: 41.5250, longitude: -88.0817, upstream: "DC-MEM", holdingMultiplier: 1.1, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-MSP", kind: .fc, country: "US", latitude: 44.7974, longitude: -93.5273, upstream: "DC-MEM", holdingMultiplier: 1.0, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-DFW", kind: .fc, country: "US", latitude: 32.9546, longitude: -97.0150, upstream: "DC-MEM", holdingMultiplier: 1.0, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-HOU", kind: .fc, country: "US", latitude: 29.7858, longitude: -95.8245, upstream: "DC-MEM", holdingMultiplier: 1.0, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-DEN", kind: .fc, country: "US", latitude: 39.8680, longitude: -104.9719, upstream: "DC-ONT", holdingMultiplier: 1.0, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-PHX", kind: .fc, country: "US", latitude: 33.4353, longitude: -112.3577, upstream: "DC-ONT", holdingMultiplier: 0.9, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-LAX", kind: .fc, country: "US", latitude: 34.1083, longitude: -117.2898, upstream: "DC-ONT", holdingMultiplier: 1.3, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-SFO", kind: .fc, country: "US", latitude: 37.7397, longitude: -121.4252, upstream: "DC-ONT", holdingMultiplier: 1.3, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-SEA", kind: .fc, country: "US", latitude: 47.3809, longitude: -122.2348, upstream: "DC-ONT", holdingMultiplier: 1.2, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-YVR", kind: .fc, country: "CA", latitude: 49.0847, longitude: -123.0586, upstream: "DC-YYZ", holdingMultiplier: 1.3, cutoffs: fcCutoffs),
        ShapeNode(id: "FC-YUL", kind: .fc, country: "CA", latitude: 45.4403, longitude: -73.6996, upstream: "DC-YYZ", holdingMultiplier: 1.1, cutoffs: fcCutoffs),
        // Non-sortable centres: furniture, appliances and other large items.
        ShapeNode(id: "NSFC-PA", kind: .nsfc, country: "US", latitude: 40.2015, longitude: -77.1889, upstream: "DC-ABE", holdingMultiplier: 0.8, cutoffs: nsfcCutoffs),
        ShapeNode(id: "NSFC-TX", kind: .nsfc, country: "US", latitude: 32.9746, longitude: -97.3478, upstream: "DC-MEM", holdingMultiplier: 0.8, cutoffs: nsfcCutoffs),
        ShapeNode(id: "NSFC-CA", kind: .nsfc, country: "US", latitude: 37.9577, longitude: -121.2908, upstream: "DC-ONT", holdingMultiplier: 0.9, cutoffs: nsfcCutoffs),
        // Same-day sites in dense metros, fed by the nearest fulfilment centre (Toronto's by the DC).
        ShapeNode(id: "SSD-NYC", kind: .ssd, country: "US", latitude: 40.7282, longitude: -73.7949, upstream: "FC-EWR", holdingMultiplier: 2.0, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-CHI", kind: .ssd, country: "US", latitude: 41.8781, longitude: -87.6298, upstream: "FC-ORD", holdingMultiplier: 1.7, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-LAX", kind: .ssd, country: "US", latitude: 34.0522, longitude: -118.2437, upstream: "FC-LAX", holdingMultiplier: 1.8, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-DAL", kind: .ssd, country: "US", latitude: 32.7767, longitude: -96.7970, upstream: "FC-DFW", holdingMultiplier: 1.5, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-ATL", kind: .ssd, country: "US", latitude: 33.7490, longitude: -84.3880, upstream: "FC-ATL", holdingMultiplier: 1.5, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-SEA", kind: .ssd, country: "US", latitude: 47.6062, longitude: -122.3321, upstream: "FC-SEA", holdingMultiplier: 1.7, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-SFO", kind: .ssd, country: "US", latitude: 37.7749, longitude: -122.4194, upstream: "FC-SFO", holdingMultiplier: 2.0, cutoffs: ssdCutoffs),
        ShapeNode(id: "SSD-YYZ", kind: .ssd, country: "CA", latitude: 43.6532, longitude: -79.3832, upstream: "DC-YYZ", holdingMultiplier: 1.8, cutoffs: ssdCutoffs),
    ]

    /// Nodes whose capacity is set below their estimated unconstrained use, so the solver must price
    /// them: (node, storage factor, outbound factor, inbound factor); 1.0 leaves that capacity to slack.
    static let tightNodes: [String: (storage: Double, outbound: Double, inbound: Double)] = [
        "FC-EWR": (0.70, 1.0, 1.0),
        "FC-LAX": (0.75, 1.0, 1.0),
        "SSD-NYC": (0.65, 0.85, 1.0),
        "NSFC-PA": (0.80, 1.0, 1.0),
        "FC-DFW": (1.0, 0.80, 1.0),
        "SSD-CHI": (1.0, 0.80, 1.0),
        "FC-ATL": (1.0, 1.0, 0.80),
        "FC-YUL": (0.80, 1.0, 1.0),
    ]

    static let vendors: [ShapeVendor] = [
        ShapeVendor(id: "V-SHENZHEN", country: "CN", latitude: 22.5431, longitude: 114.0579, leadTimeMean: 14, leadTimeStd: 4, priceFactor: 0.87, overseas: true),
        ShapeVendor(id: "V-NINGBO", country: "CN", latitude: 29.8683, longitude: 121.5440, leadTimeMean: 16, leadTimeStd: 5, priceFactor: 0.88, overseas: true),
        ShapeVendor(id: "V-HCMC", country: "VN", latitude: 10.8231, longitude: 106.6297, leadTimeMean: 18, leadTimeStd: 6, priceFactor: 0.85, overseas: true),
        ShapeVendor(id: "V-MONTERREY", country: "MX", latitude: 25.6866, longitude: -100.3161, leadTimeMean: 7, leadTimeStd: 2.5, priceFactor: 0.93, overseas: false),
        ShapeVendor(id: "V-COLUMBUS", country: "US", latitude: 39.9612, longitude: -82.9988, leadTimeMean: 4, leadTimeStd: 1.2, priceFactor: 1.0, overseas: false),
        ShapeVendor(id: "V-COMMERCE", country: "US", latitude: 34.0006, longitude: -118.1598, leadTimeMean: 3, leadTimeStd: 1.0, priceFactor: 1.02, overseas: false),
        ShapeVendor(id: "V-GREENSBORO", country: "US", latitude: 36.0726, longitude: -79.7920, leadTimeMean: 5, leadTimeStd: 1.5, priceFactor: 0.98, overseas: false),
        ShapeVendor(id: "V-MISSISSAUGA", country: "CA", latitude: 43.5890, longitude: -79.6441, leadTimeMean: 4, leadTimeStd: 1.0, priceFactor: 1.03, overseas: false),
    ]

    static let regions: [ShapeRegion] = [
        ShapeRegion(id: "New York", country: "US", latitude: 40.7128, longitude: -74.0060, population: 20_140_470),
        ShapeRegion(id: "Los Angeles", country: "US", latitude: 34.0522, longitude: -118.2437, population: 13_200_998),
        ShapeRegion(id: "Chicago", country: "US", latitude: 41.8781, longitude: -87.6298, population: 9_618_502),
        ShapeRegion(id: "Dallas-Fort Worth", country: "US", latitude: 32.7767, longitude: -96.7970, population: 7_637_387),
        ShapeRegion(id: "Houston", country: "US", latitude: 29.7604, longitude: -95.3698, population: 7_122_240),
        ShapeRegion(id: "Washington", country: "US", latitude: 38.9072, longitude: -77.0369, population: 6_385_162),
        ShapeRegion(id: "Philadelphia", country: "US", latitude: 39.9526, longitude: -75.1652, population: 6_245_051),
        ShapeRegion(id: "Miami", country: "US", latitude: 25.7617, longitude: -80.1918, population: 6_138_333),
        ShapeRegion(id: "Atlanta", country: "US", latitude: 33.7490, longitude: -84.3880, population: 6_089_815),
        ShapeRegion(id: "Boston", country: "US", latitude: 42.3601, longitude: -71.0589, population: 4_941_632),
        ShapeRegion(id: "Phoenix", country: "US", latitude: 33.4484, longitude: -112.0740, population: 4_845_832),
        ShapeRegion(id: "San Francisco", country: "US", latitude: 37.7749, longitude: -122.4194, population: 4_749_008),
        ShapeRegion(id: "Riverside", country: "US", latitude: 33.9806, longitude: -117.3755, population: 4_599_839),
        ShapeRegion(id: "Detroit", country: "US", latitude: 42.3314, longitude: -83.0458, population: 4_392_041),
        ShapeRegion(id: "Seattle", country: "US", latitude: 47.6062, longitude: -122.3321, population: 4_018_762),
        ShapeRegion(id: "Minneapolis", country: "US", latitude: 44.9778, longitude: -93.2650, population: 3_690_261),
        ShapeRegion(id: "San Diego", country: "US", latitude: 32.7157, longitude: -117.1611, population: 3_298_634),
        ShapeRegion(id: "Tampa", country: "US", latitude: 27.9506, longitude: -82.4572, population: 3_175_275),
        ShapeRegion(id: "Denver", country: "US", latitude: 39.7392, longitude: -104.9903, population: 2_963_821),
        ShapeRegion(id: "Baltimore", country: "US", latitude: 39.2904, longitude: -76.6122, population: 2_844_510),
        ShapeRegion(id: "St. Louis", country: "US", latitude: 38.6270, longitude: -90.1994, population: 2_820_253),
        ShapeRegion(id: "Orlando", country: "US", latitude: 28.5383, longitude: -81.3792, population: 2_673_376),
        ShapeRegion(id: "Charlotte", country: "US", latitude: 35.2271, longitude: -80.8431, population: 2_660_329),
        ShapeRegion(id: "San Antonio", country: "US", latitude: 29.4241, longitude: -98.4936, population: 2_558_143),
        ShapeRegion(id: "Portland", country: "US", latitude: 45.5152, longitude: -122.6784, population: 2_512_859),
        ShapeRegion(id: "Sacramento", country: "US", latitude: 38.5816, longitude: -121.4944, population: 2_397_382),
        ShapeRegion(id: "Pittsburgh", country: "US", latitude: 40.4406, longitude: -79.9959, population: 2_370_930),
        ShapeRegion(id: "Austin", country: "US", latitude: 30.2672, longitude: -97.7431, population: 2_283_371),
        ShapeRegion(id: "Las Vegas", country: "US", latitude: 36.1699, longitude: -115.1398, population: 2_265_461),
        ShapeRegion(id: "Cincinnati", country: "US", latitude: 39.1031, longitude: -84.5120, population: 2_256_884),
        ShapeRegion(id: "Kansas City", country: "US", latitude: 39.0997, longitude: -94.5786, population: 2_192_035),
        ShapeRegion(id: "Columbus", country: "US", latitude: 39.9612, longitude: -82.9988, population: 2_138_926),
        ShapeRegion(id: "Indianapolis", country: "US", latitude: 39.7684, longitude: -86.1581, population: 2_111_040),
        ShapeRegion(id: "Cleveland", country: "US", latitude: 41.4993, longitude: -81.6944, population: 2_088_251),
        ShapeRegion(id: "San Jose", country: "US", latitude: 37.3382, longitude: -121.8863, population: 2_000_468),
        ShapeRegion(id: "Nashville", country: "US", latitude: 36.1627, longitude: -86.7816, population: 1_989_519),
        ShapeRegion(id: "Virginia Beach", country: "US", latitude: 36.8529, longitude: -75.9780, population: 1_799_674),
        ShapeRegion(id: "Providence", country: "US", latitude: 41.8240, longitude: -71.4128, population: 1_676_579),
        ShapeRegion(id: "Jacksonville", country: "US", latitude: 30.3322, longitude: -81.6557, population: 1_605_848),
        ShapeRegion(id: "Milwaukee", country: "US", latitude: 43.0389, longitude: -87.9065, population: 1_574_731),
        ShapeRegion(id: "Oklahoma City", country: "US", latitude: 35.4676, longitude: -97.5164, population: 1_425_695),
        ShapeRegion(id: "Raleigh", country: "US", latitude: 35.7796, longitude: -78.6382, population: 1_413_982),
        ShapeRegion(id: "Memphis", country: "US", latitude: 35.1495, longitude: -90.0490, population: 1_337_779),
        ShapeRegion(id: "Richmond", country: "US", latitude: 37.5407, longitude: -77.4360, population: 1_314_434),
        ShapeRegion(id: "Louisville", country: "US", latitude: 38.2527, longitude: -85.7585, population: 1_285_439),
        ShapeRegion(id: "New Orleans", country: "US", latitude: 29.9511, longitude: -90.0715, population: 1_271_845),
        ShapeRegion(id: "Salt Lake City", country: "US", latitude: 40.7608, longitude: -111.8910, population: 1_257_936),
        ShapeRegion(id: "Buffalo", country: "US", latitude: 42.8864, longitude: -78.8784, population: 1_166_902),
        ShapeRegion(id: "Toronto", country: "CA", latitude: 43.6532, longitude: -79.3832, population: 6_202_225),
        ShapeRegion(id: "Montreal", country: "CA", latitude: 45.5017, longitude: -73.5673, population: 4_291_732),
        ShapeRegion(id: "Vancouver", country: "CA", latitude: 49.2827, longitude: -123.1207, population: 2_642_825),
        ShapeRegion(id: "Ottawa", country: "CA", latitude: 45.4215, longitude: -75.6972, population: 1_488_307),
        ShapeRegion(id: "Calgary", country: "CA", latitude: 51.0447, longitude: -114.0719, population: 1_481_806),
    ]

    /// Share of a day's orders by hour: quiet at night, a morning climb, a lunch and an evening peak.
    static let arrivalCurve: [Double] = [
        0.012, 0.007, 0.004, 0.003, 0.003, 0.005, 0.012, 0.025, 0.040, 0.052, 0.060, 0.064,
        0.066, 0.064, 0.060, 0.057, 0.055, 0.056, 0.060, 0.066, 0.070, 0.064, 0.055, 0.040,
    ]
}
