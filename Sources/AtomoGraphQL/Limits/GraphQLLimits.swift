/// Bounds on what one request may ask, so that hostile documents are rejected cheaply.
///
/// Sizes are checked before anything is parsed; nesting and token counts by a linear scan before the
/// parser runs (so the parser never recurses deeply); depth, aliases, fields and complexity on the
/// parsed document before validation; the timeout during execution.
///
/// ```swift
/// var limits = GraphQLLimits()
/// limits.maxDepth = 8
/// limits.introspection = false      // production: no schema browsing
/// ```
public struct GraphQLLimits: Sendable, Hashable {
    /// The largest request body (JSON with the query and variables), in bytes.
    public var maxRequestBytes: Int = 1 << 20
    /// The largest document (query text), in bytes.
    public var maxDocumentBytes: Int = 64 << 10
    /// The most lexical tokens in a document.
    public var maxTokens: Int = 10_000
    /// The deepest nesting of selections (the root's fields are depth 1), including fragments.
    public var maxDepth: Int = 15
    /// The deepest nesting of braces, brackets and parentheses seen by the scan, and of JSON in variables.
    public var maxNesting: Int = 64
    /// The most aliased fields in a document.
    public var maxAliases: Int = 100
    /// The most field selections in an operation, fragments expanded.
    public var maxFields: Int = 2_000
    /// The largest estimated cost: each field costs 1, times the page sizes of the lists around it.
    public var maxComplexity: Int = 250_000
    /// The page size assumed for a connection without `first`/`last` (the engine's default page).
    public var defaultPageSize: Int = 50
    /// The largest `first` / `last` a connection accepts.
    public var maxPageSize: Int = 1_000
    /// How long one operation may execute.
    public var executionTimeout: Duration = .seconds(10)
    /// Whether `__schema` and `__type` may be queried (`__typename` always may).
    public var introspection: Bool = true

    /// The defaults.
    public init() {}
}
