// What a simulation tells a planner: realised service per speed with confidence intervals, the cost
// terms, capacity use per node, and how far the planning model's predictions were from what happened.

import EchelonModel

public struct SpeedReport: Sendable, Codable {
    public var speed: String
    public var targetFillRate: Double
    /// The model's fill rate from `service.csv`, when the plan has one.
    public var plannedFillRate: Double?
    /// Share of the speed's orders served within the promise.
    public var fillRate: Estimate
    /// Share served at a slower speed, and share lost (or backordered).
    public var downgradedShare: Estimate
    public var unservedShare: Estimate
    /// Units ordered per day.
    public var demandPerDay: Double
    /// Planned minus simulated, in percentage points.
    public var modelErrorPoints: Double?
}

public struct CostReport: Sendable, Codable {
    public var term: String
    /// Currency per day.
    public var perDay: Estimate
}

public struct NodeReport: Sendable, Codable {
    public var node: String
    public var kind: String
    /// Cubic feet held, daily means; p95 over every measured day of every replication.
    public var storageMean: Double
    public var storageP95: Double
    public var storageCapacity: Double
    public var outboundMean: Double
    public var outboundP95: Double
    public var outboundCapacity: Double
    public var inboundMean: Double
    public var inboundP95: Double
    public var inboundCapacity: Double
    /// Days over each capacity, per replication (mean).
    public var storageDaysOver: Double
    public var outboundDaysOver: Double
    public var inboundDaysOver: Double
    /// Unit-days of work or receipts that waited for capacity, per replication (mean).
    public var outboundDelayedUnitDays: Double
    public var inboundDelayedUnitDays: Double
    /// Units on hand (time average), simulated and in the model.
    public var onHand: Double
    public var onHandModel: Double
    /// Units per day to customers, simulated and in the model.
    public var customerOutbound: Double
    public var customerOutboundModel: Double
    /// Units per day received, simulated and in the model.
    public var inbound: Double
    public var inboundModel: Double
    /// Share of the orders that asked this node and found stock, simulated and in the model (the model's
    /// A weighted by the simulated requests).
    public var availability: Double?
    public var availabilityModel: Double?
}

public struct SimulationSummary: Sendable, Codable {
    public var scenario: String
    public var plan: String
    public var days: Int
    public var warmupDays: Int
    public var replications: Int
    public var seed: UInt64
    public var unmetDemand: String
    public var speeds: [SpeedReport]
    public var costs: [CostReport]
    public var totalCostPerDay: Estimate
    public var shippingCostPerUnit: Estimate
    /// Units shipped to customers per day.
    public var unitsShippedPerDay: Estimate
    /// Units on hand in the whole network (time average).
    public var unitsOnHand: Estimate
    /// Node-days over any capacity (storage, outbound or inbound), per replication.
    public var capacityViolationDays: Estimate
    public var nodes: [NodeReport]

