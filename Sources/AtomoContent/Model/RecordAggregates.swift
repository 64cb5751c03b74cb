public import AtomoSchema

/// Aggregates over the records that match a filter.
///
/// `min` and `max` cover every readable scalar field with an order (numbers, strings, dates,
/// datetimes, enums; nulls ignored); `sum` and `avg` the `int` and `float` fields. A field with no
/// non-null value is absent.
///
/// ```swift
/// let stats = try await engine.aggregate("Deal", where: .field("stage", .eq("Won")), as: principal)
/// stats.count            // 42
/// stats.sum["amount"]    // 1_250_000
/// ```
public struct RecordAggregates: Sendable, Hashable {
    /// How many records match.
    public var count: Int
    /// The smallest value of each field.
    public var min: [String: JSONValue]
    /// The largest value of each field.
    public var max: [String: JSONValue]
    /// The sum of each numeric field.
    public var sum: [String: Double]
    /// The average of each numeric field.
    public var avg: [String: Double]

    /// Creates aggregates.
    public init(count: Int, min: [String: JSONValue], max: [String: JSONValue], sum: [String: Double], avg: [String: Double]) {
        self.count = count
        self.min = min
        self.max = max
        self.sum = sum
        self.avg = avg
    }
}
