import AtomoAuth
public import AtomoSchema
import Foundation

/// GraphQL over HTTP (the GraphQL-over-HTTP specification), transport-neutral: the host's web
/// framework hands in method, headers, query string and body, and sends back status, headers and body.
///
/// - `POST` with `Content-Type: application/json` and `{"query", "operationName", "variables"}`;
///   `GET` with the same as URL parameters, for queries only (a mutation over GET is 405).
/// - Responses are `application/graphql-response+json` when the client accepts it, else
///   `application/json`. With the former, a request error (malformed, parse, validation, variables)
///   is 400 and an executed request 200; with the latter every well-formed request is 200.
/// - `Authorization: Bearer <token>` is resolved by the host's `authenticate` closure; an invalid
///   token is 401 `UNAUTHENTICATED`; no header is the anonymous principal.
/// - Bodies over ``GraphQLLimits/maxRequestBytes`` are 413; invalid UTF-8, JSON nested deeper than
///   ``GraphQLLimits/maxNesting`` or not an object is 400, all before anything is parsed as GraphQL.
///
/// ```swift
/// let handler = GraphQLHTTPHandler(service: service) { token in try? await tokens.principal(for: token) }
/// let response = await handler.handle(GraphQLHTTPRequest(method: "POST", headers: headers, body: bytes))
/// ```
public struct GraphQLHTTPHandler: Sendable {
    /// The service that executes requests.
    public let service: GraphQLService
    private let authenticate: @Sendable (String) async -> Principal?

    /// `application/graphql-response+json`.
    public static let graphQLResponseMediaType = "application/graphql-response+json"

    /// Creates a handler; `authenticate` turns a bearer token into a principal, or nil when it is not valid.
    public init(service: GraphQLService, authenticate: @escaping @Sendable (String) async -> Principal?) {
        self.service = service
        self.authenticate = authenticate
    }

    /// Handles one request.
    public func handle(_ request: GraphQLHTTPRequest) async -> GraphQLHTTPResponse {
        let method = request.method.uppercased()
        guard method == "GET" || method == "POST" else {
            return error(
                405, .badRequest, "use GET or POST", mediaType: "application/json",
                extraHeaders: [("Allow", "GET, POST")])
        }
        guard let mediaType = Self.negotiate(request.header("accept")) else {
            return error(
                406, .badRequest, "accept application/graphql-response+json or application/json",
                mediaType: "application/json")
        }
        let modern = mediaType == Self.graphQLResponseMediaType

        let parsed: GraphQLRequest
        switch method == "GET" ? parseGET(request) : parsePOST(request) {
        case .success(let request): parsed = request
        case .failure(let failure):
            return error(failure.status, failure.error.code, failure.error.message, mediaType: mediaType)
        }

        let principal: Principal
        if let authorization = request.header("authorization") {
            guard let token = BearerToken.parse(authorization), let resolved = await authenticate(token) else {
                return error(
                    401, .unauthenticated, "the bearer token is missing, invalid or expired", mediaType: mediaType,
                    extraHeaders: [("WWW-Authenticate", "Bearer")])
            }
            principal = resolved
        } else {
            principal = .anonymous
        }

        let allowed: Set<GraphQLOperationType> = method == "GET" ? [.query] : [.query, .mutation]
        let response = await service.execute(parsed, as: principal, allowedOperations: allowed)
        var headers: [(name: String, value: String)] = [("Content-Type", mediaType + "; charset=utf-8")]
        let status: Int
        if let requestStatus = response.requestErrorStatus {
            if requestStatus == 405 { headers.append(("Allow", "POST")) }
            if requestStatus == 401 { headers.append(("WWW-Authenticate", "Bearer")) }
            status = modern || requestStatus == 405 || requestStatus == 401 ? requestStatus : 200
        } else {
            status = 200
        }
        return GraphQLHTTPResponse(status: status, headers: headers, body: response.body)
    }

    private struct Failure: Error {
        let status: Int
        let error: GraphQLRequestError
    }

    private func parsePOST(_ request: GraphQLHTTPRequest) -> Result<GraphQLRequest, Failure> {
        let contentType = request.header("content-type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/graphql-response+json")
        else {
            return .failure(
                Failure(status: 415, error: GraphQLRequestError(.badRequest, "POST bodies are application/json")))
        }
        guard request.body.count <= service.limits.maxRequestBytes else {
            return .failure(
                Failure(
                    status: 413,
                    error: GraphQLRequestError(
                        .limitExceeded, "the body is larger than \(service.limits.maxRequestBytes) bytes")))
        }
        do throws(GraphQLRequestError) {
            let value = try Self.decodeJSON(request.body, limits: service.limits)
            guard case .object(let members) = value else {
                throw GraphQLRequestError(.badRequest, "the body is not a JSON object")
            }
            return .success(try Self.request(from: members))
        } catch {
            return .failure(Failure(status: 400, error: error))
        }
    }

