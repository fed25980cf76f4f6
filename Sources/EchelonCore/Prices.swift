// The prices of the shared constraints (DESIGN §5): what one unit of each capacity costs a product.

/// Lagrange multipliers of the shared constraints.
public struct Prices: Sendable, Hashable {
    /// Per node, currency per cubic foot-day of expected on hand.
    public var storage: [Double]
    /// Per node, currency per unit shipped to customers.
    public var outbound: [Double]
    /// Per node, currency per unit received.
    public var inbound: [Double]
    /// Per speed, currency per unit that misses the promise.
    public var service: [Double]

    public init(nodeCount: Int, speedCount: Int) {
        storage = [Double](repeating: 0, count: nodeCount)
        outbound = storage
        inbound = storage
        service = [Double](repeating: 0, count: speedCount)
    }

    public init(storage: [Double], outbound: [Double], inbound: [Double], service: [Double]) {
        self.storage = storage
        self.outbound = outbound
        self.inbound = inbound
        self.service = service
    }

    /// Resource layout used by the master: storage, outbound, inbound per node, then service per speed.
    var flattened: [Double] { storage + outbound + inbound + service }

    init(flattened values: [Double], nodeCount: Int, speedCount: Int) {
        storage = Array(values[0..<nodeCount])
        outbound = Array(values[nodeCount..<2 * nodeCount])
        inbound = Array(values[2 * nodeCount..<3 * nodeCount])
        service = Array(values[3 * nodeCount..<3 * nodeCount + speedCount])
    }
}
