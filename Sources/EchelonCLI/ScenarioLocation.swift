// Where a subcommand's scenario comes from, and loading it with diagnostics printed the same way by
// every subcommand.

import ArgumentParser
import EchelonModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ScenarioLocation {
    /// A folder argument: none means the bundled US network; the bare names `us-network` and `tiny`
    /// mean the bundled samples unless a folder of that name exists in the current directory.
    static func resolve(_ argument: String?) -> String {
        guard let argument, !argument.isEmpty else { return BundledSample.usNetwork }
        if access(argument, F_OK) != 0 {
            if argument == "us-network" { return BundledSample.usNetwork }
            if argument == "tiny" { return BundledSample.tiny }
        }
        return argument
    }

    /// Loads the scenario; on problems prints each as `file:line: field: message` to stderr and exits with 1.
    static func load(_ argument: String?) throws -> Scenario {
        let directory = resolve(argument)
        do {
            return try ScenarioLoader.load(directory: directory)
        } catch let error as ScenarioError {
            printDiagnostics(error.diagnostics)
            throw ExitCode.failure
        }
    }

    static func printDiagnostics(_ diagnostics: [Diagnostic]) {
        printError(report(diagnostics))
    }

    /// One `file:line: field: message` line per problem, then the count.
    static func report(_ diagnostics: [Diagnostic]) -> String {
        let count = diagnostics.count
        return diagnostics.map { $0.description + "\n" }.joined() + "\(count) problem\(count == 1 ? "" : "s") found\n"
    }

    /// Writes to stderr unbuffered, so that messages interleave correctly with stdout.
    static func printError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}

/// The optional scenario folder argument shared by the subcommands that read a scenario.
struct ScenarioArgument: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "The scenario folder (default: the bundled US network; `tiny` names the bundled small one).",
            valueName: "dir"))
    var directory: String?

    func load() throws -> Scenario { try ScenarioLocation.load(directory) }
}
