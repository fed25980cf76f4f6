// One replication: the whole network played day by day, each product's events (orders at their
// arrival times, receipts at theirs) in time order within the day. Products share only the daily
// inbound and outbound capacities of the nodes, so a day is played product after product and the
// capacities are settled at the end of the day (outbound) or as receipts come in (inbound).

import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one replication measured after its warm-up (sums over the measured days).
public struct ReplicationResult: Sendable {
    public var measuredDays: Int
    /// Per speed: units ordered, served at the promised speed, served after a downgrade, lost,
    /// backordered (served late).
    public var demand: [Double]
    public var servedOnTime: [Double]
    public var downgraded: [Double]
    public var lost: [Double]
    public var backordered: [Double]
    /// Currency over the measured days.
    public var costs: CostTotals
    /// Units shipped to customers (including downgraded and late ones).
    public var unitsShipped: Double

    // Per node.
    /// Mean cubic feet held, per measured day.
    public var storageByDay: [[Double]]
    /// Units shipped to customers, per measured day (the outbound capacity counts these, as in the
    /// planning model; transfers to other nodes load the receiver's inbound capacity instead).
    public var outboundByDay: [[Double]]
    /// Units received, per measured day.
    public var inboundByDay: [[Double]]
    public var storageOverDays: [Int]
    public var outboundOverDays: [Int]
    public var inboundOverDays: [Int]
    /// Unit-days of outbound work carried to a later day for lack of capacity.
    public var outboundDelayedUnitDays: [Double]
    /// Unit-days of receipts waiting at the dock for lack of inbound capacity.
    public var inboundDelayedUnitDays: [Double]
    public var customerShipped: [Double]
    public var transferShipped: [Double]
    public var received: [Double]
    /// Unit-days on hand.
    public var nodeOnHandUnitDays: [Double]

    // Per position (indexed like the network's positions).
    public var positionOnHandUnitDays: [Double]
    /// Orders that tried this position (eligible at their hour) and how many found stock.
    public var positionAttempts: [Double]
    public var positionHits: [Double]
    /// Replenishment requests this position received from downstream positions, and the hours they
    /// waited for stock (the delay METRIC predicts as EBO/λ).
    public var positionRequests: [Double]
    public var positionRequestWaitHours: [Double]
    public var positionCustomerShipped: [Double]
    public var positionReceived: [Double]
}

/// Cost terms, same meaning as the core's `CostBreakdown`.
public struct CostTotals: Sendable, Hashable {
    public var purchase = 0.0
    public var inboundTransport = 0.0
    public var holding = 0.0
    public var outboundShipping = 0.0
    public var missPenalty = 0.0
    public var transfer = 0.0
    public var total: Double { purchase + inboundTransport + holding + outboundShipping + missPenalty + transfer }
    public init() {}

    public static let termNames = ["purchase", "inbound_transport", "holding", "outbound_shipping", "miss_penalty", "transfer"]
    public var terms: [Double] { [purchase, inboundTransport, holding, outboundShipping, missPenalty, transfer] }
}

/// A waiting request at a position: a customer (destination -1) or a downstream position.
struct WaitingRequest {
    var destination: Int32
    var time: Double
    var shippingCost: Double
    var speed: Int32
}

/// A product's units in transit: a min-heap of (arrival time, receiving position). Lead times may
/// cross, so a FIFO would not do; one heap per product makes its next receipt an O(1) look-up.
struct ArrivalHeap {
    struct Entry {
        var time: Double
        var position: Int32
    }
    var entries: [Entry] = []
    var first: Double { entries.isEmpty ? .infinity : entries[0].time }

    mutating func push(_ time: Double, position: Int) {
        entries.append(Entry(time: time, position: Int32(position)))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if entries[parent].time <= entries[child].time { break }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Entry {
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            let count = entries.count
            while true {
                let left = 2 * parent + 1
                if left >= count { break }
                let right = left + 1
                let child = right < count && entries[right].time < entries[left].time ? right : left
                if entries[parent].time <= entries[child].time { break }
                entries.swapAt(parent, child)
                parent = child
            }
        }
        return top
    }
}

