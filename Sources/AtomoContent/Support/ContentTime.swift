import Foundation

/// Times as the engine stores and prints them.
///
/// Read models keep times as microseconds since 1970 (integers sort and index the same on every
/// database); JSON shows them as ISO 8601 in UTC with milliseconds.
enum ContentTime {
    /// Microseconds since 1970.
    static func microseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    /// A date from microseconds since 1970.
    static func date(microseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// `2026-11-29T10:15:00.123Z`.
    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
