import Testing
@testable import EchelonCore

@Test func violationAmountsPointTheRightWay() {
    let storage = Violation(kind: .storage, index: 0, used: 120, limit: 100)
    #expect(storage.amount == 20)
    #expect(abs(storage.relative - 0.2) < 1e-12)
    let service = Violation(kind: .service, index: 1, used: 0.93, limit: 0.95)
    #expect(abs(service.amount - 0.02) < 1e-12)
    #expect(Violation(kind: .inbound, index: 0, used: 50, limit: 100).amount == 0)
}

@Test func costBreakdownTotalsEveryTerm() {
    var costs = CostBreakdown()
    costs.purchase = 1; costs.inboundTransport = 2; costs.holding = 3
    costs.outboundShipping = 4; costs.missPenalty = 5; costs.transfer = 6
    #expect(costs.total == 21)
}