/// A FIFO that reuses its storage.
struct FIFO<Element> {
    var items: [Element] = []
    var head = 0
    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    mutating func append(_ item: Element) { items.append(item) }
    mutating func popFirst() -> Element {
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}

/// Purposes of the random streams, so demand stays the same across plans (common random numbers).
enum RandomPurpose: UInt64 {
    case demand = 1
    case leadTime = 2
}

struct ReplicationRun {
    let network: SimulationNetwork
    let warmupDays: Int
    let totalDays: Int
    let warmupHour: Double
    let lostSales: Bool
    let speedPenalty: [Double]
    let lostSalePenalty: Double
    let nodeCount: Int
    let speedCount: Int

    var demandRandom: [Xoshiro256]
    var leadRandom: [Xoshiro256]

    // Per position.
    var onHand: [Int32]
    var lastChange: [Double]
    /// Per product: units in transit to its positions.
    var pipeline: [ArrivalHeap]
    var waiting: [FIFO<WaitingRequest>]

    // Per node, within the current day.
    var nodeCube: [Double]
    var storageIntegral: [Double]
    var outboundToday: [Double]
    var outboundBacklog: [Double]
    var inboundToday: [Double]
    var dock: [FIFO<Int32>]

    var result: ReplicationResult
    /// Orders of the product-day being played: (time in hours, stream index).
    var orders: [(time: Double, stream: Int32)] = []

    init(network: SimulationNetwork, settings: SimulationSettings, replication: Int) {
        self.network = network
        let scenario = network.scenario
        warmupDays = settings.warmupDays
        totalDays = settings.warmupDays + settings.days
        warmupHour = Double(settings.warmupDays * 24)
        lostSales = scenario.unmetDemand == .lostSales
        speedPenalty = scenario.speeds.map(\.missPenalty)
        lostSalePenalty = scenario.costs.lostSalePenalty
        nodeCount = scenario.nodes.count
        speedCount = scenario.speeds.count
        let productCount = network.productCount
        let positionCount = network.positionCount
        let seed = settings.seed
        demandRandom = (0..<productCount).map {
            Xoshiro256(seed: seed, keys: RandomPurpose.demand.rawValue, UInt64(replication), UInt64($0))
        }
        leadRandom = (0..<productCount).map {
            Xoshiro256(seed: seed, keys: RandomPurpose.leadTime.rawValue, UInt64(replication), UInt64($0))
        }
        onHand = network.baseStock
        lastChange = [Double](repeating: 0, count: positionCount)
        pipeline = [ArrivalHeap](repeating: ArrivalHeap(), count: productCount)
        waiting = [FIFO<WaitingRequest>](repeating: FIFO(), count: positionCount)
        nodeCube = [Double](repeating: 0, count: nodeCount)
        for i in 0..<positionCount {
            nodeCube[Int(network.positionNode[i])] += Double(network.baseStock[i]) * network.cube[i]
        }
        storageIntegral = [Double](repeating: 0, count: nodeCount)
        outboundToday = [Double](repeating: 0, count: nodeCount)
        outboundBacklog = [Double](repeating: 0, count: nodeCount)
        inboundToday = [Double](repeating: 0, count: nodeCount)
        dock = [FIFO<Int32>](repeating: FIFO(), count: nodeCount)
        let zerosS = [Double](repeating: 0, count: speedCount)
        let zerosN = [Double](repeating: 0, count: nodeCount)
        let zerosP = [Double](repeating: 0, count: positionCount)
        let zeroDays = [Int](repeating: 0, count: nodeCount)
        result = ReplicationResult(
            measuredDays: settings.days, demand: zerosS, servedOnTime: zerosS, downgraded: zerosS, lost: zerosS,
            backordered: zerosS, costs: CostTotals(), unitsShipped: 0,
            storageByDay: [[Double]](repeating: [], count: nodeCount),
            outboundByDay: [[Double]](repeating: [], count: nodeCount),
            inboundByDay: [[Double]](repeating: [], count: nodeCount), storageOverDays: zeroDays,
            outboundOverDays: zeroDays, inboundOverDays: zeroDays, outboundDelayedUnitDays: zerosN,
            inboundDelayedUnitDays: zerosN, customerShipped: zerosN, transferShipped: zerosN, received: zerosN,
            nodeOnHandUnitDays: zerosN, positionOnHandUnitDays: zerosP, positionAttempts: zerosP,
            positionHits: zerosP, positionRequests: zerosP, positionRequestWaitHours: zerosP,
            positionCustomerShipped: zerosP, positionReceived: zerosP)
    }

