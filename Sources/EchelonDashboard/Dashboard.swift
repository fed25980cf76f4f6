// UI state, reducer and views drawn into a cell buffer. Filled in by the dashboard issue.
import EchelonModel
import EchelonCore

public enum DashboardModule {
    public static let name = "dashboard"
}
