public import AtomoAuth
import AtomoContent
import AtomoEvents
public import AtomoSchema
import Foundation
import GraphQL

/// The platform's own GraphQL: the signed-in user, the audit log, users and sessions, and the raw
/// event log — a ``GraphQLSchemaPart`` like any other module's, gated by platform capabilities.
///
/// | field | who sees it |
/// |---|---|
/// | `me` | everyone (null when anonymous) |
/// | `auditLog(where, first, before)` | holders of `readAudit` (entries still filtered by each entity's read rule) |
/// | `sessions(userID)` | everyone, with user management: one's own; another user's needs `manageUsers` |
/// | `users`, `createUser`, `updateUser` | holders of `manageUsers`, with user management |
/// | `events(after, types, first)`, subscription `events(types)` | holders of `readEventLog` |
///
/// User management needs an ``AtomoAuth/Authenticator``; platform objects are JSON objects whose
/// members their types read by name. Type names get an `Atomo` prefix when the declared schema
/// already uses them (`AtomoUser`).
public struct PlatformSchemaPart: GraphQLSchemaPart {
    /// Serves users and sessions; nil leaves user management out unless `userManagement` asks for it
    /// (a schema built for validation or introspection only).
    public let authenticator: Authenticator?
    /// Whether `users`, `createUser`, `updateUser` and `sessions` are in the schema.
    public let userManagement: Bool

    /// The platform part; user management is served when an `authenticator` is given (or, for a
    /// schema that is only validated or introspected, when `userManagement` says so).
    public init(authenticator: Authenticator? = nil, userManagement: Bool? = nil) {
        self.authenticator = authenticator
        self.userManagement = userManagement ?? (authenticator != nil)
    }

    /// `platform`.
    public var name: String { "platform" }

    /// Adds the platform's types and the fields the audience's capabilities allow.
    public func contribute(to builder: GraphQLPartBuilder) throws {
        let types = PlatformTypes(builder)
        let resolver = PlatformResolver(authenticator: authenticator)
        builder.query("me", types.user, description: "The signed-in user (null when anonymous).") { request in
            try await resolver.me(request)
        }
        if builder.holds(.readAudit) {
            let auditWhere = builder.input("AuditWhere", description: "Which changes the audit log lists.") {
                [
                    "actor": InputObjectField(type: GraphQLString),
                    "entities": InputObjectField(type: GraphQLList(GraphQLNonNull(GraphQLString))),
                    "recordID": InputObjectField(type: GraphQLID),
                    "from": InputObjectField(type: AtomoScalars.dateTime),
                    "to": InputObjectField(type: AtomoScalars.dateTime),
                ]
            }
            builder.query(
                "auditLog", GraphQLNonNull(GraphQLList(GraphQLNonNull(types.auditEntry))),
                arguments: [
                    "where": GraphQLArgument(type: auditWhere), "first": GraphQLArgument(type: GraphQLInt),
                    "before": GraphQLArgument(
                        type: GraphQLString, description: "A position: changes before it (the next page)."),
                ],
                description: "Changes across entities, newest first, as far as the principal may read them (readAudit)."
            ) { request in try await resolver.auditLog(request) }
        }
        if userManagement {
            builder.query(
                "sessions", GraphQLNonNull(GraphQLList(GraphQLNonNull(types.session))),
                arguments: [
                    "userID": GraphQLArgument(type: GraphQLID, description: "Another user's sessions (manageUsers).")
                ],
                description: "The signed-in user's sessions, newest first."
            ) { request in try await resolver.sessions(request) }
        }
        if builder.holds(.readEventLog) {
            builder.query(
                "events", GraphQLNonNull(GraphQLList(GraphQLNonNull(types.event))),
                arguments: [
                    "after": GraphQLArgument(type: GraphQLString, description: "A position: events after it."),
                    "types": GraphQLArgument(type: GraphQLList(GraphQLNonNull(GraphQLString))),
                    "first": GraphQLArgument(type: GraphQLInt),
                ], description: "The event log in global order (readEventLog)."
            ) { request in try await resolver.events(request) }
            builder.subscription(
                "events", GraphQLNonNull(types.event),
                arguments: ["types": GraphQLArgument(type: GraphQLList(GraphQLNonNull(GraphQLString)))],
                description: "Events as they commit (readEventLog)."
            ) { request in try await resolver.eventsFeed(request) }
        }
        guard userManagement, builder.holds(.manageUsers) else { return }
        builder.query(
            "users", GraphQLNonNull(GraphQLList(GraphQLNonNull(types.user))),
            arguments: ["first": GraphQLArgument(type: GraphQLInt), "after": GraphQLArgument(type: GraphQLID)],
            description: "Users in order of registration (manageUsers)."
        ) { request in try await resolver.users(request) }
        let roles = builder.roleEnum
        let createInput = builder.input("CreateUserInput") {
            [
                "email": InputObjectField(type: GraphQLNonNull(GraphQLString)),
                "password": InputObjectField(type: GraphQLNonNull(GraphQLString)),
                "roles": InputObjectField(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(roles)))),
                "tenant": InputObjectField(type: GraphQLString),
            ]
        }
        let updateInput = builder.input("UpdateUserInput", description: "Members left out stay as they are.") {
            [
                "roles": InputObjectField(type: GraphQLList(GraphQLNonNull(roles))),
                "disabled": InputObjectField(type: GraphQLBoolean),
            ]
        }
        builder.mutation(
            "createUser", GraphQLNonNull(types.user),
            arguments: ["input": GraphQLArgument(type: GraphQLNonNull(createInput))],
            description: "Registers a user (manageUsers)."
        ) { request in try await resolver.createUser(request) }
        builder.mutation(
            "updateUser", GraphQLNonNull(types.user),
            arguments: [
                "id": GraphQLArgument(type: GraphQLNonNull(GraphQLID)),
                "input": GraphQLArgument(type: GraphQLNonNull(updateInput)),
            ],
            description: "Changes a user's roles, or disables or enables the user (manageUsers)."
        ) { request in try await resolver.updateUser(request) }
    }
}

