public import AtomoSchema

extension SchemaLoader {
    /// Imports a `schema.ts`.
    static func importTypeScript(_ source: String, path: String) throws(SchemaLoadError) -> LoadedSchema {
        // Replaced by AtomoSchema's SchemaImporter when the schema branch lands.
        throw SchemaLoadError(path: path, message: "schema.ts import is not available in this build (AtomoSchema's importer has not landed)")
    }

    /// The schema as `schema.ts`, or nil when this build cannot export it.
    public static func exportTypeScript(_ schema: Schema) -> String? { nil }
}
