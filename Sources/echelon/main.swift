import EchelonCLI

// Synchronous on purpose: the dashboard owns the main thread (dispatchMain) and solvers use their own threads.
Echelon.main()
