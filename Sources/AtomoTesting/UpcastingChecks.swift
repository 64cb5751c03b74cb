import AtomoEvents
import Foundation

/// Upcasters apply on every read path: stream reads, global reads and subscriptions.
enum UpcastingChecks {
    /// v1 `{"fullName"}` → v2 `{"name"}` → v3, renamed to `NameSet`, `{"name", "source"}`.
    static let upcasters: [Upcaster] = [
        Upcaster.json(type: "NameGiven", from: 1) { object in
            object["name"] = object.removeValue(forKey: "fullName")
        },
        Upcaster.json(type: "NameGiven", from: 2, renamingTo: "NameSet") { object in
            object["source"] = "upcast"
        },
    ]

    static func isCurrent(_ event: RecordedEvent) throws -> Bool {
        guard event.type == "NameSet", event.schemaVersion == 3,
            let object = try JSONSerialization.jsonObject(with: event.payload) as? [String: String]
        else { return false }
        return object["name"] == "Ada" && object["fullName"] == nil && object["source"] != nil
    }

    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("upcastingOnEveryReadPath") { suite in
            let store = try await suite.makeStore(EventStoreConformance.StoreOptions(upcasters: upcasters))
            let person = try stream("Person-1")
            try await store.append(
                [
                    EventData(type: "NameGiven", schemaVersion: 1, payload: Data(#"{"fullName":"Ada"}"#.utf8)),
                    EventData(type: "NameGiven", schemaVersion: 2, payload: Data(#"{"name":"Ada"}"#.utf8)),
                    EventData(type: "NameSet", schemaVersion: 3, payload: Data(#"{"name":"Ada","source":"app"}"#.utf8)),
                ], to: person)
            let forwards = try await store.readStream(person)
            try expect(try forwards.allSatisfy(isCurrent), "readStream forwards upcasts: \(forwards.map(\.type))")
            let backwards = try await store.readStream(person, from: .end, direction: .backwards)
            try expect(try backwards.allSatisfy(isCurrent), "readStream backwards upcasts")
            let all = try await store.readAll(after: 0, limit: 10)
            try expect(try all.count == 3 && all.allSatisfy(isCurrent), "readAll upcasts")
            let filtered = try await store.readAll(filter: EventFilter(eventTypes: ["NameGiven"]))
            try expect(try filtered.count == 2 && filtered.allSatisfy(isCurrent), "type filters match the stored type; results are upcast")
            let subscribed = try await collect(store.subscribe(after: 0), count: 3)
            try expect(try subscribed.allSatisfy(isCurrent), "subscriptions upcast")
        },
        EventStoreConformance.check("failingUpcasterIsATypedError") { suite in
            let broken = Upcaster(type: "Broken", from: 1) { _ in throw CocoaError(.coderReadCorrupt) }
            let store = try await suite.makeStore(EventStoreConformance.StoreOptions(upcasters: [broken]))
            try await store.append([EventData(type: "Broken", payload: Data("{}".utf8))], to: try stream("Thing-1"))
            let error = try await expectStoreError("reading an event whose upcaster fails") {
                try await store.readAll(after: 0, limit: 10)
            }
            guard case .upcastFailed(let type, let version, _) = error else {
                throw ConformanceFailure(message: "expected upcastFailed, got \(error)", file: #fileID, line: #line)
            }
            try expectEqual(type, "Broken")
            try expectEqual(version, 1)
        },
    ]
}
