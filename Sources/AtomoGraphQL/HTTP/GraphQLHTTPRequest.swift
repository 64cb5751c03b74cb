/// An HTTP request as the host's web framework received it, reduced to what GraphQL over HTTP needs.
public struct GraphQLHTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The headers; names are matched case-insensitively.
    public var headers: [(name: String, value: String)]
    /// The URL's query string without the `?` (`query=%7B...%7D&operationName=…`), for GET.
    public var queryString: String?
    /// The body bytes, for POST.
    public var body: [UInt8]

    /// Creates a request.
    public init(
        method: String, headers: [(name: String, value: String)] = [], queryString: String? = nil, body: [UInt8] = []
    ) {
        self.method = method
        self.headers = headers
        self.queryString = queryString
        self.body = body
    }

    /// The first value of the header `name`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The HTTP response to send.
public struct GraphQLHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers (`Content-Type`, and `Allow` or `WWW-Authenticate` where the status calls for them).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