    private func parseGET(_ request: GraphQLHTTPRequest) -> Result<GraphQLRequest, Failure> {
        let raw = request.queryString ?? ""
        guard raw.utf8.count <= service.limits.maxRequestBytes else {
            return .failure(Failure(status: 413, error: GraphQLRequestError(.limitExceeded, "the URL is too long")))
        }
        var members: [String: JSONValue] = [:]
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = Self.decodeComponent(parts[0]) else {
                return .failure(
                    Failure(status: 400, error: GraphQLRequestError(.badRequest, "the query string is not valid UTF-8"))
                )
            }
            let value = parts.count > 1 ? Self.decodeComponent(parts[1]) : ""
            guard let value else {
                return .failure(
                    Failure(status: 400, error: GraphQLRequestError(.badRequest, "the query string is not valid UTF-8"))
                )
            }
            switch name {
            case "variables", "extensions":
                do {
                    members[name] = try Self.decodeJSON(Array(value.utf8), limits: service.limits)
                } catch {
                    return .failure(Failure(status: 400, error: error))
                }
            default:
                members[name] = .string(value)
            }
        }
        do {
            return .success(try Self.request(from: members))
        } catch {
            return .failure(Failure(status: 400, error: error))
        }
    }

    private static func request(from members: [String: JSONValue]) throws(GraphQLRequestError) -> GraphQLRequest {
        guard case .string(let query)? = members["query"] else {
            throw GraphQLRequestError(.badRequest, "the request has no query string")
        }
        var operationName: String?
        switch members["operationName"] {
        case nil, .null?: operationName = nil
        case .string(let name)?: operationName = name
        default: throw GraphQLRequestError(.badRequest, "operationName is not a string")
        }
        var variables: [String: JSONValue] = [:]
        switch members["variables"] {
        case nil, .null?: break
        case .object(let object)?: variables = object
        default: throw GraphQLRequestError(.badRequest, "variables is not an object")
        }
        return GraphQLRequest(query: query, operationName: operationName, variables: variables)
    }

    /// Decodes JSON after checking its nesting with a linear scan (so the decoder never recurses deeply).
    static func decodeJSON(_ bytes: [UInt8], limits: GraphQLLimits) throws(GraphQLRequestError) -> JSONValue {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limits.maxNesting {
                    throw GraphQLRequestError(.limitExceeded, "the JSON nests deeper than \(limits.maxNesting) levels")
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw GraphQLRequestError(.badRequest, "the body is not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw GraphQLRequestError(.badRequest, "the body is not valid JSON")
        }
    }

    private static func decodeComponent(_ component: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = component.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The response media type for an `Accept` header: graphql-response+json when acceptable, else
    /// application/json; a missing header means application/json (the spec's legacy rule); nil when
    /// the client accepts neither.
    static func negotiate(_ accept: String?) -> String? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return "application/json" }
        var ranges: [(type: String, quality: Double)] = []
        for part in accept.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = pieces.first else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 1
            }
            if quality > 0 { ranges.append((type, quality)) }
        }
        func quality(of mediaType: String) -> Double? {
            let (major, _) = (mediaType.split(separator: "/").first.map(String.init) ?? "", 0)
            return ranges.filter { $0.type == mediaType || $0.type == "\(major)/*" || $0.type == "*/*" }.map(\.quality)
                .max()
        }
        let modern = quality(of: graphQLResponseMediaType)
        let legacy = quality(of: "application/json")
        switch (modern, legacy) {
        case (let m?, let l?): return m >= l ? graphQLResponseMediaType : "application/json"
        case (_?, nil): return graphQLResponseMediaType
        case (nil, _?): return "application/json"
        case (nil, nil): return nil
        }
    }

    private func error(
        _ status: Int, _ code: GraphQLErrorCode, _ message: String, mediaType: String,
        extraHeaders: [(name: String, value: String)] = []
    ) -> GraphQLHTTPResponse {
        let body = GraphQLResponse(requestError: GraphQLRequestError(code, message)).body
        return GraphQLHTTPResponse(
            status: status, headers: [("Content-Type", mediaType + "; charset=utf-8")] + extraHeaders, body: body)
    }
}
