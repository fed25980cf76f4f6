import Testing
@testable import EchelonSimulation

@Test func moduleLinks() {
    #expect(SimulationModule.name == "simulation")
}
