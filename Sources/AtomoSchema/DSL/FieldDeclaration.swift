/// A field declared with the DSL: ``StringField``, ``EmailField``, ``Reference``, ``BlockList``, …
///
/// Modifiers return a copy, so they chain: `StringField("name").required().length(1...200)`.
public protocol FieldDeclaration {
    /// The field as declared so far.
    var field: Field { get set }
}

extension FieldDeclaration {
    private func with(_ change: (inout Field) -> Void) -> Self {
        var copy = self
        change(&copy.field)
        return copy
    }

    /// The field must have a non-null value.
    public func required() -> Self { with { $0.isRequired = true } }
    /// No two live records may hold the same non-null value.
    public func unique() -> Self { with { $0.isUnique = true } }
    /// The read model keeps an index on the field (for filters on it and pages ordered by it).
    public func indexed() -> Self { with { $0.isIndexed = true } }
    /// The value a create takes when the input does not name the field.
    public func `default`(_ value: JSONValue) -> Self { with { $0.defaultValue = value.canonicalized } }
    /// The length (characters, or list elements) lies within `range`.
    public func length(_ range: ClosedRange<Int>) -> Self { length(min: range.lowerBound, max: range.upperBound) }
    /// The length (characters, or list elements) is at least `min` and at most `max`.
    public func length(min: Int? = nil, max: Int? = nil) -> Self {
        with { $0.validations.append(.length(min: min, max: max)) }
    }
    /// The number lies within `range` (inclusive).
    public func range(_ range: ClosedRange<Double>) -> Self { self.range(min: range.lowerBound, max: range.upperBound) }
    /// The number is at least `min` and at most `max` (inclusive).
    public func range(min: Double? = nil, max: Double? = nil) -> Self {
        with { $0.validations.append(.range(min: min, max: max)) }
    }
    /// The string matches the regular expression (whole-string match).
    public func pattern(_ regularExpression: String) -> Self {
        with { $0.validations.append(.pattern(regularExpression)) }
    }
    /// The string is one of `values`.
    public func oneOf(_ values: String...) -> Self { with { $0.validations.append(.oneOf(values)) } }
    /// How sensitive the value is.
    public func pii(_ classification: PIIClassification) -> Self { with { $0.pii = classification } }
    /// Names the field had in earlier schema versions, newest first: a rename that keeps the data.
    public func formerly(_ names: String...) -> Self { with { $0.formerNames += names } }
    /// Documentation shown in the GraphQL schema and generated code.
    public func description(_ text: String) -> Self { with { $0.description = text } }
}

/// Collects the fields of an ``EntityDef`` or a ``Variant``.
@resultBuilder
public enum FieldBuilder {
    /// A field declared with the DSL.
    public static func buildExpression(_ declaration: some FieldDeclaration) -> [Field] { [declaration.field] }
    /// A field built without the DSL.
    public static func buildExpression(_ field: Field) -> [Field] { [field] }
    /// A list of fields (from a helper function).
    public static func buildExpression(_ fields: [Field]) -> [Field] { fields }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [Field]...) -> [Field] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [Field]?) -> [Field] { part ?? [] }
    /// The first branch of an `if`/`else` or `switch`.
    public static func buildEither(first part: [Field]) -> [Field] { part }
    /// The second branch of an `if`/`else` or `switch`.
    public static func buildEither(second part: [Field]) -> [Field] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[Field]]) -> [Field] { parts.flatMap { $0 } }
}
