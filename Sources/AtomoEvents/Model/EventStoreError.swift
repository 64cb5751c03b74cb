public import Foundation

/// Every way an event store operation can fail. Each case carries the values involved.
///
/// ```swift
/// do { try await store.append([event], to: stream, expectedVersion: .exact(3)) }
/// catch EventStoreError.wrongExpectedVersion(let stream, let expected, let actual) { … }
/// ```
public enum EventStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stream's version did not match the expectation; nothing was written.
    /// `actual` is nil when the stream does not exist.
    case wrongExpectedVersion(stream: StreamName, expected: ExpectedVersion, actual: Int64?)
    /// A stream name is not of the form `Category-id`.
    case invalidStreamName(String, reason: String)
    /// An append had no events.
    case emptyAppend
    /// An append named the same stream twice.
    case duplicateStreamInAppend(StreamName)
    /// An event is larger than the store's limit.
    case eventTooLarge(id: UUID, size: Int, limit: Int)
    /// An event is malformed (for example, an empty type).
    case invalidEvent(id: UUID, reason: String)
    /// An event id is already stored with different content, or a retried append only partly matches
    /// what was stored.
    case idempotencyConflict(eventID: UUID, reason: String)
    /// An argument is out of range (a negative limit, a negative version).
    case invalidArgument(String)
    /// The store's files are damaged or are not an Atomo event store.
    case corrupted(String)
    /// The underlying storage failed (I/O, locking, a closed database).
    case storageFailure(String)
    /// The store was closed.
    case closed
    /// A payload could not be decoded into a typed event.
    case decodingFailed(type: String, reason: String)
    /// An upcaster failed.
    case upcastFailed(type: String, fromVersion: Int, reason: String)
    /// An inline projection threw while applying an append; the append was rolled back.
    case inlineProjectionFailed(name: String, reason: String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "wrong expected version for stream \(stream): expected \(expected), actual \(actual.map { "\($0)" } ?? "noStream")"
        case .invalidStreamName(let name, let reason): "invalid stream name \"\(name)\": \(reason)"
        case .emptyAppend: "an append must contain at least one event"
        case .duplicateStreamInAppend(let stream): "stream \(stream) appears more than once in one append"
        case .eventTooLarge(let id, let size, let limit): "event \(id) has \(size) bytes; the limit is \(limit)"
        case .invalidEvent(let id, let reason): "event \(id) is invalid: \(reason)"
        case .idempotencyConflict(let id, let reason): "event id \(id) is already stored: \(reason)"
        case .invalidArgument(let message): "invalid argument: \(message)"
        case .corrupted(let message): "the event store is corrupted: \(message)"
        case .storageFailure(let message): "storage failure: \(message)"
        case .closed: "the event store is closed"
        case .decodingFailed(let type, let reason): "cannot decode event of type \(type): \(reason)"
        case .upcastFailed(let type, let version, let reason): "cannot upcast \(type) from version \(version): \(reason)"
        case .inlineProjectionFailed(let name, let reason): "inline projection \(name) failed; the append was rolled back: \(reason)"
        }
    }
}
