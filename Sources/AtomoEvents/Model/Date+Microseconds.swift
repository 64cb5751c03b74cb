package import Foundation

extension Date {
    /// Now, at the microsecond precision the stores keep.
    package static func nowTruncatedToMicroseconds() -> Date {
        Date(microsecondsSince1970: Date().microsecondsSince1970)
    }

    /// Microseconds since 1970, as the stores keep commit times.
    package var microsecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    /// A date from microseconds since 1970.
    package init(microsecondsSince1970 microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
