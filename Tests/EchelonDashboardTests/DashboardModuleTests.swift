import Testing
@testable import EchelonDashboard

@Test func moduleLinks() {
    #expect(DashboardModule.name == "dashboard")
}
