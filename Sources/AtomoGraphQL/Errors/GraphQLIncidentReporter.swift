import AtomoSchema

/// Where an `INTERNAL_SERVER_ERROR` goes: the host's log, under an id the client also receives.
///
/// An internal error's text never reaches the client, so without a report nobody would ever learn
/// its cause. A host binds a reporter around each request; when a resolver fails with an error that
/// is not the client's (a storage failure, an unexpected error), the reporter receives the error and
/// answers the id to show, which goes into the error's `extensions.requestId`.
///
/// ```swift
/// let reporter = GraphQLIncidentReporter { error in
///     logger.error("internal error", metadata: ["requestId": "\(requestID)", "error": "\(error)"])
///     return requestID
/// }
/// let response = await GraphQLIncidentReporter.$current.withValue(reporter) {
///     await handler.handle(request)
/// }
/// ```
public struct GraphQLIncidentReporter: Sendable {
    /// The reporter of the request running in this task (and the tasks it starts).
    @TaskLocal public static var current: GraphQLIncidentReporter?

    /// Records `error` and answers the id the client is given.
    public let report: @Sendable (any Error) -> String

    /// Creates a reporter.
    public init(report: @escaping @Sendable (any Error) -> String) {
        self.report = report
    }

    /// Reports `error` to the current reporter, if any: the extensions to add to the client's error.
    static func extensions(reporting error: any Error) -> [String: JSONValue] {
        guard let reporter = current else { return [:] }
        return ["requestId": .string(reporter.report(error))]
    }
}
