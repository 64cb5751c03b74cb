import AtomoEvents
import Foundation
import PostgresNIO

/// An append flattened into the arrays `atomo_append` takes: one element per stream for the
/// stream arguments, one per event for the event arguments.
struct PostgresAppendArguments {
    var streams: [String] = []
    var categories: [String] = []
    var expected: [Int64] = []
    var counts: [Int32] = []
    var eventStreams: [Int32] = []
    var ids: [UUID] = []
    var types: [String] = []
    var schemaVersions: [Int32] = []
    var payloads: [Data] = []
    var correlationIDs: [String?] = []
    var causationIDs: [String?] = []
    var actors: [String?] = []
    var tenants: [String?] = []
    var customs: [String?] = []
    var serialised: Bool

    init(_ appends: [StreamAppend], serialised: Bool) {
        self.serialised = serialised
        let eventCount = appends.reduce(0) { $0 + $1.events.count }
        ids.reserveCapacity(eventCount)
        types.reserveCapacity(eventCount)
        payloads.reserveCapacity(eventCount)
        for (index, append) in appends.enumerated() {
            streams.append(append.stream.rawValue)
            categories.append(String(append.stream.category))
            expected.append(Self.encode(append.expectedVersion))
            counts.append(Int32(append.events.count))
            for event in append.events {
                eventStreams.append(Int32(index + 1))
                ids.append(event.id)
                types.append(event.type)
                schemaVersions.append(Int32(clamping: event.schemaVersion))
                payloads.append(event.payload)
                let metadata = event.metadata
                correlationIDs.append(metadata.correlationID)
                causationIDs.append(metadata.causationID)
                actors.append(metadata.actor)
                tenants.append(metadata.tenant)
                customs.append(metadata.custom.isEmpty ? nil : CustomMetadataJSON.encode(metadata.custom))
            }
        }
    }

    /// `any` -1, `noStream` -2, `streamExists` -3, `exact(n)` n (validated non-negative).
    static func encode(_ expected: ExpectedVersion) -> Int64 {
        switch expected {
        case .any: -1
        case .noStream: -2
        case .streamExists: -3
        case .exact(let version): version
        }
    }

    func query(_ sql: String) -> PostgresQuery {
        var binds = PostgresBindings(capacity: 15)
        binds.append(streams)
        binds.append(categories)
        binds.append(expected)
        binds.append(counts)
        binds.append(eventStreams)
        binds.append(ids)
        binds.append(types)
        binds.append(schemaVersions)
        binds.append(PostgresByteaArray(elements: payloads))
        binds.append(PostgresNullableTextArray(elements: correlationIDs))
        binds.append(PostgresNullableTextArray(elements: causationIDs))
        binds.append(PostgresNullableTextArray(elements: actors))
        binds.append(PostgresNullableTextArray(elements: tenants))
        binds.append(PostgresNullableTextArray(elements: customs))
        binds.append(serialised)
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
