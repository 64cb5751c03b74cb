public import AtomoContent
public import AtomoSchema

/// Why a hot reload was refused; the serving schema is unchanged in every case.
public enum SchemaReloadError: Error, Sendable, CustomStringConvertible {
    /// GraphQL cannot express the new schema (nothing was migrated).
    case graphQL(GraphQLSchemaBuildError)
    /// The read models cannot take the new schema (the engine kept the old one).
    case readModels(ContentError)

    /// What went wrong.
    public var description: String {
        switch self {
        case .graphQL(let error): "\(error)"
        case .readModels(let error): "the read models cannot take this schema: \(error)"
        }
    }
}

extension GraphQLService {
    /// Hot reload, as one step: diffs `schema` against the one serving, builds its GraphQL schema
    /// with this service's parts as a check (a schema GraphQL cannot express must not migrate
    /// anything), migrates the engine's read models (in place, or blue/green when the change needs
    /// a rebuild; the engine's policy follows the new roles and grants), then serves it from the
    /// next request on. Returns the differences, for the host's log.
    ///
    /// ```swift
    /// let diff = try await service.reload(to: edited)
    /// logger.info("schema changed", metadata: ["changes": "\(diff.changes.count)"])
    /// ```
    ///
    /// - Throws: ``SchemaReloadError``; on any error the old schema keeps serving.
    @discardableResult
    public func reload(to schema: Schema) async throws(SchemaReloadError) -> SchemaDiff {
        let diff = SchemaDiff(from: registry.schema, to: schema)
        do {
            _ = try GraphQLSchemaRegistry(schema: schema, parts: registry.parts).schema(for: SchemaAudience.system)
        } catch {
            throw .graphQL(error)
        }
        do {
            try await engine.replaceSchema(schema)
        } catch {
            throw .readModels(error)
        }
        do {
            try replaceSchema(schema)
        } catch {
            throw .graphQL(error)
        }
        return diff
    }
}
