import AtomoEvents
import AtomoSchema

/// Writes JSON text straight into a byte buffer: the planned executor's output, with no
/// intermediate tree. `mark` and `truncate(to:)` let a null propagate to an enclosing field by
/// cutting back what was already written.
struct JSONWriter: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Per open container: whether a comma must precede the next member or element.
    private var needsComma: [Bool] = []
    /// Whether a key was just written, so the next value is its value.
    private var afterKey = false

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// A point to truncate back to.
    struct Mark {
        let length: Int
        let depth: Int
        let comma: Bool
        let afterKey: Bool
    }

    /// The current position.
    var mark: Mark {
        Mark(length: bytes.count, depth: needsComma.count, comma: needsComma.last ?? false, afterKey: afterKey)
    }

    /// Cuts the output back to `mark`.
    mutating func truncate(to mark: Mark) {
        bytes.removeSubrange(mark.length...)
        needsComma.removeSubrange(mark.depth...)
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = mark.comma }
        afterKey = mark.afterKey
    }

    private mutating func valueStart() {
        if afterKey {
            afterKey = false
        } else if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    mutating func beginObject() {
        valueStart()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func beginArray() {
        valueStart()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next value written is its value.
    mutating func key(_ key: String) {
        memberStart()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes an object key given as JSON with its colon (`"name":`); the next value written is its value.
    mutating func key(json: [UInt8]) {
        memberStart()
        bytes.append(contentsOf: json)
        afterKey = true
    }

    /// Before a member of the open object: a comma unless it is the first.
    private mutating func memberStart() {
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    mutating func null() {
        valueStart()
        bytes.append(contentsOf: [110, 117, 108, 108])
    }

    mutating func bool(_ value: Bool) {
        valueStart()
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func int(_ value: Int64) {
        valueStart()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func double(_ value: Double) {
        valueStart()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                bytes.append(contentsOf: String(Int64(value)).utf8)
            } else {
                bytes.append(contentsOf: String(value).utf8)
            }
        } else {
            bytes.append(contentsOf: [110, 117, 108, 108])
        }
    }

    mutating func string(_ value: String) {
        valueStart()
        writeString(value)
    }

    /// Writes any JSON value.
    mutating func json(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements { json(element) }
            endArray()
        case .object(let members):
            beginObject()
            for key in members.keys.sorted() {
                self.key(key)
                json(members[key] ?? .null)
            }
            endObject()
        }
    }

    /// Appends bytes that are already JSON (a value).
    mutating func raw(_ json: [UInt8]) {
        valueStart()
        bytes.append(contentsOf: json)
    }

    private mutating func writeString(_ value: String) {
        JSONStringWriter.append(value, to: &bytes)
    }
}
