import AtomoGraphQL
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging

/// `POST /graphql`, `GET /graphql` (GraphiQL for a browser asking for HTML), `GET /playground`.
/// The websocket on `/graphql` is set up by ``GraphQLWebSocket`` during the HTTP upgrade.
enum GraphQLRoutes {
    static func add(to router: Router<AtomoRequestContext>, backend: Backend) {
        router.post("/graphql") { request, context in
            try await handle(request, context: context, backend: backend)
        }
        router.get("/graphql") { request, context in
            if wantsHTML(request) { return JSONResponses.text(GraphiQLPage.html, contentType: "text/html; charset=utf-8") }
            return try await handle(request, context: context, backend: backend)
        }
        router.get("/playground") { _, _ in
            JSONResponses.text(GraphiQLPage.html, contentType: "text/html; charset=utf-8")
        }
    }

    /// A browser navigating to the URL: HTML acceptable, and no GraphQL query in the URL.
    static func wantsHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept], accept.contains("text/html") else { return false }
        return request.uri.queryParameters["query"] == nil
    }

    static func handle(_ request: Request, context: AtomoRequestContext, backend: Backend) async throws -> Response {
        let body = try await request.body.collect(upTo: backend.graphQL.limits.maxRequestBytes + 1)
        let headers = TransportAdapter.headers(of: request)
        let query = request.uri.query.map { String($0) }
        // An INTERNAL_SERVER_ERROR is logged with the request's id, which the client gets in
        // `extensions.requestId` (and in `X-Request-ID`).
        let requestID = context.id
        let logger = context.logger
        let reporter = GraphQLIncidentReporter { error in
            logger.error("internal error in a GraphQL operation", metadata: ["requestId": .string(requestID), "error": "\(error)"])
            return requestID
        }
        let graphQLRequest = GraphQLHTTPRequest(
            method: request.method.rawValue, headers: headers, queryString: query, body: Array(body.readableBytesView))
        let response = await GraphQLIncidentReporter.$current.withValue(reporter) {
            await backend.graphQLHTTP.handle(graphQLRequest)
        }
        return TransportAdapter.response(status: response.status, headers: response.headers, body: response.body)
    }
}

/// The GraphiQL IDE, loaded from a CDN by the browser; it speaks HTTP for queries and mutations and
/// graphql-transport-ws for subscriptions, to this server.
enum GraphiQLPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Atomo · GraphiQL</title>
          <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
          <link rel="stylesheet" href="https://unpkg.com/graphiql@3.7.1/graphiql.min.css">
        </head>
        <body>
          <div id="graphiql">Loading GraphiQL… (log in with POST /auth/login and add the header
            {"Authorization": "Bearer &lt;token&gt;"} in the Headers tab)</div>
          <script src="https://unpkg.com/react@18.3.1/umd/react.production.min.js" crossorigin></script>
          <script src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js" crossorigin></script>
          <script src="https://unpkg.com/graphiql@3.7.1/graphiql.min.js" crossorigin></script>
          <script>
            const url = new URL('/graphql', window.location.href).toString();
            const subscriptionUrl = url.replace(/^http/, 'ws');
            const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl });
            ReactDOM.createRoot(document.getElementById('graphiql')).render(
              React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }));
          </script>
        </body>
        </html>
        """
}
