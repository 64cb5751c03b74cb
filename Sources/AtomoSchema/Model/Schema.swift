public import Foundation

/// A declared schema: entities, enums, block unions, roles and their rules — the one model that
/// the Swift DSL, the canonical JSON and `schema.ts` all produce, and that everything else reads.
///
/// ```swift
/// let schema = Schema(
///     entities: [Entity("Company", fields: [Field("name", .string, required: true)])])
/// try schema.validate()
/// let json = try schema.canonicalJSON()          // what /meta/schema serves
/// let same = try Schema(canonicalJSON: json)     // == schema
/// ```
public struct Schema: Sendable, Hashable, Codable {
    /// The roles principals can hold, in declaration order.
    public var roles: [String]
    /// The enums (not including the roles).
    public var enums: [EnumType]
    /// The block unions.
    public var blocks: [BlockUnion]
    /// The entities.
    public var entities: [Entity]
    /// The platform capabilities granted per role (see ``grants(_:to:)``). A role left out holds
    /// every capability when it is the first role and none otherwise; empty by default.
    public var capabilities: [String: [PlatformCapability]]

    /// The roles of the original design, used when a schema declares none.
    public static let defaultRoles = ["Admin", "Manager", "Sales", "Support", "Viewer"]

    /// Creates a schema.
    public init(
        roles: [String] = Schema.defaultRoles, enums: [EnumType] = [], blocks: [BlockUnion] = [],
        entities: [Entity] = [], capabilities: [String: [PlatformCapability]] = [:]
    ) {
        self.roles = roles
        self.enums = enums
        self.blocks = blocks
        self.entities = entities
        self.capabilities = capabilities
    }

    /// The entity named `name`, or nil.
    public func entity(_ name: String) -> Entity? { entities.first { $0.name == name } }
    /// The enum named `name`, or nil.
    public func enumType(_ name: String) -> EnumType? { enums.first { $0.name == name } }
    /// The block union named `name`, or nil.
    public func blockUnion(_ name: String) -> BlockUnion? { blocks.first { $0.name == name } }

    private enum CodingKeys: String, CodingKey { case roles, enums, blocks, entities, capabilities }

    /// Decodes the canonical form; `roles` defaults to ``defaultRoles``, `enums`, `blocks` and
    /// `capabilities` to none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? Schema.defaultRoles
        enums = try container.decodeIfPresent([EnumType].self, forKey: .enums) ?? []
        blocks = try container.decodeIfPresent([BlockUnion].self, forKey: .blocks) ?? []
        entities = try container.decode([Entity].self, forKey: .entities)
        capabilities = try container.decodeIfPresent([String: [PlatformCapability]].self, forKey: .capabilities) ?? [:]
    }

    /// Encodes the canonical form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(roles, forKey: .roles)
        try container.encode(enums, forKey: .enums)
        try container.encode(blocks, forKey: .blocks)
        try container.encode(entities, forKey: .entities)
        // Absent when empty, so the canonical JSON (and fingerprint) of a schema without grants is
        // what it was before capabilities existed.
        if !capabilities.isEmpty { try container.encode(capabilities, forKey: .capabilities) }
    }

    /// The canonical JSON: sorted keys, declaration order within arrays, two-space indentation, no
    /// escaped slashes. Equal schemas give equal bytes.
    public func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes canonical JSON and validates the result.
    ///
    /// - Throws: ``SchemaError/malformedJSON(_:)`` when the JSON does not have the canonical shape,
    ///   ``SchemaError/invalid(_:)`` when the schema it describes is inconsistent.
    public init(canonicalJSON data: Data) throws(SchemaError) {
        do {
            self = try JSONDecoder().decode(Schema.self, from: data)
        } catch {
            throw .malformedJSON(Self.describe(error))
        }
        try validate()
    }

    /// A SHA-256 of the canonical JSON, in lowercase hex: equal schemas have equal fingerprints, and
    /// any change gives another.
    public var fingerprint: String {
        let data = (try? canonicalJSON()) ?? Data()
        return SHA256Digest.hex(of: data)
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            return components.isEmpty ? "$" : "$" + components.joined()
        }
        switch error {
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context)): missing '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type) (\(context.debugDescription))"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type), found null"
        @unknown default: return "\(error)"
        }
    }
}

/// A schema that cannot be used.
public enum SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The canonical JSON does not have the expected shape; the message names the JSON path.
    case malformedJSON(String)
    /// The schema is inconsistent; every problem found is listed.
    case invalid([SchemaIssue])

    /// A message listing what is wrong.
    public var description: String {
        switch self {
        case .malformedJSON(let message): "malformed schema JSON: \(message)"
        case .invalid(let issues):
            "invalid schema (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n"
                + issues.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}

/// One problem in a schema: where (`Contact.company`) and what.
public struct SchemaIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is: an entity, `Entity.field`, `Block.Variant.field`, `enum Stage`, `roles`.
    public var location: String
    /// What is wrong.
    public var message: String

    /// Creates an issue.
    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `location: message`.
    public var description: String { "\(location): \(message)" }
}
