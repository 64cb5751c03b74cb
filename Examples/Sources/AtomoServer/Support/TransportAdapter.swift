import HTTPTypes
import Hummingbird
import NIOCore

/// The two halves every adapter of a transport-neutral handler (AtomoAuth's `/auth/*`, AtomoGraphQL's
/// `/graphql`) needs: Hummingbird's headers as name–value pairs, and a status, pairs and bytes as a
/// Hummingbird response.
enum TransportAdapter {
    /// The request's headers as `(name, value)` pairs, in order.
    static func headers(of request: Request) -> [(name: String, value: String)] {
        request.headers.map { ($0.name.canonicalName, $0.value) }
    }

    /// A response with `status`, the `headers` whose names are valid, and `body`.
    static func response(status: Int, headers: [(name: String, value: String)], body: [UInt8]) -> Response {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
