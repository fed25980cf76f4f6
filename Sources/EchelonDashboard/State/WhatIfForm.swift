import EchelonCore
import EchelonModel

/// The kinds of change the what-if screen can make.
public enum WhatIfKind: Int, CaseIterable, Sendable, Hashable {
    case capacity, closeNode, scaleDemand, vendorLeadTime, speedService

    public var title: String {
        switch self {
        case .capacity: return "node capacity"
        case .closeNode: return "close node"
        case .scaleDemand: return "scale demand"
        case .vendorLeadTime: return "vendor lead time"
        case .speedService: return "speed target/penalty"
        }
    }
}

/// What a demand scaling applies to.
public enum DemandScopeKind: Int, CaseIterable, Sendable, Hashable {
    case all, region, category, product
    public var title: String { ["all products", "region", "category", "product"][rawValue] }
}

/// The form of the what-if screen: a change kind, its target and its numbers as typed.
public struct WhatIfForm: Sendable, Hashable {
    public enum Field: Sendable, Hashable {
        case kind, node, scopeKind, scopeTarget, vendor, speed
        case number(Int)
    }

    public var kind: WhatIfKind = .capacity
    public var focus = 0
    public var node = 0
    public var scopeKind: DemandScopeKind = .all
    public var scopeTarget = 0
    public var vendor = 0
    public var speed = 0
    /// The numbers as typed, per kind's number fields.
    public var numbers: [String] = []
    /// The next typed digit replaces the field instead of appending (spreadsheet style).
    public var freshField = true

    public init() {}

    /// The fields of the current kind, in screen order.
    public var fields: [Field] {
        switch kind {
        case .capacity: return [.kind, .node, .number(0), .number(1), .number(2)]
        case .closeNode: return [.kind, .node]
        case .scaleDemand: return scopeKind == .all ? [.kind, .scopeKind, .number(0)] : [.kind, .scopeKind, .scopeTarget, .number(0)]
        case .vendorLeadTime: return [.kind, .vendor, .number(0), .number(1)]
        case .speedService: return [.kind, .speed, .number(0), .number(1)]
        }
    }

    public var numberLabels: [String] {
        switch kind {
        case .capacity: return ["storage (ft³)", "outbound (units/day)", "inbound (units/day)"]
        case .closeNode: return []
        case .scaleDemand: return ["factor"]
        case .vendorLeadTime: return ["lead time mean (days)", "lead time std (days)"]
        case .speedService: return ["target fill rate", "miss penalty"]
        }
    }

    public var focusedField: Field { fields[min(focus, fields.count - 1)] }

    /// Refills the numbers with the scenario's current values for the chosen target.
    public mutating func loadDefaults(from scenario: Scenario) {
        freshField = true
        switch kind {
        case .capacity:
            guard scenario.nodes.indices.contains(node) else { numbers = ["", "", ""]; return }
            let n = scenario.nodes[node]
            numbers = [Format.plain(n.storageCapacity), Format.plain(n.outboundCapacity), Format.plain(n.inboundCapacity)]
        case .closeNode:
            numbers = []
        case .scaleDemand:
            numbers = ["1.1"]
        case .vendorLeadTime:
            let lead = scenario.productVendors.first { $0.vendor == vendor }
            numbers = [Format.plain(lead?.leadTimeMean ?? 0), Format.plain(lead?.leadTimeStd ?? 0)]
        case .speedService:
            guard scenario.speeds.indices.contains(speed) else { numbers = ["", ""]; return }
            numbers = [Format.plain(scenario.speeds[speed].targetFillRate), Format.plain(scenario.speeds[speed].missPenalty)]
        }
    }

    /// Moves a choice field by `delta`, wrapping.
    public mutating func cycle(_ delta: Int, scenario: Scenario) {
        func wrap(_ value: Int, _ count: Int) -> Int { count == 0 ? 0 : ((value + delta) % count + count) % count }
        switch focusedField {
        case .kind:
            kind = WhatIfKind(rawValue: wrap(kind.rawValue, WhatIfKind.allCases.count)) ?? .capacity
            focus = 0
        case .node: node = wrap(node, scenario.nodes.count)
        case .scopeKind:
            scopeKind = DemandScopeKind(rawValue: wrap(scopeKind.rawValue, DemandScopeKind.allCases.count)) ?? .all
            scopeTarget = 0
        case .scopeTarget:
            let count: Int
            switch scopeKind {
            case .all: count = 1
            case .region: count = scenario.regions.count
            case .category: count = scenario.categories.count
            case .product: count = scenario.products.count
            }
            scopeTarget = wrap(scopeTarget, count)
            return
        case .vendor: vendor = wrap(vendor, scenario.vendors.count)
        case .speed: speed = wrap(speed, scenario.speeds.count)
        case .number: return
        }
        loadDefaults(from: scenario)
    }

    /// Types a character into the focused number field; false when the field does not take it.
    public mutating func type(_ character: Character) -> Bool {
        guard case .number(let i) = focusedField, numbers.indices.contains(i) else { return false }
        guard character.isNumber || character == "." || character == "-" || character == "e" else { return false }
        if freshField { numbers[i] = "" }
        freshField = false
        numbers[i].append(character)
        return true
    }

