/// A GraphQL response as JSON bytes, with what a transport needs to choose its status.
public struct GraphQLResponse: Sendable {
    /// The JSON body: `{"data": …, "errors": […]}`, or `{"errors": […]}` for a request error.
    public var body: [UInt8]
    /// Whether the response has a non-null `data` (execution ran and did not null the root).
    public var hasData: Bool
    /// The error that stopped the request before execution, if one did.
    public var requestError: GraphQLRequestError?
    /// The HTTP status the request error calls for (400 unless said otherwise), nil after execution.
    public var requestErrorStatus: Int?

    /// A response from an execution.
    public init(body: [UInt8], hasData: Bool) {
        self.body = body
        self.hasData = hasData
        self.requestError = nil
        self.requestErrorStatus = nil
    }

    /// A response for a request that was not executed.
    public init(requestError: GraphQLRequestError, status: Int = 400) {
        self.body = Self.errorBody(requestError, withNullData: false)
        self.hasData = false
        self.requestError = requestError
        self.requestErrorStatus = status
    }

    /// `{"errors":[{"message": …, "locations": […], "extensions": {"code": …}}]}`.
    static func errorBody(_ error: GraphQLRequestError, withNullData: Bool) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        if withNullData {
            writer.key("data")
            writer.null()
        }
        writer.key("errors")
        writer.beginArray()
        PlanExecutor.writeError(
            PlanExecutor.ErrorEntry(
                error: GraphQLFieldError(error.code, error.message), path: [], location: error.location),
            into: &writer)
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
