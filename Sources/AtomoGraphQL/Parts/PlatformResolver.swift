import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation

/// Resolves the platform part's fields: the signed-in user, users and sessions (through AtomoAuth's
/// `Authenticator`), the audit log (through the content engine, which applies each entity's read
/// rule) and the raw event log. Each field asks the engine's policy for the capability it needs
/// before doing anything, whatever the schema it was validated against showed.
struct PlatformResolver: Sendable {
    let authenticator: Authenticator?

    private func requireAuthenticator() throws(GraphQLFieldError) -> Authenticator {
        guard let authenticator else { throw GraphQLFieldError(.internalServerError, "internal server error") }
        return authenticator
    }

    private static func run<T>(_ body: () async throws -> T) async throws(GraphQLFieldError) -> T {
        do {
            return try await body()
        } catch let error as AuthenticationError {
            switch error {
            case .emailTaken, .lastAdministrator: throw GraphQLFieldError(.conflict, error.description)
            case .unknownUser: throw GraphQLFieldError(.notFound, error.description)
            case .invalidEmail, .unknownRole, .unsupportedPasswordHash:
                throw GraphQLFieldError(.badUserInput, error.description)
            default: throw GraphQLFieldError(.forbidden, error.description)
            }
        } catch let error as PasswordPolicyError {
            throw GraphQLFieldError(.badUserInput, error.description, extensions: ["fields": [["field": "password"]]])
        } catch let error as ContentError {
            throw GraphQLFieldError(error)
        } catch let error as GraphQLFieldError {
            throw error
        } catch {
            throw GraphQLFieldError.from(error)
        }
    }

    /// A user as the `User` type reads it; a role the current schema no longer declares cannot be
    /// shown as a `Role` value, so it is left out.
    private static func userValue(_ user: User, roles known: Set<String>) -> JSONValue {
        [
            "id": .string(user.id), "email": .string(user.email),
            "roles": .array(user.roles.filter(known.contains).map(JSONValue.string)),
            "tenant": user.tenant.map(JSONValue.string) ?? .null, "disabled": .bool(user.isDisabled),
        ]
    }

    private static func knownRoles(_ request: GraphQLPartRequest) -> Set<String> {
        Set(request.schema.view.schema.roles)
    }

    func me(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        let principal = request.principal
        guard let userID = principal.userID else { return .null }
        let known = Self.knownRoles(request)
        if let authenticator, let user = try await Self.run({ try await authenticator.user(id: userID) }) {
            return Self.userValue(user, roles: known)
        }
        return [
            "id": .string(userID), "email": principal.email.map(JSONValue.string) ?? .null,
            "roles": .array(principal.roles.filter(known.contains).map(JSONValue.string)),
            "tenant": principal.tenant.map(JSONValue.string) ?? .null, "disabled": false,
        ]
    }

    func users(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        try request.require(.manageUsers)
        let authenticator = try requireAuthenticator()
        let first = min(max(Int(request.arguments["first"]?.intValue ?? 50), 0), 1_000)
        let after = request.arguments["after"]?.stringValue
        let users = try await Self.run { try await authenticator.users(after: after, limit: first) }
        let known = Self.knownRoles(request)
        return .array(users.map { Self.userValue($0, roles: known) })
    }

