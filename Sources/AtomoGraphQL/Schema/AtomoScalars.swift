import Foundation
public import GraphQL

/// The custom scalars every Atomo GraphQL schema declares: `DateTime` (ISO 8601) and `JSON`.
public enum AtomoScalars {
    /// An instant as an ISO 8601 string with a time zone: `2026-11-29T10:15:00Z`.
    public static let dateTime: GraphQLScalarType = {
        do {
            return try GraphQLScalarType(
                name: "DateTime",
                description: "An instant, as an ISO 8601 string with a time zone (`2026-11-29T10:15:00Z`).",
                specifiedByURL: "https://scalars.graphql.org/andimarek/date-time",
                serialize: { value in
                    if let map = value as? Map, case .string(let string) = map { return .string(string) }
                    if let string = value as? String { return .string(string) }
                    if let date = value as? Date { return .string(formatDateTime(date)) }
                    throw GraphQLError(message: "DateTime cannot represent \(value)")
                },
                parseValue: { value in
                    guard case .string(let string) = value, parseDateTime(string) != nil else {
                        throw GraphQLError(
                            message: "DateTime expects an ISO 8601 string with a time zone, got \(value)")
                    }
                    return .string(string)
                },
                parseLiteral: { literal in
                    guard let string = literal as? StringValue, parseDateTime(string.value) != nil else {
                        throw GraphQLError(
                            message: "DateTime expects an ISO 8601 string with a time zone", nodes: [literal])
                    }
                    return .string(string.value)
                })
        } catch {
            preconditionFailure("DateTime is a valid scalar name: \(error)")
        }
    }()

    /// Any JSON value.
    public static let json: GraphQLScalarType = {
        do {
            return try GraphQLScalarType(
                name: "JSON",
                description: "Any JSON value.",
                specifiedByURL: "https://www.rfc-editor.org/rfc/rfc8259",
                serialize: { value in
                    if let map = value as? Map { return map }
                    return try map(from: value)
                })
        } catch {
            preconditionFailure("JSON is a valid scalar name: \(error)")
        }
    }()

    /// Parses an ISO 8601 instant with a time zone, with or without fractional seconds.
    static func parseDateTime(_ string: String) -> Date? {
        guard string.utf8.count <= 64 else { return nil }
        if let date = try? Date(string, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(string)
    }

    /// Formats an instant as ISO 8601 in UTC with milliseconds.
    static func formatDateTime(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
