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
/// capacity it becomes the previous one (the one before is dropped), and entries found there
/// move back to the current one. So about `capacity` records are held at most (two generations
/// of half of it, rounded up), and a record in use stays.
final class RecordCache: Sendable {
    struct Key: Hashable, Sendable {
        let entity: String
        let id: String
        let version: Int64
    }

    private struct Generations {
        var current: [Key: ContentRecord] = [:]
        var previous: [Key: ContentRecord] = [:]
    }

    /// The most records held; 0 holds none.
    let capacity: Int
    private let generations = Mutex(Generations())

    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// The records cached under `keys` (nil where not cached, or where the key is nil), in one lock.
    func records(_ keys: [Key?]) -> [ContentRecord?] {
        guard capacity > 0 else { return Array(repeating: nil, count: keys.count) }
        return generations.withLock { generations in
            keys.map { key -> ContentRecord? in
                guard let key else { return nil }
                if let record = generations.current[key] { return record }
                guard let record = generations.previous.removeValue(forKey: key) else { return nil }
                Self.insert(record, at: key, into: &generations, capacity: capacity)
                return record
            }
        }
    }

    /// Caches `records` under their keys, in one lock.
    func insert(_ records: [(Key, ContentRecord)]) {
        guard capacity > 0, !records.isEmpty else { return }
        generations.withLock { generations in
            for (key, record) in records { Self.insert(record, at: key, into: &generations, capacity: capacity) }
        }
    }

    /// How many records are held.
    var count: Int { generations.withLock { $0.current.count + $0.previous.count } }

    private static func insert(_ record: ContentRecord, at key: Key, into generations: inout Generations, capacity: Int)
    {
        if generations.current.count >= (capacity + 1) / 2 {
            generations.previous = generations.current
            generations.current = [:]
        }
        generations.current[key] = record
    }
}
