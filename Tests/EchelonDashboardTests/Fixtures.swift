import EchelonCore
import EchelonModel
@testable import EchelonDashboard

/// A dashboard state on the demo network with one finished scripted solve, as the screens show it.
func solvedState(width: Int = 120, height: Int = 40, products: Int = 40, glyphs: Glyphs = .unicode, readOnly: Bool = false) -> DashboardState {
    let scenario = DemoScenario.make(products: products)
    var state = DashboardState(scenario: scenario, width: width, height: height, glyphs: glyphs, readOnly: readOnly)
    feedSolve(&state, generation: 1)
    return state
}

/// Plays a scripted solve of the state's scenario into the state, event by event.
func feedSolve(_ state: inout DashboardState, generation: Int, warm: Bool = false, finish: Bool = true) {
    let run = ScriptedSolver.run(scenario: state.scenario, warm: warm)
    state.update(.session(.started(generation: generation)))
    for snapshot in run.snapshots { state.update(.session(.progress(generation: generation, snapshot))) }
    if finish { state.update(.session(.finished(generation: generation, run.result))) }
}

func press(_ state: inout DashboardState, _ keys: Key...) -> [Effect] {
    var effects: [Effect] = []
    for key in keys { effects += state.update(.key(key)) }
    return effects
}

func type(_ state: inout DashboardState, _ text: String) {
    for c in text { state.update(.key(.character(c))) }
}