    mutating func run() -> ReplicationResult {
        let productCount = network.productCount
        for day in 0..<totalDays {
            let dayStart = Double(day * 24)
            let dayEnd = dayStart + 24
            let measured = day >= warmupDays
            for n in 0..<nodeCount {
                storageIntegral[n] = nodeCube[n] * 24
                outboundToday[n] = 0
                inboundToday[n] = 0
            }
            // Receipts that waited at the dock go first, at the start of the day.
            for n in 0..<nodeCount where !dock[n].isEmpty {
                let capacity = network.scenario.nodes[n].inboundCapacity
                while !dock[n].isEmpty && inboundToday[n] < capacity {
                    let position = Int(dock[n].popFirst())
                    inboundToday[n] += 1
                    receive(position, at: dayStart, dayEnd: dayEnd)
                }
            }
            for product in 0..<productCount {
                let count = demandRandom[product].demand(
                    mean: network.demandMean[product], varianceToMean: network.demandVMR[product])
                if count == 0 && pipeline[product].first >= dayEnd { continue }
                playDay(product: product, orderCount: count, dayStart: dayStart, dayEnd: dayEnd)
            }
            // Settle the day's capacities.
            for n in 0..<nodeCount {
                let node = network.scenario.nodes[n]
                let work = outboundToday[n] + outboundBacklog[n]
                outboundBacklog[n] = max(0, work - node.outboundCapacity)
                if measured {
                    let storage = storageIntegral[n] / 24
                    result.storageByDay[n].append(storage)
                    result.outboundByDay[n].append(outboundToday[n])
                    result.inboundByDay[n].append(inboundToday[n])
                    if storage > node.storageCapacity * (1 + 1e-9) { result.storageOverDays[n] += 1 }
                    if work > node.outboundCapacity * (1 + 1e-9) { result.outboundOverDays[n] += 1 }
                    if !dock[n].isEmpty { result.inboundOverDays[n] += 1 }
                    result.outboundDelayedUnitDays[n] += outboundBacklog[n]
                    result.inboundDelayedUnitDays[n] += Double(dock[n].count)
                }
            }
        }
        let endHour = Double(totalDays * 24)
        for i in 0..<network.positionCount { accrue(i, at: endHour) }
        for i in 0..<network.positionCount {
            result.nodeOnHandUnitDays[Int(network.positionNode[i])] += result.positionOnHandUnitDays[i]
            result.costs.holding += result.positionOnHandUnitDays[i] * network.holdingPerUnitHour[i] * 24
        }
        return result
    }

