/// What a writer believes about a stream's version before it appends — optimistic concurrency.
///
/// Versions count from 0: a stream's version is the version of its last event, and a stream with no
/// events has none (``noStream``).
///
/// ```swift
/// try await store.append(events, to: stream, expectedVersion: .noStream)   // create
/// try await store.append(more, to: stream, expectedVersion: .exact(3))     // after reading version 3
/// ```
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No check: append whatever the stream's state.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream's version must be exactly this.
    case exact(Int64)

    /// Whether a stream currently at `actual` (nil: no stream) satisfies this expectation.
    public func isSatisfied(by actual: Int64?) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == nil
        case .streamExists: actual != nil
        case .exact(let version): actual == version
        }
    }

    /// `any`, `noStream`, `streamExists` or the number.
    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "noStream"
        case .streamExists: "streamExists"
        case .exact(let version): "\(version)"
        }
    }
}
