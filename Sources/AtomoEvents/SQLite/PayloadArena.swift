import Foundation

/// Copies the payloads of one read into shared chunks of memory, so that each event's `Data`
/// costs one allocation (its storage object) instead of two (the object and its bytes).
///
/// Reading the log allocates on the reader's thread and frees on the consumer's, the pattern
/// glibc's allocator handles worst: the payload allocations were a tenth of the read path's time.
/// Each `Data` made here owns its own bytes inside a chunk (no other event's payload overlaps
/// them) and starts at index 0 like any other; mutating it is ordinary `Data` copy-on-write, and
/// growing it copies it out of the chunk. A chunk is freed when the last `Data` in it is: keeping
/// one event alive keeps at most ``largestChunk`` bytes alive with it. Chunks start small and
/// double, so that reading a short stream allocates little.
struct PayloadArena {
    /// The bytes of the first chunk.
    static let firstChunk = 1024
    /// The bytes of the largest chunk.
    static let largestChunk = 16 * 1024
    /// Larger payloads get an allocation of their own: they would waste a chunk's tail.
    static let largestShared = 2 * 1024
    /// `Data` keeps up to this many bytes inline (no allocation at all); those are not shared.
    private static let inlineCapacity = 14

    private var chunk: Chunk?
    private var deallocator: Data.Deallocator = .none
    private var used = 0
    private var capacity = 0

    /// A `Data` holding a copy of `bytes`.
    mutating func copy(_ bytes: UnsafeRawBufferPointer) -> Data {
        let count = bytes.count
        guard count > Self.inlineCapacity, count <= Self.largestShared, let source = bytes.baseAddress else {
            return Data(bytes)
        }
        let current: Chunk
        if let chunk, used + count <= capacity {
            current = chunk
        } else {
            capacity = max(count, chunk == nil ? Self.firstChunk : min(capacity * 2, Self.largestChunk))
            current = Chunk(byteCount: capacity)
            chunk = current
            // The only reference to the chunk outside this arena: every `Data` made from it holds
            // the closure, and the closure holds the chunk, which frees its memory in `deinit`.
            deallocator = .custom { [current] _, _ in withExtendedLifetime(current) {} }
            used = 0
        }
        let destination = current.base + used
        destination.copyMemory(from: source, byteCount: count)
        // Keep each payload 8-byte aligned, as malloc'd bytes would be.
        used += (count + 7) & ~7
        return Data(bytesNoCopy: destination, count: count, deallocator: deallocator)
    }
}

/// One chunk of a ``PayloadArena``: its memory lives as long as the object.
private final class Chunk: Sendable {
    // Written only through the `Data` values carved from it, each in its own range.
    nonisolated(unsafe) let base: UnsafeMutableRawPointer

    init(byteCount: Int) { base = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16) }

    deinit { base.deallocate() }
}
