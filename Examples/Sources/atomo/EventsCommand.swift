import ArgumentParser
import AtomoEvents
import AtomoTooling
import Foundation

/// `atomo events tail` and `atomo events show`: browse the event log.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Browse the event log.", subcommands: [Tail.self, Show.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last events of the log, and with --follow the new ones as they commit.")

        @OptionGroup var data: DataOptions

        @Option(name: .shortAndLong, help: "How many of the latest events to print first.")
        var count: Int = 20

        @Flag(name: .shortAndLong, help: "Keep printing events as they are appended (Ctrl-C stops).")
        var follow = false

        @Option(help: "Only events of this category (the entity: Contact).")
        var category: String?

        @Option(help: "Only events of this type (ContactUpdated).")
        var type: String?

        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let store = try await openLog(data)
            defer { Task { await store.close() } }
            let filter = EventFilter(
                eventTypes: type.map { [$0] }, categories: category.map { [$0] }, tenant: nil)
            let formatter = EventFormatter(style: json ? .json : .line)
            let head = try await store.store.headPosition()
            // Pages forward, keeping the last `count` events that match (a filtered tail scans the log).
            var start = filter.isEmpty ? max(0, head - Int64(max(count, 0))) : 0
            var recent: [RecordedEvent] = []
            while true {
                let page = try await store.store.readAllPage(after: start, limit: 1000, filter: filter)
                recent.append(contentsOf: page.events)
                if recent.count > count { recent.removeFirst(recent.count - count) }
                if page.scannedThrough <= start || page.scannedThrough >= head { break }
                start = page.scannedThrough
            }
            for event in recent { print(formatter.format(event)) }
            guard follow else { return }
            fflush(nil)
            for try await event in store.store.subscribe(after: head, filter: filter) {
                print(formatter.format(event))
                fflush(nil)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one event in full (by position), or every event of a stream (Contact-<id>).")

        @OptionGroup var data: DataOptions

        @Argument(help: "A global position (42) or a stream name (Contact-0193…).")
        var what: String

        @Flag(help: "JSON instead of text.")
        var json = false

        func run() async throws {
            let store = try await openLog(data)
            defer { Task { await store.close() } }
            let formatter = EventFormatter(style: json ? .json : .detail)
            if let position = Int64(what) {
                let page = try await store.store.readAllPage(after: position - 1, limit: 1, filter: .all)
                guard let event = page.events.first, event.position == position else {
                    throw ValidationError(ToolError.noSuchEvent("at position \(position)").description)
                }
                print(formatter.format(event))
                return
            }
            let stream: StreamName
            do {
                stream = try StreamName(what)
            } catch {
                throw ValidationError("'\(what)' is neither a position nor a stream name (\(error))")
            }
            let events = try await store.store.readStream(stream)
            guard !events.isEmpty else { throw ValidationError(ToolError.noSuchEvent("in stream \(what)").description) }
            for (index, event) in events.enumerated() {
                if index > 0 && !json { print("") }
                print(formatter.format(event))
            }
        }
    }
}

/// Opens the log the options name (read-only use: a missing SQLite file is an error, not created).
func openLog(_ options: DataOptions) async throws -> OpenEventStore {
    do {
        return try await OpenEventStore.open(options.location, mustExist: true)
    } catch let error as ToolError {
        throw ValidationError(error.description)
    }
}
