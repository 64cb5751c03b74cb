import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation

/// Resolves the platform schema's fields: the signed-in user, users and sessions (through AtomoAuth's
/// `Authenticator`), the audit log (through the content engine, which applies the access policy) and
/// the raw event log (Admin). Platform objects are JSON objects whose members the types read by name.
struct PlatformFieldResolver: Sendable {
    let engine: ContentEngine
    let authenticator: Authenticator?
    let principal: Principal
    let isAdmin: Bool

    private func requireAdmin() throws(GraphQLFieldError) {
        guard principal.isSystem || principal.roles.contains("Admin") else {
            throw GraphQLFieldError(.forbidden, "only an Admin may do this")
        }
    }

    private func requireAuthenticator() throws(GraphQLFieldError) -> Authenticator {
        guard let authenticator else { throw GraphQLFieldError(.internalServerError, "internal server error") }
        return authenticator
    }

    private static func run<T>(_ body: () async throws -> T) async throws(GraphQLFieldError) -> T {
        do {
            return try await body()
        } catch let error as AuthenticationError {
            switch error {
            case .emailTaken: throw GraphQLFieldError(.conflict, error.description)
            case .unknownUser: throw GraphQLFieldError(.notFound, error.description)
            case .invalidEmail, .unknownRole, .unsupportedPasswordHash:
                throw GraphQLFieldError(.badUserInput, error.description)
            default: throw GraphQLFieldError(.forbidden, error.description)
            }
        } catch let error as PasswordPolicyError {
            throw GraphQLFieldError(.badUserInput, error.description, extensions: ["fields": [["field": "password"]]])
        } catch let error as ContentError {
            throw GraphQLFieldError(error)
        } catch {
            throw GraphQLFieldError.from(error)
        }
    }

    private func userValue(_ user: User, roles known: Set<String>) -> ResolvedValue {
        .json([
            "id": .string(user.id), "email": .string(user.email),
            // A role the current schema no longer declares cannot be shown as a Role value.
            "roles": .array(user.roles.filter(known.contains).map(JSONValue.string)),
            "tenant": user.tenant.map(JSONValue.string) ?? .null, "disabled": .bool(user.isDisabled),
        ])
    }

