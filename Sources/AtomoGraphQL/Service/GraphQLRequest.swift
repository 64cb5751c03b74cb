public import AtomoSchema

/// One GraphQL request: the document, the operation to run and its variables.
///
/// ```swift
/// GraphQLRequest(query: "query($id: ID!) { contact(id: $id) { name } }", variables: ["id": "c-1"])
/// ```
public struct GraphQLRequest: Sendable, Hashable {
    /// The document's text.
    public var query: String
    /// The operation to run, when the document has several.
    public var operationName: String?
    /// The variables' values as JSON.
    public var variables: [String: JSONValue]

    /// Creates a request.
    public init(query: String, operationName: String? = nil, variables: [String: JSONValue] = [:]) {
        self.query = query
        self.operationName = operationName
        self.variables = variables
    }
}
