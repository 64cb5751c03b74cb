/// One access rule of an ``EntityDef``: ``Read``, ``Create``, ``Update`` or ``Delete``.
public protocol AccessRuleDeclaration {
    /// The operation the rule governs.
    var operation: AccessOperation { get }
    /// The rule.
    var expression: AccessExpression { get }
}

/// Which fields a role may read: an array of field names, or `true` (all) / `false` (none).
///
/// ```swift
/// Read { .when($0.role == "Viewer", then: .fields("id", "name"), else: .allow) }
/// ```
public struct Read: AccessRuleDeclaration {
    /// ``AccessOperation/read``.
    public var operation: AccessOperation { .read }
    /// The rule.
    public var expression: AccessExpression
    /// A rule built from the scope.
    public init(_ rule: (AccessScope) -> AccessTerm) { expression = rule(AccessScope()).expression }
    /// A rule given as an expression.
    public init(_ expression: AccessExpression) { self.expression = expression }
}

/// Whether a role may create records (`record` is the input).
public struct Create: AccessRuleDeclaration {
    /// ``AccessOperation/create``.
    public var operation: AccessOperation { .create }
    /// The rule.
    public var expression: AccessExpression
    /// A rule built from the scope.
    public init(_ rule: (AccessScope) -> AccessTerm) { expression = rule(AccessScope()).expression }
    /// A rule given as an expression.
    public init(_ expression: AccessExpression) { self.expression = expression }
}

/// Whether a role may update the record (`record` holds its stored values).
public struct Update: AccessRuleDeclaration {
    /// ``AccessOperation/update``.
    public var operation: AccessOperation { .update }
    /// The rule.
    public var expression: AccessExpression
    /// A rule built from the scope.
    public init(_ rule: (AccessScope) -> AccessTerm) { expression = rule(AccessScope()).expression }
    /// A rule given as an expression.
    public init(_ expression: AccessExpression) { self.expression = expression }
}

/// Whether a role may delete (and restore) the record.
public struct Delete: AccessRuleDeclaration {
    /// ``AccessOperation/delete``.
    public var operation: AccessOperation { .delete }
    /// The rule.
    public var expression: AccessExpression
    /// A rule built from the scope.
    public init(_ rule: (AccessScope) -> AccessTerm) { expression = rule(AccessScope()).expression }
    /// A rule given as an expression.
    public init(_ expression: AccessExpression) { self.expression = expression }
}

/// Collects the access rules of an ``EntityDef`` into an ``EntityAccess`` (nil when there are none;
/// a later rule for the same operation replaces an earlier one).
@resultBuilder
public enum AccessBuilder {
    /// A rule.
    public static func buildExpression(_ rule: some AccessRuleDeclaration) -> [AccessRule] {
        [AccessRule(operation: rule.operation, expression: rule.expression)]
    }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [AccessRule]...) -> [AccessRule] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [AccessRule]?) -> [AccessRule] { part ?? [] }
    /// The first branch of an `if`/`else` or `switch`.
    public static func buildEither(first part: [AccessRule]) -> [AccessRule] { part }
    /// The second branch of an `if`/`else` or `switch`.
    public static func buildEither(second part: [AccessRule]) -> [AccessRule] { part }
    /// The rules as an ``EntityAccess``.
    public static func buildFinalResult(_ rules: [AccessRule]) -> EntityAccess? {
        guard !rules.isEmpty else { return nil }
        var access = EntityAccess()
        for rule in rules {
            switch rule.operation {
            case .read: access.read = rule.expression
            case .create: access.create = rule.expression
            case .update: access.update = rule.expression
            case .delete, .restore: access.delete = rule.expression
            }
        }
        return access
    }

    /// A rule on its way into an ``EntityAccess``.
    public struct AccessRule {
        /// The operation.
        public var operation: AccessOperation
        /// The rule.
        public var expression: AccessExpression
    }
}
