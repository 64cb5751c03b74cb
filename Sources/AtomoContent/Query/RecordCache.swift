import AtomoSQL
import AtomoSchema
import Synchronization

/// Records decoded from read-model rows, by entity, id and version, for one content model.
///
/// A record's version fixes its row: every change to a row sets a new `_version`, so an entry
/// never goes stale while the model that decoded it is the one serving. A schema change builds a
/// new model and with it a new, empty cache (``ContentEngine`` keeps one per model), so rows read
/// in a new shape are never answered from records decoded in the old one.
///
/// Decoding a row (its JSON columns parsed, its field dictionary built) costs more than reading
/// it; a page read again — the usual case for the lists an API serves — is answered from here.
/// Eviction is by two generations: new entries go to the current one; when it holds half the
/// records or half the bytes allowed, it becomes the previous one (the one before is dropped), and
/// entries found there move back to the current one. So at most about `capacity` records and
/// `maximumBytes` bytes of rows are held, and a record in use stays. A record whose row is larger
/// than half the bytes allowed is not kept.
final class RecordCache: Sendable {
    struct Key: Hashable, Sendable {
        let entity: String
        let id: String
        let version: Int64
    }

    private struct Entry {
        let record: ContentRecord
        /// The size of the row it was decoded from, in bytes (an estimate of what it holds).
        let bytes: Int
    }

    private struct Generation {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    private struct Generations {
        var current = Generation()
        var previous = Generation()
    }

    /// The most records held (about); 0 holds none.
    let capacity: Int
    /// The most bytes of rows held (about).
    let maximumBytes: Int
    private let generations = Mutex(Generations())

    init(capacity: Int, maximumBytes: Int) {
        self.capacity = max(0, capacity)
        self.maximumBytes = max(0, maximumBytes)
    }

    /// Whether anything is kept at all.
    var isEnabled: Bool { capacity > 0 && maximumBytes > 0 }

    /// The records cached under `keys` (nil where not cached, or where the key is nil), in one lock.
    func records(_ keys: [Key?]) -> [ContentRecord?] {
        guard isEnabled else { return Array(repeating: nil, count: keys.count) }
        return generations.withLock { generations in
            keys.map { key -> ContentRecord? in
                guard let key else { return nil }
                if let entry = generations.current.entries[key] { return entry.record }
                guard let entry = generations.previous.entries.removeValue(forKey: key) else { return nil }
                generations.previous.bytes -= entry.bytes
                insert(entry, at: key, into: &generations)
                return entry.record
            }
        }
    }

    /// Caches `records` (each with the size of its row) under their keys, in one lock.
    func insert(_ records: [(key: Key, record: ContentRecord, bytes: Int)]) {
        guard isEnabled, !records.isEmpty else { return }
        generations.withLock { generations in
            for item in records {
                insert(Entry(record: item.record, bytes: item.bytes), at: item.key, into: &generations)
            }
        }
    }

    /// How many records are held.
    var count: Int { generations.withLock { $0.current.entries.count + $0.previous.entries.count } }

    /// How many bytes of rows the records held were decoded from.
    var bytes: Int { generations.withLock { $0.current.bytes + $0.previous.bytes } }

    private func insert(_ entry: Entry, at key: Key, into generations: inout Generations) {
        let halfRecords = (capacity + 1) / 2
        let halfBytes = (maximumBytes + 1) / 2
        guard entry.bytes <= halfBytes else { return }
        // The same record decoded by two readers at once arrives twice: it is held once.
        if let old = generations.current.entries.removeValue(forKey: key) { generations.current.bytes -= old.bytes }
        if let old = generations.previous.entries.removeValue(forKey: key) { generations.previous.bytes -= old.bytes }
        if generations.current.entries.count >= halfRecords || generations.current.bytes + entry.bytes > halfBytes {
            generations.previous = generations.current
            generations.current = Generation()
        }
        generations.current.entries[key] = entry
        generations.current.bytes += entry.bytes
    }
}

extension SQLRow {
    /// About how many bytes the row's values take: text and blobs by length, numbers as 8, plus a
    /// fixed overhead per value.
    var estimatedBytes: Int {
        values.reduce(0) { total, value in
            switch value {
            case .text(let text): total + text.utf8.count + 16
            case .blob(let bytes): total + bytes.count + 16
            default: total + 16
            }
        }
    }
}

extension ContentEngine.Configuration {
    /// An empty cache with this configuration's bounds.
    func makeRecordCache() -> RecordCache {
        RecordCache(capacity: recordCacheCapacity, maximumBytes: recordCacheMaximumBytes)
    }
}