    public init(network: SimulationNetwork, results: [ReplicationResult], settings: SimulationSettings, planFiles: PlanFiles?) {
        let scenario = network.scenario
        let plan = network.plan
        let days = Double(settings.days)
        self.scenario = scenario.name
        self.plan = planFiles?.directory ?? ""
        self.days = settings.days
        self.warmupDays = settings.warmupDays
        self.replications = results.count
        self.seed = settings.seed
        self.unmetDemand = scenario.unmetDemand.rawValue

        speeds = scenario.speeds.indices.map { s in
            let planned = planFiles?.service[s]?.plannedFillRate
            let fill = Estimate(samples: results.map { $0.demand[s] > 0 ? $0.servedOnTime[s] / $0.demand[s] : .nan })
                .clamped(to: 0...1)
            return SpeedReport(
                speed: scenario.speeds[s].id, targetFillRate: scenario.speeds[s].targetFillRate,
                plannedFillRate: planned, fillRate: fill,
                downgradedShare: Estimate(samples: results.map { $0.demand[s] > 0 ? $0.downgraded[s] / $0.demand[s] : .nan }),
                unservedShare: Estimate(
                    samples: results.map { $0.demand[s] > 0 ? ($0.lost[s] + $0.backordered[s]) / $0.demand[s] : .nan }),
                demandPerDay: results.reduce(0) { $0 + $1.demand[s] } / Double(max(1, results.count)) / days,
                modelErrorPoints: planned.map { ($0 - fill.mean) * 100 })
        }
        costs = CostTotals.termNames.indices.map { t in
            CostReport(term: CostTotals.termNames[t], perDay: Estimate(samples: results.map { $0.costs.terms[t] / days }))
        }
        totalCostPerDay = Estimate(samples: results.map { $0.costs.total / days })
        shippingCostPerUnit = Estimate(
            samples: results.map { $0.unitsShipped > 0 ? $0.costs.outboundShipping / $0.unitsShipped : .nan })
        unitsShippedPerDay = Estimate(samples: results.map { $0.unitsShipped / days })
        unitsOnHand = Estimate(samples: results.map { $0.nodeOnHandUnitDays.reduce(0, +) / days })
        let samples = Self.metricSamples(results, scenario: scenario, days: days)
        metricSamples = samples
        capacityViolationDays = Estimate(samples: samples.first { $0.name == "capacity_violation_days" }!.samples)

        // Model values per node, from the plan's expected columns.
        let nodeCount = scenario.nodes.count
        var onHandModel = [Double](repeating: 0, count: nodeCount)
        var outboundModel = [Double](repeating: 0, count: nodeCount)
        var inboundModel = [Double](repeating: 0, count: nodeCount)
        for position in plan.positions {
            let n = Int(position.node)
            onHandModel[n] += position.expectedOnHand
            outboundModel[n] += position.outboundPerDay
            inboundModel[n] += position.inboundPerDay
        }
        var attempts = [Double](repeating: 0, count: nodeCount)
        var hits = [Double](repeating: 0, count: nodeCount)
        var modelHits = [Double](repeating: 0, count: nodeCount)
        for i in 0..<network.positionCount {
            let n = Int(network.positionNode[i])
            let tried = results.reduce(0) { $0 + $1.positionAttempts[i] }
            attempts[n] += tried
            hits[n] += results.reduce(0) { $0 + $1.positionHits[i] }
            let row = Int(network.planRow[i])
            if row >= 0 { modelHits[n] += tried * plan.positions[row].fillRate }
        }
        let runs = Double(max(1, results.count))
        nodes = scenario.nodes.indices.map { n in
            let node = scenario.nodes[n]
            let storage = results.flatMap { $0.storageByDay[n] }
            let outbound = results.flatMap { $0.outboundByDay[n] }
            let inbound = results.flatMap { $0.inboundByDay[n] }
            func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
            func perRun(_ value: (ReplicationResult) -> Double) -> Double {
                var total = 0.0
                for result in results { total += value(result) }
                return total / runs
            }
            let storageOver: Double = perRun { Double($0.storageOverDays[n]) }
            let outboundOver: Double = perRun { Double($0.outboundOverDays[n]) }
            let inboundOver: Double = perRun { Double($0.inboundOverDays[n]) }
            let outboundDelayed: Double = perRun { $0.outboundDelayedUnitDays[n] }
            let inboundDelayed: Double = perRun { $0.inboundDelayedUnitDays[n] }
            let onHand: Double = perRun { $0.nodeOnHandUnitDays[n] } / days
            let customer: Double = perRun { $0.customerShipped[n] } / days
            let received: Double = perRun { $0.received[n] } / days
            let availability: Double? = attempts[n] > 0 ? hits[n] / attempts[n] : nil
            let availabilityModel: Double? = attempts[n] > 0 ? modelHits[n] / attempts[n] : nil
            return NodeReport(
                node: node.id, kind: node.kind.rawValue, storageMean: mean(storage), storageP95: quantile(storage, 0.95),
                storageCapacity: node.storageCapacity, outboundMean: mean(outbound), outboundP95: quantile(outbound, 0.95),
                outboundCapacity: node.outboundCapacity, inboundMean: mean(inbound), inboundP95: quantile(inbound, 0.95),
                inboundCapacity: node.inboundCapacity, storageDaysOver: storageOver, outboundDaysOver: outboundOver,
                inboundDaysOver: inboundOver, outboundDelayedUnitDays: outboundDelayed,
                inboundDelayedUnitDays: inboundDelayed, onHand: onHand, onHandModel: onHandModel[n],
                customerOutbound: customer, customerOutboundModel: outboundModel[n], inbound: received,
                inboundModel: inboundModel[n], availability: availability, availabilityModel: availabilityModel)
        }
    }

    /// The headline metrics, as compared across plans, with their per-replication values.
    public var metricSamples: [MetricSamples]

    public var metrics: [(name: String, value: Estimate)] {
        metricSamples.map { ($0.name, Estimate(samples: $0.samples)) }
    }

    static func metricSamples(_ results: [ReplicationResult], scenario: Scenario, days: Double) -> [MetricSamples] {
        var list = [MetricSamples(name: "total_cost_per_day", samples: results.map { $0.costs.total / days })]
        for (t, term) in CostTotals.termNames.enumerated() {
            list.append(MetricSamples(name: term + "_per_day", samples: results.map { $0.costs.terms[t] / days }))
        }
        list.append(
            MetricSamples(
                name: "shipping_cost_per_unit",
                samples: results.map { $0.unitsShipped > 0 ? $0.costs.outboundShipping / $0.unitsShipped : .nan }))
        for (s, speed) in scenario.speeds.enumerated() {
            list.append(
                MetricSamples(
                    name: "fill_rate_" + speed.id,
                    samples: results.map { $0.demand[s] > 0 ? $0.servedOnTime[s] / $0.demand[s] : .nan }))
        }
        list.append(
            MetricSamples(
                name: "capacity_violation_days",
                samples: results.map { (r: ReplicationResult) -> Double in
                    let storage: Int = r.storageOverDays.reduce(0, +)
                    let outbound: Int = r.outboundOverDays.reduce(0, +)
                    let inbound: Int = r.inboundOverDays.reduce(0, +)
                    return Double(storage + outbound + inbound)
                }))
        list.append(MetricSamples(name: "units_on_hand", samples: results.map { $0.nodeOnHandUnitDays.reduce(0, +) / days }))
        list.append(MetricSamples(name: "units_shipped_per_day", samples: results.map { $0.unitsShipped / days }))
        return list
    }
}

/// One metric's value in each replication (replication r of every plan saw the same demand).
public struct MetricSamples: Sendable, Codable {
    public var name: String
    public var samples: [Double]
}