    /// Plays one product's day: its orders and receipts in time order.
    mutating func playDay(product: Int, orderCount: Int, dayStart: Double, dayEnd: Double) {
        orders.removeAll(keepingCapacity: true)
        let streams = network.streamRange[product]
        if orderCount > 0 && !streams.isEmpty {
            for _ in 0..<orderCount {
                let u = demandRandom[product].uniform()
                var stream = streams.lowerBound
                while stream < streams.upperBound - 1 && network.streams[Int(stream)].cumulativeShare <= u { stream += 1 }
                let v = demandRandom[product].uniform()
                var hour = 0
                while hour < 23 && network.cumulativeArrival[hour] <= v { hour += 1 }
                let time = dayStart + Double(hour) + demandRandom[product].uniform()
                orders.append((time, stream))
            }
            if orders.count > 1 { orders.sort { $0.time < $1.time } }
        }
        var next = 0
        while true {
            let arrivalTime = pipeline[product].first
            if next < orders.count && orders[next].time <= arrivalTime {
                let order = orders[next]
                next += 1
                serve(stream: Int(order.stream), at: order.time, dayStart: dayStart, dayEnd: dayEnd)
            } else if arrivalTime < dayEnd {
                let arrivalPosition = Int(pipeline[product].pop().position)
                let node = Int(network.positionNode[arrivalPosition])
                if inboundToday[node] < network.scenario.nodes[node].inboundCapacity && dock[node].isEmpty {
                    inboundToday[node] += 1
                    receive(arrivalPosition, at: arrivalTime, dayEnd: dayEnd)
                } else {
                    dock[node].append(Int32(arrivalPosition))
                }
            } else {
                break
            }
        }
    }

    /// Adds on-hand time since the last change (measured part only).
    @inline(__always) mutating func accrue(_ i: Int, at time: Double) {
        let from = max(lastChange[i], warmupHour)
        if time > from { result.positionOnHandUnitDays[i] += Double(onHand[i]) * (time - from) / 24 }
        lastChange[i] = time
    }

    @inline(__always) mutating func changeOnHand(_ i: Int, by delta: Int32, at time: Double, dayEnd: Double) {
        accrue(i, at: time)
        onHand[i] += delta
        let node = Int(network.positionNode[i])
        let cubeChange = Double(delta) * network.cube[i]
        nodeCube[node] += cubeChange
        storageIntegral[node] += cubeChange * (dayEnd - time)
    }

    /// A customer order of `stream` at `time`: the cheapest position, among the stream's speed and then
    /// each slower one, that still takes orders at this hour and has stock; else lost or backordered.
    mutating func serve(stream streamIndex: Int, at time: Double, dayStart: Double, dayEnd: Double) {
        let stream = network.streams[streamIndex]
        let speed = Int(stream.speed)
        let measured = time >= warmupHour
        // Cut-offs are judged at the middle of the order's hour, as in the planning model.
        let hourMiddle = (time - dayStart).rounded(.down) + 0.5
        if measured { result.demand[speed] += 1 }
        for c in stream.candidates {
            let candidate = network.candidates[Int(c)]
            guard hourMiddle < candidate.cutoffHour else { continue }
            let i = Int(candidate.position)
            // A node listed under two speeds is asked once (it had no stock the first time).
            if askedBefore(i, in: stream.candidates.lowerBound..<c, hourMiddle: hourMiddle) { continue }
            if measured { result.positionAttempts[i] += 1 }
            if onHand[i] > 0 {
                if measured {
                    result.positionHits[i] += 1
                    if Int(candidate.speed) == speed {
                        result.servedOnTime[speed] += 1
                    } else {
                        result.downgraded[speed] += 1
                        result.costs.missPenalty += speedPenalty[speed]
                    }
                }
                ship(from: i, cost: candidate.shippingCost, at: time, dayEnd: dayEnd)
                return
            }
        }
        // Nobody has it: lost, or it waits at the cheapest node of the stream's list.
        if lostSales || stream.candidates.isEmpty {
            if measured {
                result.lost[speed] += 1
                result.costs.missPenalty += speedPenalty[speed] + lostSalePenalty
            }
            return
        }
        let candidate = network.candidates[Int(stream.candidates.lowerBound)]
        let i = Int(candidate.position)
        if measured {
            result.backordered[speed] += 1
            result.costs.missPenalty += speedPenalty[speed]
        }
        waiting[i].append(WaitingRequest(destination: -1, time: time, shippingCost: candidate.shippingCost, speed: Int32(speed)))
        replenish(i, at: time, dayEnd: dayEnd)
    }

