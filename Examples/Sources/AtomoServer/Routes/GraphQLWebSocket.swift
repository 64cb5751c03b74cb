import AtomoAuth
import AtomoGraphQL
import AtomoSchema
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import NIOCore
import Logging
import NIOWebSocket

/// The graphql-transport-ws endpoint: a WebSocket upgrade of `GET /graphql`, bridged to AtomoGraphQL's
/// transport-neutral ``GraphQLTransportWSConnection``.
enum GraphQLWebSocket {
    /// The largest text frame accepted.
    static let maximumMessageSize = 1 << 20

    static func shouldUpgrade(
        _ head: HTTPRequest, backend: Backend
    )
        -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        guard let path = head.path, path == "/graphql" || path.hasPrefix("/graphql?") else { return .dontUpgrade }
        let requested = (head.headerFields[.secWebSocketProtocol] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var headers = HTTPFields()
        if requested.contains(GraphQLTransportWSConnection.subprotocol) {
            headers[.secWebSocketProtocol] = GraphQLTransportWSConnection.subprotocol
        }
        return .upgrade(headers) { inbound, outbound, context in
            let connectionID = UUID().uuidString
            let logger = context.logger
            let reporter = GraphQLIncidentReporter { error in
                logger.error(
                    "internal error in a GraphQL operation over a websocket",
                    metadata: ["requestId": .string(connectionID), "error": "\(error)"])
                return connectionID
            }
            await GraphQLIncidentReporter.$current.withValue(reporter) {
                await serve(inbound: inbound, outbound: outbound, backend: backend)
            }
        }
    }

    /// Bridges one upgraded socket to a ``GraphQLTransportWSConnection`` until either side closes.
    static func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, backend: Backend) async {
        // Re-checked on every message; closed the moment the session ends (logout, revocation, a
        // disabled user, a role change: 4403) or the token expires (4401).
        let connection = GraphQLTransportWSConnection(
            service: backend.graphQL, authorize: GraphQLConnectionSession.authorizer(backend.auth.authenticator))
        await connection.start()
        let writer = Task {
            for await output in connection.outputs {
                switch output {
                case .text(let text):
                    try? await outbound.write(.text(text))
                case .close(let code, let reason):
                    try? await outbound.close(.unknown(UInt16(clamping: code)), reason: reason)
                    return
                }
            }
        }
        do {
            for try await message in inbound.messages(maxSize: maximumMessageSize) {
                if case .text(let text) = message { await connection.receive(text) }
            }
        } catch {
            // The socket failed: treated as closed below.
        }
        await connection.transportClosed()
        writer.cancel()
    }
}
