public import Foundation
public import Hummingbird

/// JSON bodies for the server's REST routes, errors included:
/// `{"error": {"code": "UNAUTHORIZED", "message": "…"}}`.
public enum JSONResponses {
    /// A JSON response with `object` (anything `JSONSerialization` accepts) as its body.
    public static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Self.data(data, status: status, headers: headers)
    }

    /// A response with these JSON bytes as its body.
    public static func data(_ data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An error body with a stable `code` and a human `message`.
    public static func error(
        _ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]
    ) -> Response {
        json(["error": ["code": code, "message": message]], status: status, headers: headers)
    }

    /// A text response.
    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok)
        -> Response
    {
        Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
