// The sample scenarios shipped in `sample-data/`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum BundledSample {
    /// The US (and Canada) network: absolute path of `sample-data/us-network`.
    public static var usNetwork: String { directory(named: "us-network") }
    /// The hand-checkable network: absolute path of `sample-data/tiny`.
    public static var tiny: String { directory(named: "tiny") }

    /// The repository root: the current directory when it holds `sample-data` (as with `swift run`
    /// from the root), else three levels above this source file (a build run from elsewhere).
    static func directory(named name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        if let cwd = getcwd(&buffer, buffer.count) {
            let candidate = String(cString: cwd) + "/sample-data/" + name
            if access(candidate + "/scenario.toml", F_OK) == 0 { return candidate }
        }
        var root = String(#filePath)
        for _ in 0..<3 {
            if let slash = root.lastIndex(of: "/") { root = String(root[..<slash]) }
        }
        return root + "/sample-data/" + name
    }
}