    func createUser(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        try request.require(.manageUsers)
        let authenticator = try requireAuthenticator()
        let input = request.arguments["input"]
        let principal = request.principal
        let user = try await Self.run {
            try await authenticator.register(
                email: input?["email"]?.stringValue ?? "", password: input?["password"]?.stringValue ?? "",
                roles: input?["roles"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                tenant: input?["tenant"]?.stringValue, as: principal)
        }
        return Self.userValue(user, roles: Self.knownRoles(request))
    }

    func updateUser(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        try request.require(.manageUsers)
        let authenticator = try requireAuthenticator()
        let id = request.arguments["id"]?.stringValue ?? ""
        let input = request.arguments["input"]
        let principal = request.principal
        guard try await Self.run({ try await authenticator.user(id: id) }) != nil else {
            throw GraphQLFieldError(.notFound, "no user has id \(id)")
        }
        if let roles = input?["roles"]?.arrayValue {
            try await Self.run {
                try await authenticator.changeRoles(userID: id, to: roles.compactMap(\.stringValue), as: principal)
            }
        }
        switch input?["disabled"]?.boolValue {
        case true?:
            try await Self.run {
                try await authenticator.disable(
                    userID: id, reason: "disabled by \(principal.actorName)", as: principal)
            }
        case false?: try await Self.run { try await authenticator.enable(userID: id, as: principal) }
        case nil: break
        }
        guard let user = try await Self.run({ try await authenticator.user(id: id) }) else {
            throw GraphQLFieldError(.notFound, "no user has id \(id)")
        }
        return Self.userValue(user, roles: Self.knownRoles(request))
    }

    func sessions(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        _ = try requireAuthenticator()
        let principal = request.principal
        let target = request.arguments["userID"]?.stringValue ?? principal.userID
        guard let target else { throw GraphQLFieldError(.unauthenticated, "sign in to list sessions") }
        if target != principal.userID { try request.require(.manageUsers) }
        return .array(try await sessions(of: target, events: request.engine.events))
    }

    func auditLog(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        try request.require(.readAudit)
        let arguments = request.arguments
        let filter = arguments["where"]
        var query = AuditQuery(limit: min(max(Int(arguments["first"]?.intValue ?? 100), 1), 1_000))
        query.actor = filter?["actor"]?.stringValue
        query.entities = filter?["entities"]?.arrayValue?.compactMap(\.stringValue)
        query.recordID = filter?["recordID"]?.stringValue
        query.from = try QueryArguments.date(filter?["from"])
        query.to = try QueryArguments.date(filter?["to"])
        query.beforePosition = arguments["before"]?.stringValue.flatMap { Int64($0) }
        let engine = request.engine
        let principal = request.principal
        let changes = try await Self.run { try await engine.audit(query, as: principal) }
        return .array(
            changes.map { change in
                [
                    "entity": .string(change.entity), "id": .string(change.id),
                    "kind": .string(change.kind.rawValue.uppercased()),
                    "version": .int(change.version), "position": .string(String(change.position)),
                    "at": .string(AtomoScalars.formatDateTime(change.at)),
                    "actor": change.actor.map(JSONValue.string) ?? .null,
                    "fields": .object(change.fields), "previous": .object(change.previous),
                ]
            })
    }

    func events(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> JSONValue {
        try request.require(.readEventLog)
        let arguments = request.arguments
        let after = arguments["after"]?.stringValue.flatMap { Int64($0) } ?? 0
        let first = min(max(Int(arguments["first"]?.intValue ?? 100), 1), 1_000)
        let types = arguments["types"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        let events = request.engine.events
        let page = try await Self.run {
            try await events.readAllPage(after: after, limit: first, filter: EventFilter(eventTypes: types))
        }
        return .array(page.events.map(Self.eventValue))
    }

    /// The subscription `events(types:)`: every event committed from the moment it starts.
    func eventsFeed(_ request: GraphQLPartRequest) async throws(GraphQLFieldError) -> AsyncStream<JSONValue> {
        try request.require(.readEventLog)
        let types = request.arguments["types"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        let events = request.engine.events
        let head = try await Self.run { try await events.headPosition() }
        let subscription = events.subscribe(after: head, filter: EventFilter(eventTypes: types))
        let (stream, continuation) = AsyncStream<JSONValue>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let task = Task {
            do {
                for try await event in subscription {
                    if Task.isCancelled { break }
                    continuation.yield(Self.eventValue(event))
                }
            } catch {}
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// The user's stored sessions, newest first (at most 100), each with the client address its
    /// `SessionStarted` event recorded: one read of the session's own stream, never a scan of the log.
    private func sessions(of userID: String, events: any EventStore) async throws(GraphQLFieldError) -> [JSONValue] {
        struct Started: Decodable { var clientAddress: String? }
        let authenticator = try requireAuthenticator()
        let stored = try await Self.run { try await authenticator.sessions(userID: userID, limit: 100) }
        var result: [JSONValue] = []
        for session in stored {
            let first = try await Self.run {
                try await events.readStream(
                    try StreamName(category: SessionRecord.category, id: session.id), from: .start, limit: 1)
            }
            let clientAddress = first.first.flatMap { event in
                event.type == SessionStarted.eventType
                    ? (try? JSONDecoder().decode(Started.self, from: event.payload))?.clientAddress : nil
            }
            result.append([
                "id": .string(session.id), "userID": .string(session.userID),
                "startedAt": .string(AtomoScalars.formatDateTime(session.createdAt)),
                "expiresAt": .string(AtomoScalars.formatDateTime(session.expiresAt)),
                "endedAt": session.endedAt.map { .string(AtomoScalars.formatDateTime($0)) } ?? .null,
                "endReason": session.endReason.map { .string($0.rawValue) } ?? .null,
                "clientAddress": clientAddress.map(JSONValue.string) ?? .null,
            ])
        }
        return result
    }

    static func eventValue(_ event: RecordedEvent) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        if let value = event.metadata.correlationID { metadata["correlationID"] = .string(value) }
        if let value = event.metadata.causationID { metadata["causationID"] = .string(value) }
        if let value = event.metadata.actor { metadata["actor"] = .string(value) }
        if let value = event.metadata.tenant { metadata["tenant"] = .string(value) }
        if !event.metadata.custom.isEmpty {
            metadata["custom"] = .object(event.metadata.custom.mapValues(JSONValue.string))
        }
        return [
            "position": .string(String(event.position)), "stream": .string(event.stream.rawValue),
            "type": .string(event.type),
            "version": .int(event.streamVersion), "recordedAt": .string(AtomoScalars.formatDateTime(event.committedAt)),
            "data": (try? JSONDecoder().decode(JSONValue.self, from: event.payload)) ?? .null,
            "metadata": .object(metadata),
        ]
    }
}
