public import AtomoSchema

extension SchemaLoader {
    /// Imports a `schema.ts` with AtomoSchema's ``SchemaImporter``; errors keep its position.
    static func importTypeScript(_ source: String, path: String) throws(SchemaLoadError) -> LoadedSchema {
        do {
            let schema = try SchemaImporter.importSchema(source: source, fileName: path)
            return LoadedSchema(schema: schema, path: path, source: source)
        } catch {
            var message = error.message
            if let supported = error.supported { message += " (supported: \(supported))" }
            for other in error.additional { message += "\n" + other.description }
            throw SchemaLoadError(path: path, line: error.line, column: error.column, message: message)
        }
    }

    /// The schema as `schema.ts` (AtomoSchema's exporter).
    public static func exportTypeScript(_ schema: Schema) -> String? { SchemaTSExporter.export(schema) }
}
