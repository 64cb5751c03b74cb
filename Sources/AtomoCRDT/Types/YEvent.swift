/// What one transaction changed in one shared type.
public struct YEvent {
    /// How a map key changed.
    public enum KeyChange: Equatable {
        /// The key was added with no previous value.
        case added
        /// The key's value was replaced; `oldValue` is the previous value.
        case updated(oldValue: YValue)
        /// The key was removed; `oldValue` is the removed value.
        case deleted(oldValue: YValue)
    }

    /// One step of a sequence delta, Quill-style: keep, insert, or delete units.
    public enum Change: Equatable {
        /// Units kept unchanged (UTF-16 code units for text, elements for arrays).
        case retain(Int)
        /// Inserted values (for text: `.any(.string)` runs and embeds).
        case insert([YValue])
        /// Units deleted.
        case delete(Int)
    }

    /// The path from the observed type to the changed type: empty for the type's own observers, map
    /// keys and array indices for deep observers (``YMap/observeDeep(_:)`` and the like).
    public internal(set) var path: [PathSegment] = []
    /// Sequence changes (text and arrays).
    public let delta: [Change]
    /// Map changes by key.
    public let keys: [String: KeyChange]
    /// Whether the change came from this replica.
    public let isLocal: Bool
    /// The transaction's origin.
    public let origin: String?

    /// A step in a path through nested types.
    public enum PathSegment: Hashable, Sendable {
        /// A key of a map.
        case key(String)
        /// An index of an array.
        case index(Int)
    }
}
