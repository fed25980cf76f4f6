// A plan: what the solver decides and what the simulation plays. Written and read as `plan.csv`
// (see docs/scenario-format.md, "Plan files").

/// One product's stock target at one node, with what the model expects of it.
public struct PlanPosition: Sendable, Hashable {
    public var product: Int32
    public var node: Int32
    public var baseStock: Int32
    /// Units, in the model.
    public var expectedOnHand: Double
    /// Units per day shipped to customers from this node, in the model.
    public var outboundPerDay: Double
    /// Units per day received by this node, in the model.
    public var inboundPerDay: Double
    /// Probability an order finds stock here (A[p,n]), in the model.
    public var fillRate: Double

    public init(
        product: Int32, node: Int32, baseStock: Int32, expectedOnHand: Double = 0, outboundPerDay: Double = 0,
        inboundPerDay: Double = 0, fillRate: Double = 0
    ) {
        self.product = product
        self.node = node
        self.baseStock = baseStock
        self.expectedOnHand = expectedOnHand
        self.outboundPerDay = outboundPerDay
        self.inboundPerDay = inboundPerDay
        self.fillRate = fillRate
    }
}

/// Buying and placement for every product of a scenario.
public struct Plan: Sendable, Hashable {
    /// Per product: index into `Scenario.productVendors` of the vendor it is bought from.
    public var vendorChoice: [Int32]
    /// Positions grouped by product in ascending product order; nodes with base stock 0 may be omitted.
    public var positions: [PlanPosition]

    public init(vendorChoice: [Int32], positions: [PlanPosition]) {
        self.vendorChoice = vendorChoice
        self.positions = positions
    }
}
