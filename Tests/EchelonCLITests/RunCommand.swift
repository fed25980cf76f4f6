import ArgumentParser
@testable import EchelonCLI

/// Runs `echelon ARGUMENTS` in-process: 0 on success, the command's exit code, or nil for any other error.
func exitCode(of arguments: [String]) -> Int32? {
    do {
        var command = try Echelon.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch let code as ExitCode {
        return code.rawValue
    } catch {
        return nil
    }
}
