import Foundation

/// Checks shared by every store: what makes an append well-formed, and how a retried append is
/// recognised. Stores call these so that they agree to the letter.
package enum AppendValidation {
    /// The longest accepted event type name, in UTF-8 bytes.
    package static let maximumTypeLength = 256

    /// Throws when the append is empty, names a stream twice, repeats an event id, or holds an event
    /// that is malformed or larger than `maximumEventSize`.
    package static func validate(_ appends: [StreamAppend], maximumEventSize: Int) throws(EventStoreError) {
        guard !appends.isEmpty else { throw .emptyAppend }
        var streams = Set<StreamName>()
        var ids = Set<UUID>()
        for append in appends {
            guard !append.events.isEmpty else { throw .emptyAppend }
            guard streams.insert(append.stream).inserted else { throw .duplicateStreamInAppend(append.stream) }
            if case .exact(let version) = append.expectedVersion, version < 0 {
                throw .invalidArgument("expected version \(version) is negative; use .noStream for a new stream")
            }
            for event in append.events {
                guard !event.type.isEmpty, event.type.utf8.count <= maximumTypeLength else {
                    throw .invalidEvent(id: event.id, reason: "the type must have 1 to \(maximumTypeLength) bytes")
                }
                guard event.schemaVersion >= 1 else {
                    throw .invalidEvent(id: event.id, reason: "the schema version must be 1 or more")
                }
                let size = event.byteCount
                guard size <= maximumEventSize else {
                    throw .eventTooLarge(id: event.id, size: size, limit: maximumEventSize)
                }
                guard ids.insert(event.id).inserted else {
                    throw .invalidEvent(id: event.id, reason: "the id appears twice in one append")
                }
            }
        }
    }

    /// Decides whether `append` was already stored.
    ///
    /// - Parameter stored: for each event of the append, in order, the stored event with its id (or nil).
    /// - Returns: the original result when every event is stored, identical and consecutive in the
    ///   same stream; nil when none is stored.
    /// - Throws: ``EventStoreError/idempotencyConflict(eventID:reason:)`` otherwise.
    package static func originalResult(of append: StreamAppend, stored: [RecordedEvent?]) throws(EventStoreError)
        -> AppendResult?
    {
        guard let firstStored = stored.first(where: { $0 != nil }) ?? nil else { return nil }
        var previous: RecordedEvent?
        for (event, record) in zip(append.events, stored) {
            guard let record else {
                throw .idempotencyConflict(eventID: firstStored.id, reason: "only part of this append is stored")
            }
            guard record.stream == append.stream else {
                throw .idempotencyConflict(eventID: event.id, reason: "it is stored in stream \(record.stream)")
            }
            guard event.isSameEvent(as: record) else {
                throw .idempotencyConflict(eventID: event.id, reason: "it is stored with different content")
            }
            if let previous, record.streamVersion != previous.streamVersion + 1 {
                throw .idempotencyConflict(eventID: event.id, reason: "the stored events were appended separately")
            }
            previous = record
        }
        guard let first = stored.first ?? nil, let last = stored.last ?? nil else { return nil }
        return AppendResult(
            stream: append.stream, firstVersion: first.streamVersion, lastVersion: last.streamVersion,
            firstPosition: first.position, lastPosition: last.position)
    }

    /// Resolves a whole multi-stream append: the original results when all of it is stored, nil when
    /// none of it is, and a conflict otherwise.
    package static func originalResults(of appends: [StreamAppend], stored: [[RecordedEvent?]]) throws(EventStoreError)
        -> [AppendResult]?
    {
        var results: [AppendResult] = []
        var storedEventID: UUID?
        var somePartIsMissing = false
        for (append, records) in zip(appends, stored) {
            if let result = try originalResult(of: append, stored: records) {
                results.append(result)
                storedEventID = storedEventID ?? append.events.first?.id
            } else {
                somePartIsMissing = true
            }
        }
        guard let storedEventID else { return nil }
        if somePartIsMissing {
            throw .idempotencyConflict(eventID: storedEventID, reason: "only part of this multi-stream append is stored")
        }
        return results
    }
}
