public import AtomoSchema
import Foundation

/// A schema read from a file, with the text it was read from.
public struct LoadedSchema: Sendable, Hashable {
    /// The schema.
    public var schema: Schema
    /// The file it came from.
    public var path: String
    /// The file's text (a `schema.ts` or canonical JSON).
    public var source: String
}

/// Why a schema file could not be loaded; ``description`` starts with `file:line:column` when the
/// problem has a position.
public struct SchemaLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The 1-based line and column of the problem, when known.
    public var line: Int?
    /// The 1-based column.
    public var column: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `path:line:column: message`, or `path: message` without a position.
    public var description: String {
        if let line { return "\(path):\(line):\(column ?? 1): \(message)" }
        return "\(path): \(message)"
    }
}

/// Loads a service's schema from a `schema.ts` (through AtomoSchema's importer) or from canonical JSON.
public enum SchemaLoader {
    /// Reads and validates the schema in `path`.
    ///
    /// - Throws: ``SchemaLoadError``, positioned at the offending line and column when there is one.
    public static func load(_ path: String) throws(SchemaLoadError) -> LoadedSchema {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SchemaLoadError(path: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        let source = String(decoding: data, as: UTF8.self)
        return try parse(source, path: path)
    }

    /// Parses `source` as the kind of file `path` names (`.ts` or `.json`).
    public static func parse(_ source: String, path: String) throws(SchemaLoadError) -> LoadedSchema {
        if path.hasSuffix(".json") {
            do {
                return LoadedSchema(schema: try Schema(canonicalJSON: Data(source.utf8)), path: path, source: source)
            } catch {
                throw SchemaLoadError(path: path, message: error.description)
            }
        }
        guard path.hasSuffix(".ts") else {
            throw SchemaLoadError(path: path, message: "expected a schema.ts or a canonical .json schema")
        }
        return try importTypeScript(source, path: path)
    }
}