    func askedBefore(_ position: Int, in earlier: Range<Int32>, hourMiddle: Double) -> Bool {
        for k in earlier {
            let candidate = network.candidates[Int(k)]
            if Int(candidate.position) == position && hourMiddle < candidate.cutoffHour { return true }
        }
        return false
    }

    /// Ships one unit on hand at position `i` to a customer, and orders its replacement.
    mutating func ship(from i: Int, cost: Double, at time: Double, dayEnd: Double) {
        changeOnHand(i, by: -1, at: time, dayEnd: dayEnd)
        let node = Int(network.positionNode[i])
        outboundToday[node] += 1
        if time >= warmupHour {
            result.costs.outboundShipping += cost
            result.unitsShipped += 1
            result.customerShipped[node] += 1
            result.positionCustomerShipped[i] += 1
        }
        replenish(i, at: time, dayEnd: dayEnd)
    }

    /// Position `i` orders one unit from its supplier (base stock: one for one).
    mutating func replenish(_ i: Int, at time: Double, dayEnd: Double) {
        let product = Int(network.positionProduct[i])
        let supplier = Int(network.supplier[i])
        let measured = time >= warmupHour
        if supplier < 0 {
            let lead =
                leadRandom[product].duration(mean: network.vendorLeadMean[i], std: network.vendorLeadStd[i])
                + leadRandom[product].duration(mean: network.transitMean[i], std: network.transitStd[i])
            pipeline[product].push(time + lead * 24, position: i)
            if measured {
                result.costs.purchase += network.purchaseCost[i]
                result.costs.inboundTransport += network.laneCostPerUnit[i]
            }
            return
        }
        if measured { result.positionRequests[supplier] += 1 }
        if onHand[supplier] > 0 {
            changeOnHand(supplier, by: -1, at: time, dayEnd: dayEnd)
            transfer(from: supplier, to: i, requestedAt: time, at: time)
        } else {
            waiting[supplier].append(WaitingRequest(destination: Int32(i), time: time, shippingCost: 0, speed: -1))
        }
        replenish(supplier, at: time, dayEnd: dayEnd)
    }

    /// Sends one unit from an upstream position down the lane to `destination`.
    mutating func transfer(from supplier: Int, to destination: Int, requestedAt: Double, at time: Double) {
        let product = Int(network.positionProduct[destination])
        let node = Int(network.positionNode[supplier])
        if requestedAt >= warmupHour {
            result.positionRequestWaitHours[supplier] += time - requestedAt
        }
        if time >= warmupHour {
            result.costs.transfer += network.laneCostPerUnit[destination]
            result.transferShipped[node] += 1
        }
        let transit = leadRandom[product].duration(
            mean: network.transitMean[destination], std: network.transitStd[destination])
        pipeline[product].push(time + transit * 24, position: destination)
    }

    /// A unit arrives at position `i`: it serves the oldest waiting request, else goes on the shelf.
    mutating func receive(_ i: Int, at time: Double, dayEnd: Double) {
        let node = Int(network.positionNode[i])
        if time >= warmupHour {
            result.received[node] += 1
            result.positionReceived[i] += 1
        }
        guard !waiting[i].isEmpty else {
            changeOnHand(i, by: 1, at: time, dayEnd: dayEnd)
            return
        }
        let request = waiting[i].popFirst()
        if request.destination < 0 {
            outboundToday[node] += 1
            if time >= warmupHour {
                result.costs.outboundShipping += request.shippingCost
                result.unitsShipped += 1
                result.customerShipped[node] += 1
                result.positionCustomerShipped[i] += 1
            }
        } else {
            transfer(from: i, to: Int(request.destination), requestedAt: request.time, at: time)
        }
    }
}
