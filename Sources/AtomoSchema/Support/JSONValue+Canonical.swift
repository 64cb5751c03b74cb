extension JSONValue {
    /// The value as canonical JSON reads it back: a double without a fraction that fits 64 bits becomes
    /// an integer (JSON writes `1.0` as `1`, which decodes as ``int(_:)``), recursively.
    ///
    /// The DSL and the `schema.ts` importer store defaults and literals this way, so that a schema
    /// survives the trip through canonical JSON unchanged.
    var canonicalized: JSONValue {
        switch self {
        case .double(let value) where value.rounded() == value && abs(value) < 9.0e15: .int(Int64(value))
        case .array(let elements): .array(elements.map(\.canonicalized))
        case .object(let members): .object(members.mapValues(\.canonicalized))
        default: self
        }
    }
}