    public mutating func backspace() -> Bool {
        guard case .number(let i) = focusedField, numbers.indices.contains(i) else { return false }
        freshField = false
        if !numbers[i].isEmpty { numbers[i].removeLast() }
        return true
    }

    /// The change the form describes, or an error naming the bad field.
    public func change(scenario: Scenario) -> Result<WhatIf, WhatIfError> {
        func number(_ i: Int, optional: Bool = false) -> Result<Double?, WhatIfError> {
            let text = numbers.indices.contains(i) ? numbers[i].trimmingSpaces : ""
            if text.isEmpty { return optional ? .success(nil) : .failure(WhatIfError(message: "\(numberLabels[i]) is empty")) }
            guard let value = Double(text), value.isFinite else {
                return .failure(WhatIfError(message: "\(numberLabels[i]): '\(text)' is not a number"))
            }
            return .success(value)
        }
        switch kind {
        case .capacity:
            guard scenario.nodes.indices.contains(node) else { return .failure(WhatIfError(message: "no node")) }
            var values: [Double?] = []
            for i in 0..<3 {
                switch number(i, optional: true) {
                case .success(let v):
                    if let v, v < 0 { return .failure(WhatIfError(message: "\(numberLabels[i]) must be ≥ 0")) }
                    values.append(v)
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.setCapacity(node: node, storage: values[0], outbound: values[1], inbound: values[2]))
        case .closeNode:
            return .success(.closeNode(node: node))
        case .scaleDemand:
            switch number(0) {
            case .failure(let e): return .failure(e)
            case .success(let factor):
                guard let factor, factor >= 0 else { return .failure(WhatIfError(message: "factor must be ≥ 0")) }
                let scope: DemandScope
                switch scopeKind {
                case .all: scope = .all
                case .region: scope = .region(scopeTarget)
                case .category: scope = .category(scopeTarget)
                case .product: scope = .product(scopeTarget)
                }
                return .success(.scaleDemand(scope: scope, factor: factor))
            }
        case .vendorLeadTime:
            guard case .success(let mean?) = number(0), case .success(let std?) = number(1), mean >= 0, std >= 0 else {
                return .failure(WhatIfError(message: "lead time mean and std must be numbers ≥ 0"))
            }
            return .success(.setVendorLeadTime(vendor: vendor, mean: mean, std: std))
        case .speedService:
            let target: Double?
            switch number(0, optional: true) {
            case .success(let v): target = v
            case .failure(let e): return .failure(e)
            }
            if let target, !(target > 0 && target <= 1) { return .failure(WhatIfError(message: "target fill rate must be in (0, 1]")) }
            switch number(1, optional: true) {
            case .success(let penalty): return .success(.setSpeedService(speed: speed, targetFillRate: target, missPenalty: penalty))
            case .failure(let e): return .failure(e)
            }
        }
    }
}

public struct WhatIfError: Error, Sendable, Hashable {
    public var message: String
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Describes a change in one line, with the scenario's names.
public func describe(_ change: WhatIf, in scenario: Scenario) -> String {
    func nodeName(_ i: Int) -> String { scenario.nodes.indices.contains(i) ? scenario.nodes[i].id : "node \(i)" }
    switch change {
    case .setCapacity(let n, let storage, let outbound, let inbound):
        var parts: [String] = []
        if let storage { parts.append("storage \(Format.compact(storage))") }
        if let outbound { parts.append("outbound \(Format.compact(outbound))") }
        if let inbound { parts.append("inbound \(Format.compact(inbound))") }
        return "\(nodeName(n)): " + (parts.isEmpty ? "no change" : parts.joined(separator: ", "))
    case .closeNode(let n):
        return "close \(nodeName(n))"
    case .scaleDemand(let scope, let factor):
        let what: String
        switch scope {
        case .all: what = "all demand"
        case .region(let r): what = "demand in " + (scenario.regions.indices.contains(r) ? scenario.regions[r].id : "region \(r)")
        case .category(let c): what = "demand of " + (scenario.categories.indices.contains(c) ? scenario.categories[c] : "category \(c)")
        case .product(let p): what = "demand of " + (scenario.products.indices.contains(p) ? scenario.products[p].id : "product \(p)")
        }
        return "\(what) × \(Format.plain(factor))"
    case .setVendorLeadTime(let v, let mean, let std):
        let name = scenario.vendors.indices.contains(v) ? scenario.vendors[v].id : "vendor \(v)"
        return "\(name): lead time \(Format.plain(mean)) ± \(Format.plain(std)) days"
    case .setSpeedService(let s, let target, let penalty):
        let name = scenario.speeds.indices.contains(s) ? scenario.speeds[s].id : "speed \(s)"
        var parts: [String] = []
        if let target { parts.append("target \(Format.percent(target))") }
        if let penalty { parts.append("penalty \(Format.plain(penalty))") }
        return "\(name): " + parts.joined(separator: ", ")
    }
}
