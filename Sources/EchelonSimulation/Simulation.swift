// Monte Carlo simulation of plans (DESIGN.md §7). Filled in by the simulation issue.
import EchelonModel
import EchelonCore

public enum SimulationModule {
    public static let name = "simulation"
}
