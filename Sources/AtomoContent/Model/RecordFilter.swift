public import AtomoSchema

/// A filter tree over an entity's records: predicates on fields, one level into referenced
/// records, combined with `and`, `or` and `not`.
///
/// Field names are checked against the schema (``ContentError/unknownField(entity:field:)``) and
/// predicate values against the field's type (``ContentError/invalidFilter(_:)``); values always
/// reach SQL as bound parameters. System fields (`id`, `version`, `createdAt`, `updatedAt`,
/// `createdBy`, `updatedBy`) can be filtered too; times as ISO 8601 strings.
///
/// ```swift
/// let filter: RecordFilter = .and([
///     .field("stage", .in(["Lead", "Qualified"])),
///     .not(.field("email", .isNull(true))),
///     .related("company", .field("name", .startsWith("Acme"))),
/// ])
/// ```
public indirect enum RecordFilter: Sendable, Hashable {
    /// A predicate on one field of the entity.
    case field(String, FieldPredicate)
    /// A filter on the record a reference field points to: the reference's target must exist, not be
    /// deleted, and match. One level deep: the inner filter may not use `related` again.
    case related(String, RecordFilter)
    /// Every filter matches (an empty list matches everything).
    case and([RecordFilter])
    /// At least one filter matches (an empty list matches nothing).
    case or([RecordFilter])
    /// The filter does not match.
    case not(RecordFilter)
}

/// A predicate on one field's value.
///
/// Comparisons follow the field's type: numbers numerically, strings by code point, dates and
/// datetimes chronologically (they are stored normalised). A comparison with a null value is false;
/// use ``isNull(_:)``. `contains` and `startsWith` apply to string-like fields and match literally:
/// `%`, `_` and `\` in the value have no special meaning.
public enum FieldPredicate: Sendable, Hashable {
    /// Equal to the value.
    case eq(JSONValue)
    /// Not equal to the value (records where the field is null do not match).
    case ne(JSONValue)
    /// Equal to one of the values (an empty list matches nothing).
    case `in`([JSONValue])
    /// Equal to none of the values (records where the field is null do not match).
    case notIn([JSONValue])
    /// Less than.
    case lt(JSONValue)
    /// Less than or equal.
    case lte(JSONValue)
    /// Greater than.
    case gt(JSONValue)
    /// Greater than or equal.
    case gte(JSONValue)
    /// Contains the substring (case-sensitive).
    case contains(String)
    /// Starts with the prefix (case-sensitive).
    case startsWith(String)
    /// Is null (`true`) or is not null (`false`).
    case isNull(Bool)
}
