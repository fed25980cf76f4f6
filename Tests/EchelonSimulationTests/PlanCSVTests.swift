import EchelonModel
import Foundation
import Testing

@testable import EchelonSimulation

@Suite struct PlanFilesReadAndWrite {
    let scenario = TestScenarios.twoEchelon(mean1: 2, mean2: 3, vendorDays: 6, transitDays: 1)

    @Test func roundTripsThroughText() throws {
        let plan = Plan(
            vendorChoice: [0],
            positions: [
                PlanPosition(product: 0, node: 0, baseStock: 28, expectedOnHand: 3.25, outboundPerDay: 0, inboundPerDay: 5, fillRate: 0.5),
                PlanPosition(product: 0, node: 1, baseStock: 4, expectedOnHand: 1.5, outboundPerDay: 2, inboundPerDay: 2, fillRate: 0.9),
            ])
        let text = PlanCSV.planText(plan, scenario: scenario)
        let back = try PlanCSV.parsePlan(text: text, path: "plan.csv", scenario: scenario)
        #expect(back == plan)
        let service = [PlannedService(speed: 0, targetFillRate: 0.9, plannedFillRate: 0.93, price: 1.5)]
        let serviceBack = try PlanCSV.parseService(
            text: PlanCSV.serviceText(service, scenario: scenario), path: "service.csv", scenario: scenario)
        #expect(serviceBack == [service[0]])
    }

    /// plan.csv is streamed to its file row by row; the bytes are those of the text form, and a write
    /// that fails midway leaves the old file in place and no temporary file behind.
    @Test func streamedPlanFileIsTheTextAndFailuresKeepTheOldFile() throws {
        let plan = Plan(
            vendorChoice: [0],
            positions: [
                PlanPosition(product: 0, node: 0, baseStock: 28, expectedOnHand: 3.25, outboundPerDay: 0, inboundPerDay: 5, fillRate: 0.5),
                PlanPosition(product: 0, node: 2, baseStock: 7, expectedOnHand: 0.1, outboundPerDay: 2.75, inboundPerDay: 2, fillRate: 1),
            ])
        let directory = NSTemporaryDirectory() + "echelon-plan-stream-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try PlanCSV.makeDirectory(directory)
        let path = directory + "/plan.csv"
        try PlanCSV.writePlanFile(plan, scenario: scenario, to: path)
        let text = PlanCSV.planText(plan, scenario: scenario)
        #expect(PlanCSV.readTextFile(path) == text)
        #expect(text.split(separator: "\n").count == 3)

        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try PlanCSV.writeFileAtomically(to: path) { file in
                file.write("product,node\n")
                throw Interrupted()
            }
        }
        #expect(PlanCSV.readTextFile(path) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["plan.csv"])
    }

    @Test func errorsNameFileLineAndField() throws {
        let header = PlanCSV.planHeader.joined(separator: ",")
        let badNumber = header + "\nP1,DC1,V1,28,0,0,5,0.5\nP1,FC1,V1,four,0,0,2,0.9\n"
        #expect {
            try PlanCSV.parsePlan(text: badNumber, path: "x/plan.csv", scenario: scenario)
        } throws: { error in
            "\(error)" == "x/plan.csv:3: field 'base_stock': 'four' is not a number"
        }
        let unknownNode = header + "\nP1,FC9,V1,3,0,0,2,0.9\n"
        #expect {
            try PlanCSV.parsePlan(text: unknownNode, path: "plan.csv", scenario: scenario)
        } throws: { error in
            "\(error)" == "plan.csv:2: field 'node': unknown node 'FC9'"
        }
        #expect {
            try PlanCSV.parsePlan(text: "product,node\nP1,DC1\n", path: "plan.csv", scenario: scenario)
        } throws: { error in
            "\(error)".hasPrefix("plan.csv:1: field 'vendor': missing column")
        }
    }

    @Test func baselinesSizeEachNodeAtTheCycleServiceLevel() {
        // Legacy on the two-echelon network: FC1 sees 2/day over a 1-day transit, FC2 3/day, and the
        // DC their sum over the vendor's 6 days. Smallest S with P(Poisson(m) ≤ S − 1) ≥ 0.95.
        let (plan, _) = Baselines.plan(scenario, policy: .legacy, cycleService: 0.95)
        let stocks = plan.positions.map { ($0.node, $0.baseStock) }
        func expected(_ mean: Double) -> Int32 {
            var s = 0
            while ClosedForm.backorderFillRate(baseStock: s, leadDemand: mean) < 0.95 { s += 1 }
            return Int32(s)
        }
        #expect(stocks.map(\.0) == [0, 1, 2])
        #expect(stocks.map(\.1) == [expected(30), expected(2), expected(3)])
        // National: only DCs hold stock, and here no DC can serve a region, so nothing is stocked.
        let (national, _) = Baselines.plan(scenario, policy: .national)
        #expect(national.positions.isEmpty)
    }
}
