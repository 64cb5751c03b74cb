import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small JSON-over-HTTP client for black-box tests (URLSession).
struct HTTPTestClient: Sendable {
    let baseURL: String
    var token: String?

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration)
    }()

    func request(
        _ method: String, _ path: String, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        guard let url = URL(string: baseURL + path) else { throw TestFailure("bad URL \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await Self.session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    /// Logs in and returns a client carrying the token.
    func login(_ email: String, _ password: String) async throws -> HTTPTestClient {
        let reply = try await request("POST", "/auth/login", json: ["email": email, "password": password])
        guard reply.status == 200, let token = reply.json["token"] as? String else {
            throw TestFailure("login \(email) failed: \(reply.status) \(reply.text)")
        }
        var client = self
        client.token = token
        return client
    }

    /// Runs a GraphQL operation and returns the whole response object (`data`, `errors`).
    func graphQL(_ query: String, _ variables: [String: Any] = [:]) async throws -> [String: Any] {
        let reply = try await request("POST", "/graphql", json: ["query": query, "variables": variables])
        guard let object = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any] else {
            throw TestFailure("GraphQL answered \(reply.status) with \(reply.text)")
        }
        return object
    }
}
