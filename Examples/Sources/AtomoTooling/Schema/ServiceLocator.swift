public import Foundation

/// Finds a service's `schema.ts` when no path is given.
///
/// In order: `ATOMO_SCHEMA`; the only `services/*/schema.ts` under the working directory; the CRM
/// example, `Examples/services/crm-service/schema.ts`, under the working directory (a clone's root);
/// and the CRM example next to the sources this binary was built from.
public enum ServiceLocator {
    /// The CRM example's schema, relative to the repository root.
    public static let crmExample = "Examples/services/crm-service/schema.ts"

    /// The schema file to serve, or ``ToolError/fileNotFound(_:)`` naming where it looked.
    public static func schemaPath(
        given: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> String {
        let manager = FileManager.default
        if let given {
            guard manager.fileExists(atPath: given) else { throw ToolError.fileNotFound(given) }
            return given
        }
        if let path = environment["ATOMO_SCHEMA"], !path.isEmpty {
            guard manager.fileExists(atPath: path) else { throw ToolError.fileNotFound(path) }
            return path
        }
        let root = URL(fileURLWithPath: workingDirectory)
        let services = root.appendingPathComponent("services")
        if let names = try? manager.contentsOfDirectory(atPath: services.path) {
            let found = names.sorted().map { services.appendingPathComponent($0).appendingPathComponent("schema.ts").path }
                .filter { manager.fileExists(atPath: $0) }
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                throw ToolError.invalidArgument(
                    "several services (\(found.joined(separator: ", "))): choose one with --schema")
            }
        }
        let example = root.appendingPathComponent(crmExample).path
        if manager.fileExists(atPath: example) { return example }
        // Built from a clone: the sources are at <root>/Examples/Sources/AtomoTooling/Schema/.
        let built = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("services/crm-service/schema.ts")
        if manager.fileExists(atPath: built.path) { return built.path }
        throw ToolError.fileNotFound("services/<name>/schema.ts (pass --schema)")
    }
}
