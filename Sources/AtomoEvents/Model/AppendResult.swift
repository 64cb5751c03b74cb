/// Where an append's events landed in one stream.
///
/// `lastVersion` is the stream's version after the append: pass it as ``ExpectedVersion/exact(_:)``
/// on the next append.
public struct AppendResult: Sendable, Hashable {
    /// The stream appended to.
    public var stream: StreamName
    /// The stream version of the first appended event.
    public var firstVersion: Int64
    /// The stream version of the last appended event: the stream's new version.
    public var lastVersion: Int64
    /// The global position of the first appended event.
    public var firstPosition: Int64
    /// The global position of the last appended event.
    public var lastPosition: Int64

    /// Creates a result.
    public init(stream: StreamName, firstVersion: Int64, lastVersion: Int64, firstPosition: Int64, lastPosition: Int64) {
        self.stream = stream
        self.firstVersion = firstVersion
        self.lastVersion = lastVersion
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
    }
}

/// Events for one stream within a multi-stream append.
///
/// ```swift
/// try await store.append([
///     StreamAppend(to: order, expectedVersion: .exact(4), events: [shipped]),
///     StreamAppend(to: stock, expectedVersion: .any, events: [reserved]),
/// ])
/// ```
public struct StreamAppend: Sendable, Hashable {
    /// The stream.
    public var stream: StreamName
    /// What the stream's version must be for the whole append to proceed.
    public var expectedVersion: ExpectedVersion
    /// The events, in order.
    public var events: [EventData]

    /// Creates one stream's part of an append.
    public init(to stream: StreamName, expectedVersion: ExpectedVersion = .any, events: [EventData]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}
