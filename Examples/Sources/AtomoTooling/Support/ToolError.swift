/// Why a CLI command could not do what was asked.
public enum ToolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// There is no event log at this path yet (start the server or run `atomo migrate` first).
    case noEventLog(String)
    /// The SQLite event log is an empty (0-byte) file: a truncated or lost database, not a new install.
    case emptyEventLog(String)
    /// A file that was expected is missing.
    case fileNotFound(String)
    /// The target of `init` exists and is not empty.
    case workspaceExists(String)
    /// The template named is not known.
    case unknownTemplate(String, known: [String])
    /// The name is not usable for a workspace or service.
    case invalidName(String)
    /// No event has this position, or no stream this name.
    case noSuchEvent(String)
    /// An argument is not valid.
    case invalidArgument(String)

    /// A message for the terminal.
    public var description: String {
        switch self {
        case .noEventLog(let path): "no event log at \(path) (start the server or run `atomo migrate` first)"
        case .emptyEventLog(let path):
            "\(path) is an empty (0-byte) file, not a new install: restore it from a backup, or (if the server was stopped during its very first start) delete it to start a new, empty log"
        case .fileNotFound(let path): "\(path): no such file"
        case .workspaceExists(let path): "\(path) exists and is not empty"
        case .unknownTemplate(let name, let known): "unknown template '\(name)'; known: \(known.joined(separator: ", "))"
        case .invalidName(let name):
            "'\(name)' is not a valid name: use letters, digits, '-' and '_', starting with a letter"
        case .noSuchEvent(let what): "no event \(what)"
        case .invalidArgument(let message): message
        }
    }
}
