/// A lifecycle action binding in the DSL: `On(.updated, "notifyOwner", when: .changedAny(["stage"]))`.
public struct On {
    /// The binding it declares.
    public var binding: ActionBinding

    /// Enqueues `action` when a record is created, updated or deleted and `condition` (if any) holds.
    public init(_ event: LifecycleEvent, _ action: String, when condition: ActionCondition? = nil) {
        binding = ActionBinding(on: event, action: action, when: condition)
    }
}

/// Collects the ``On`` bindings of an ``EntityDef``.
@resultBuilder
public enum ActionBuilder {
    /// A binding.
    public static func buildExpression(_ on: On) -> [ActionBinding] { [on.binding] }
    /// A binding built without the DSL.
    public static func buildExpression(_ binding: ActionBinding) -> [ActionBinding] { [binding] }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [ActionBinding]...) -> [ActionBinding] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [ActionBinding]?) -> [ActionBinding] { part ?? [] }
    /// The first branch of an `if`/`else` or `switch`.
    public static func buildEither(first part: [ActionBinding]) -> [ActionBinding] { part }
    /// The second branch of an `if`/`else` or `switch`.
    public static func buildEither(second part: [ActionBinding]) -> [ActionBinding] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[ActionBinding]]) -> [ActionBinding] { parts.flatMap { $0 } }
}
