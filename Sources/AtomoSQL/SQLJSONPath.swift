/// A path into a JSON document — object keys and array indexes — for
/// ``SQLDialect/jsonExtract(_:path:as:)``.
///
/// Keys are ``SQLIdentifier``s, so a path never needs quoting in either database's path syntax and
/// can never carry SQL into a statement.
///
/// ```swift
/// let path = SQLJSONPath([.key(try SQLIdentifier("tags")), .index(0)])   // $.tags[0] / {tags,0}
/// ```
public struct SQLJSONPath: Sendable, Hashable {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// The member `key` of an object.
        case key(SQLIdentifier)
        /// The element at the 0-based `index` of an array (negative indexes are clamped to 0).
        case index(Int)
    }

    /// The SQL type a JSON value is read as.
    public enum ValueType: Sendable, Hashable {
        /// Text: a JSON string's content (without quotes).
        case text
        /// A 64-bit integer.
        case integer
        /// A double.
        case real
        /// 1 for `true`, 0 for `false`.
        case boolean
    }

    /// The steps, outermost first.
    public let components: [Component]

    /// Creates a path.
    public init(_ components: [Component]) {
        self.components = components
    }

    /// SQLite's form: `$.key[0]`.
    var sqliteRendering: String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key): text += ".\(key.name)"
            case .index(let index): text += "[\(max(0, index))]"
            }
        }
        return text
    }

    /// PostgreSQL's text-array form for `#>>`: `{key,0}`.
    var postgresRendering: String {
        let parts = components.map { component -> String in
            switch component {
            case .key(let key): key.name
            case .index(let index): String(max(0, index))
            }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