/// The platform's object types, made once per role schema.
private struct PlatformTypes {
    let user: GraphQLObjectType
    let session: GraphQLObjectType
    let auditEntry: GraphQLObjectType
    let event: GraphQLObjectType

    init(_ builder: GraphQLPartBuilder) {
        typealias Member = GraphQLPartBuilder.Member
        user = builder.object(
            "User", description: "A user of the platform.",
            members: [
                Member("id", GraphQLNonNull(GraphQLID)), Member("email", GraphQLString),
                Member("roles", GraphQLNonNull(GraphQLList(GraphQLNonNull(builder.roleEnum)))),
                Member("tenant", GraphQLString), Member("disabled", GraphQLNonNull(GraphQLBoolean)),
            ])
        session = builder.object(
            "Session", description: "A login session.",
            members: [
                Member("id", GraphQLNonNull(GraphQLID)), Member("userID", GraphQLNonNull(GraphQLID)),
                Member("startedAt", GraphQLNonNull(builder.dateTime)), Member("expiresAt", builder.dateTime),
                Member("endedAt", builder.dateTime), Member("endReason", GraphQLString),
                Member("clientAddress", GraphQLString),
            ])
        auditEntry = builder.object(
            "AuditEntry", description: "One change to one record, as the audit log shows it.",
            members: [
                Member("entity", GraphQLNonNull(GraphQLString)), Member("id", GraphQLNonNull(GraphQLID)),
                Member("kind", GraphQLNonNull(builder.changeKindEnum)), Member("version", GraphQLNonNull(GraphQLInt)),
                Member("position", GraphQLNonNull(GraphQLString)), Member("at", GraphQLNonNull(builder.dateTime)),
                Member("actor", GraphQLString), Member("fields", GraphQLNonNull(builder.json)),
                Member("previous", GraphQLNonNull(builder.json)),
            ])
        event = builder.object(
            "Event", description: "One event of the log. Positions are strings (64-bit integers).",
            members: [
                Member("position", GraphQLNonNull(GraphQLString)), Member("stream", GraphQLNonNull(GraphQLString)),
                Member("type", GraphQLNonNull(GraphQLString)), Member("version", GraphQLNonNull(GraphQLInt)),
                Member("recordedAt", GraphQLNonNull(builder.dateTime)), Member("data", builder.json),
                Member("metadata", GraphQLNonNull(builder.json)),
            ])
    }
}
