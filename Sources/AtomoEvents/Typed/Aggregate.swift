/// A consistency boundary whose state is the fold of its stream's events.
///
/// ```swift
/// struct Contact: Aggregate {
///     static let category = "Contact"
///     static let eventTypes: [any Event.Type] = [ContactCreated.self, ContactRenamed.self]
///     let id: String
///     var name = ""
///     init(id: String) { self.id = id }
///     mutating func apply(_ event: any Event) {
///         switch event {
///         case let created as ContactCreated: name = created.name
///         case let renamed as ContactRenamed: name = renamed.name
///         default: break
///         }
///     }
/// }
/// ```
public protocol Aggregate: Sendable {
    /// The stream category; the stream of the aggregate `id` is `category-id`.
    static var category: String { get }
    /// The event types the aggregate applies; stored events of other types are ignored.
    static var eventTypes: [any Event.Type] { get }
    /// The aggregate's id.
    var id: String { get }
    /// A new aggregate, before any event.
    init(id: String)
    /// Evolves the state by one event. Must not fail: decisions happen before events are recorded.
    mutating func apply(_ event: any Event)
}

/// An aggregate as loaded from its stream, with the version it was loaded at and the events
/// recorded since.
public struct AggregateRoot<State: Aggregate>: Sendable {
    /// The current state, including recorded but unsaved events.
    public private(set) var state: State
    /// The stream version the aggregate was loaded (or last saved) at; nil for a new aggregate.
    public private(set) var version: Int64?
    /// Events recorded since the last load or save.
    public private(set) var pendingEvents: [any Event] = []

    /// A root over `state` at `version`.
    public init(state: State, version: Int64?) {
        self.state = state
        self.version = version
    }

    /// The aggregate's id.
    public var id: String { state.id }

    /// Applies `event` to the state and keeps it for the next save.
    public mutating func record(_ event: some Event) {
        state.apply(event)
        pendingEvents.append(event)
    }

    mutating func markSaved(at version: Int64) {
        self.version = version
        pendingEvents.removeAll()
    }
}
