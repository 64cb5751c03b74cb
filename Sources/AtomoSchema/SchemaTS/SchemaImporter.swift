/// Imports a `schema.ts` — a documented TypeScript subset — into a ``Schema``.
///
/// ```swift
/// let source = """
///     export type Role = 'Admin' | 'Viewer'
///     export interface Company { id: string; name: string; industry?: string }
///     export const access = { Company: { update: ({ role }) => role === 'Admin' } }
///     """
/// let schema = try SchemaImporter.importSchema(source: source, fileName: "schema.ts")
/// ```
///
/// Exported interfaces become entities, string-literal unions enums (`Role` the roles), discriminated
/// unions of object types block unions, `access` the access rules and `actions` the lifecycle bindings.
/// Anything outside the subset fails with a ``SchemaImportError`` at the offending token; the schema it
/// describes is then checked with ``Schema/validate()``, whose problems are reported at the declarations
/// they concern. `docs/guide/schema-ts.md` specifies the subset.
public enum SchemaImporter {
    /// The JSDoc tags fields understand.
    static let fieldTags = [
        "unique", "indexed", "pii", "default", "min", "max", "minLength", "maxLength", "pattern", "oneOf", "format", "text",
        "date",
        "int", "formerly",
    ]

    /// Parses `source` and builds the schema it declares.
    ///
    /// - Parameters:
    ///   - source: The text of the file.
    ///   - fileName: The name errors start with, such as `schema.ts` or a path.
    /// - Throws: ``SchemaImportError`` at the first construct outside the subset, or for every problem
    ///   ``Schema/validate()`` finds.
    public static func importSchema(source: String, fileName: String = "schema.ts") throws(SchemaImportError) -> Schema
    {
        var lexer = TSLexer(source: source, file: fileName)
        var parser = TSParser(tokens: try lexer.tokenize(), file: fileName)
        let file = try parser.parseFile()
        var builder = SchemaTSModelBuilder(file: fileName)
        return try builder.build(file)
    }
}