    func resolve(
        _ kind: FieldKind, _ arguments: [String: JSONValue], roles: [String]
    ) async throws(GraphQLFieldError) -> ResolvedValue {
        let known = Set(roles)
        switch kind {
        case .me:
            guard let userID = principal.userID else { return .null }
            if let authenticator, let user = try await Self.run({ try await authenticator.user(id: userID) }) {
                return userValue(user, roles: known)
            }
            return .json([
                "id": .string(userID), "email": principal.email.map(JSONValue.string) ?? .null,
                "roles": .array(principal.roles.filter(known.contains).map(JSONValue.string)),
                "tenant": principal.tenant.map(JSONValue.string) ?? .null, "disabled": false,
            ])
        case .users:
            try requireAdmin()
            let authenticator = try requireAuthenticator()
            let first = min(max(Int(arguments["first"]?.intValue ?? 50), 0), 1_000)
            let after = arguments["after"]?.stringValue
            let users = try await Self.run { try await authenticator.users(after: after, limit: first) }
            let result = users.map { userValue($0, roles: known) }
            return .list(result)
        case .createUser:
            try requireAdmin()
            let authenticator = try requireAuthenticator()
            let input = arguments["input"]
            let actor = principal.actorName
            let user = try await Self.run {
                try await authenticator.register(
                    email: input?["email"]?.stringValue ?? "", password: input?["password"]?.stringValue ?? "",
                    roles: input?["roles"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    tenant: input?["tenant"]?.stringValue,
                    actor: actor)
            }
            return userValue(user, roles: known)
        case .updateUser:
            try requireAdmin()
            let authenticator = try requireAuthenticator()
            let id = arguments["id"]?.stringValue ?? ""
            let input = arguments["input"]
            let actor = principal.actorName
            guard try await Self.run({ try await authenticator.user(id: id) }) != nil else {
                throw GraphQLFieldError(.notFound, "no user has id \(id)")
            }
            if let roles = input?["roles"]?.arrayValue {
                try await Self.run {
                    try await authenticator.changeRoles(userID: id, to: roles.compactMap(\.stringValue), actor: actor)
                }
            }
            switch input?["disabled"]?.boolValue {
            case true?:
                try await Self.run {
                    try await authenticator.disable(userID: id, reason: "disabled by \(actor)", actor: actor)
                }
            case false?: try await Self.run { try await authenticator.enable(userID: id, actor: actor) }
            case nil: break
            }
            guard let user = try await Self.run({ try await authenticator.user(id: id) }) else {
                throw GraphQLFieldError(.notFound, "no user has id \(id)")
            }
            return userValue(user, roles: known)
        case .sessions:
            _ = try requireAuthenticator()
            let target = arguments["userID"]?.stringValue ?? principal.userID
            guard let target else { throw GraphQLFieldError(.unauthenticated, "sign in to list sessions") }
            if target != principal.userID { try requireAdmin() }
            return .list(try await sessions(of: target))
        case .auditLog:
            let filter = arguments["where"]
            var query = AuditQuery(limit: min(max(Int(arguments["first"]?.intValue ?? 100), 1), 1_000))
            query.actor = filter?["actor"]?.stringValue
            query.entities = filter?["entities"]?.arrayValue?.compactMap(\.stringValue)
            query.recordID = filter?["recordID"]?.stringValue
            query.from = try QueryArguments.date(filter?["from"])
            query.to = try QueryArguments.date(filter?["to"])
            query.beforePosition = arguments["before"]?.stringValue.flatMap { Int64($0) }
            let engine = self.engine
            let principal = self.principal
            let changes = try await Self.run { try await engine.audit(query, as: principal) }
            return .list(
                changes.map { change in
                    .json([
                        "entity": .string(change.entity), "id": .string(change.id),
                        "kind": .string(change.kind.rawValue.uppercased()),
                        "version": .int(change.version), "position": .string(String(change.position)),
                        "at": .string(AtomoScalars.formatDateTime(change.at)),
                        "actor": change.actor.map(JSONValue.string) ?? .null,
                        "fields": .object(change.fields), "previous": .object(change.previous),
                    ])
                })
        case .events:
            try requireAdmin()
            let after = arguments["after"]?.stringValue.flatMap { Int64($0) } ?? 0
            let first = min(max(Int(arguments["first"]?.intValue ?? 100), 1), 1_000)
            let types = arguments["types"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
            let events = engine.events
            let page = try await Self.run {
                try await events.readAllPage(after: after, limit: first, filter: EventFilter(eventTypes: types))
            }
            return .list(page.events.map(Self.eventValue))
        default:
            throw GraphQLFieldError(.internalServerError, "internal server error")
        }
    }

    /// The user's stored sessions, newest first (at most 100), each with the client address its
    /// `SessionStarted` event recorded: one read of the session's own stream, never a scan of the log.
    private func sessions(of userID: String) async throws(GraphQLFieldError) -> [ResolvedValue] {
        struct Started: Decodable { var clientAddress: String? }
        let authenticator = try requireAuthenticator()
        let stored = try await Self.run { try await authenticator.sessions(userID: userID, limit: 100) }
        let events = engine.events
        var result: [ResolvedValue] = []
        for session in stored {
            let first = try await Self.run {
                try await events.readStream(
                    try StreamName(category: SessionRecord.category, id: session.id), from: .start, limit: 1)
            }
            let clientAddress = first.first.flatMap { event in
                event.type == SessionStarted.eventType
                    ? (try? JSONDecoder().decode(Started.self, from: event.payload))?.clientAddress : nil
            }
            result.append(
                .json([
                    "id": .string(session.id), "userID": .string(session.userID),
                    "startedAt": .string(AtomoScalars.formatDateTime(session.createdAt)),
                    "expiresAt": .string(AtomoScalars.formatDateTime(session.expiresAt)),
                    "endedAt": session.endedAt.map { .string(AtomoScalars.formatDateTime($0)) } ?? .null,
                    "endReason": session.endReason.map { .string($0.rawValue) } ?? .null,
                    "clientAddress": clientAddress.map(JSONValue.string) ?? .null,
                ]))
        }
        return result
    }

    static func eventValue(_ event: RecordedEvent) -> ResolvedValue {
        var metadata: [String: JSONValue] = [:]
        if let value = event.metadata.correlationID { metadata["correlationID"] = .string(value) }
        if let value = event.metadata.causationID { metadata["causationID"] = .string(value) }
        if let value = event.metadata.actor { metadata["actor"] = .string(value) }
        if let value = event.metadata.tenant { metadata["tenant"] = .string(value) }
        if !event.metadata.custom.isEmpty {
            metadata["custom"] = .object(event.metadata.custom.mapValues(JSONValue.string))
        }
        return .json([
            "position": .string(String(event.position)), "stream": .string(event.stream.rawValue),
            "type": .string(event.type),
            "version": .int(event.streamVersion), "recordedAt": .string(AtomoScalars.formatDateTime(event.committedAt)),
            "data": (try? JSONDecoder().decode(JSONValue.self, from: event.payload)) ?? .null,
            "metadata": .object(metadata),
        ])
    }
}
