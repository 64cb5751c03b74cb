import AtomoEvents
import AtomoSchema
import Foundation
import Synchronization

/// Checks input against the schema and normalises it: every failing field is collected, so one
/// error lists them all.
///
/// Normal forms: `float` values are doubles, `int` values integers, datetimes ISO 8601 in UTC with
/// milliseconds (so they sort as text), lists and blocks arrays (never null).
struct RecordValidator {
    let schema: Schema

    /// Validates a create's input; returns the full record (defaults applied, every field present).
    func validateCreate(_ input: [String: JSONValue], entity: EntityModel) -> ([String: JSONValue], [FieldError]) {
        var errors = unknownFields(input, entity: entity)
        var record: [String: JSONValue] = [:]
        record.reserveCapacity(entity.columns.count)
        for column in entity.columns {
            let field = column.field
            var value = input[field.name] ?? field.defaultValue ?? .null
            if value == .null, Self.isCollection(field.type) { value = .array([]) }
            if value == .null {
                if field.isRequired { errors.append(FieldError(field: field.name, rule: "required", message: "is required")) }
                record[field.name] = .null
                continue
            }
            record[field.name] = normalize(value, field: field, path: field.name, errors: &errors)
        }
        return (record, errors)
    }

    /// Validates an update's changes against the current record; returns the normalised changes.
    func validateUpdate(_ changes: [String: JSONValue], entity: EntityModel) -> ([String: JSONValue], [FieldError]) {
        var errors = unknownFields(changes, entity: entity)
        var normalized: [String: JSONValue] = [:]
        for (name, value) in changes {
            guard let field = entity.columnsByName[name]?.field else { continue }
            var value = value
            if value == .null, Self.isCollection(field.type) { value = .array([]) }
            if value == .null {
                if field.isRequired {
                    errors.append(FieldError(field: name, rule: "required", message: "is required and cannot be cleared"))
                }
                normalized[name] = .null
                continue
            }
            normalized[name] = normalize(value, field: field, path: name, errors: &errors)
        }
        errors.sort { $0.field < $1.field }
        return (normalized, errors)
    }

    private func unknownFields(_ input: [String: JSONValue], entity: EntityModel) -> [FieldError] {
        var errors: [FieldError] = []
        for name in input.keys.sorted() where entity.columnsByName[name] == nil {
            if Entity.systemFieldNames.contains(name) {
                errors.append(FieldError(field: name, rule: "readOnly", message: "is a system field and cannot be set"))
            } else {
                errors.append(FieldError(field: ContentError.quoted(name), rule: "unknown", message: "is not a field of \(entity.name)"))
            }
        }
        return errors
    }

    static func isCollection(_ type: FieldType) -> Bool {
        switch type {
        case .list, .blocks: true
        default: false
        }
    }

    /// The normal form of a non-null `value` for `field`, or nil (and an error) when it does not fit.
    func normalize(_ value: JSONValue, field: Field, path: String, errors: inout [FieldError]) -> JSONValue? {
        func fail(_ rule: String, _ message: String) -> JSONValue? {
            errors.append(FieldError(field: path, rule: rule, message: message))
            return nil
        }
        var result: JSONValue
        switch field.type {
        case .string, .text:
            guard case .string = value else { return fail("type", "must be a string, not \(value.typeName)") }
            result = value
        case .email:
            guard case .string(let text) = value else { return fail("type", "must be an email address (a string)") }
            guard Self.isEmail(text) else { return fail("format", "must be an email address") }
            result = value
        case .url:
            guard case .string(let text) = value else { return fail("type", "must be a URL (a string)") }
            guard Self.isURL(text) else { return fail("format", "must be an absolute http or https URL") }
            result = value
        case .date:
            guard case .string(let text) = value, Self.isDate(text) else { return fail("format", "must be a date, YYYY-MM-DD") }
            result = value
        case .datetime:
            guard case .string(let text) = value, let normal = Self.normalizeDateTime(text) else {
                return fail("format", "must be an ISO 8601 date and time with a time zone")
            }
            result = .string(normal)
        case .int:
            guard let int = value.intValue else { return fail("type", "must be an integer, not \(value.typeName)") }
            result = .int(int)
        case .float:
            guard let double = value.doubleValue, double.isFinite else { return fail("type", "must be a number, not \(value.typeName)") }
            result = .double(double)
        case .bool:
            guard case .bool = value else { return fail("type", "must be true or false, not \(value.typeName)") }
            result = value
        case .json:
            result = value
        case .enumeration(let name):
            let values = schema.enumType(name)?.values ?? []
            guard case .string(let text) = value else { return fail("type", "must be one of \(values.joined(separator: ", "))") }
            guard values.contains(text) else { return fail("enum", "must be one of \(values.joined(separator: ", "))") }
            result = value
        case .reference(let target):
            guard case .string(let text) = value, RecordID.isValid(text) else { return fail("type", "must be the id of a \(target)") }
            result = value
        case .list(let element):
            guard case .array(let elements) = value else { return fail("type", "must be a list, not \(value.typeName)") }
            var normal: [JSONValue] = []
            let elementField = Field(field.name, element)
            for (index, item) in elements.enumerated() {
                if item == .null {
                    errors.append(FieldError(field: "\(path)[\(index)]", rule: "type", message: "must not be null"))
                } else if let value = normalize(item, field: elementField, path: "\(path)[\(index)]", errors: &errors) {
                    normal.append(value)
                }
            }
            result = .array(normal)
        case .blocks(let unionName):
            guard case .array(let elements) = value else { return fail("type", "must be a list of blocks, not \(value.typeName)") }
            guard let union = schema.blockUnion(unionName) else { return fail("type", "has an unknown block union") }
            var normal: [JSONValue] = []
            for (index, item) in elements.enumerated() {
                let blockPath = "\(path)[\(index)]"
                guard case .object(let members) = item else {
                    errors.append(FieldError(field: blockPath, rule: "type", message: "must be a block (an object)"))
                    continue
                }
                guard case .string(let type)? = members["type"], let variant = union.variant(type) else {
                    errors.append(
                        FieldError(
                            field: "\(blockPath).type", rule: "blockType",
                            message: "must name a block type: \(union.variants.map(\.name).joined(separator: ", "))"))
                    continue
                }
                var block: [String: JSONValue] = ["type": .string(type)]
                for key in members.keys.sorted() where key != "type" && variant.field(key) == nil {
                    errors.append(FieldError(field: "\(blockPath).\(ContentError.quoted(key))", rule: "unknown", message: "is not a field of \(type)"))
                }
                for blockField in variant.fields {
                    var member = members[blockField.name] ?? blockField.defaultValue ?? .null
                    if member == .null, Self.isCollection(blockField.type) { member = .array([]) }
                    if member == .null {
                        if blockField.isRequired {
                            errors.append(FieldError(field: "\(blockPath).\(blockField.name)", rule: "required", message: "is required"))
                        }
                        continue
                    }
                    if let value = normalize(member, field: blockField, path: "\(blockPath).\(blockField.name)", errors: &errors) {
                        block[blockField.name] = value
                    }
                }
                normal.append(.object(block))
            }
            result = .array(normal)
        }
        for validation in field.validations {
            check(validation, result, path: path, errors: &errors)
        }
        return result
    }

    private func check(_ validation: FieldValidation, _ value: JSONValue, path: String, errors: inout [FieldError]) {
        switch validation {
        case .length(let min, let max):
            let length: Int
            switch value {
            case .string(let text): length = text.count
            case .array(let elements): length = elements.count
            default: return
            }
            if let min, length < min {
                errors.append(FieldError(field: path, rule: "length", message: "must have at least \(min) characters or elements"))
            } else if let max, length > max {
                errors.append(FieldError(field: path, rule: "length", message: "must have at most \(max) characters or elements"))
            }
        case .range(let min, let max):
            guard let number = value.doubleValue else { return }
            if let min, number < min {
                errors.append(FieldError(field: path, rule: "range", message: "must be at least \(Self.format(min))"))
            } else if let max, number > max {
                errors.append(FieldError(field: path, rule: "range", message: "must be at most \(Self.format(max))"))
            }
        case .pattern(let pattern):
            guard case .string(let text) = value else { return }
            if !PatternCache.shared.matches(pattern, text) {
                errors.append(FieldError(field: path, rule: "pattern", message: "must match the pattern \(pattern)"))
            }
        case .oneOf(let options):
            guard case .string(let text) = value else { return }
            if !options.contains(text) {
                errors.append(FieldError(field: path, rule: "oneOf", message: "must be one of \(options.joined(separator: ", "))"))
            }
        }
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
    }

    // MARK: Formats

    static func isEmail(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count <= 254, let at = utf8.firstIndex(of: UInt8(ascii: "@")), at != utf8.startIndex else { return false }
        let domain = utf8[utf8.index(after: at)...]
        guard !domain.isEmpty, !domain.contains(UInt8(ascii: "@")), domain.contains(UInt8(ascii: ".")),
            domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: ".")
        else { return false }
        return !utf8.contains { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
    }

    static func isURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2048, !text.utf8.contains(where: { $0 <= 0x20 }),
            let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    /// An ISO 8601 date-time with a zone, in UTC with milliseconds; nil when it is not one.
    static func normalizeDateTime(_ text: String) -> String? {
        guard text.utf8.count <= 40, text.utf8.count >= 20 else { return nil }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        guard let date = (try? withFraction.parse(text)) ?? (try? plain.parse(text)) else { return nil }
        return ContentTime.iso8601(date)
    }
}

/// Compiled patterns, shared: compiling a regular expression costs more than matching it.
final class PatternCache: Sendable {
    static let shared = PatternCache()
    private let cache = Mutex<[String: NSRegularExpressionBox]>([:])

    func matches(_ pattern: String, _ text: String) -> Bool {
        let box = cache.withLock { cache -> NSRegularExpressionBox in
            if let box = cache[pattern] { return box }
            let box = NSRegularExpressionBox(try? NSRegularExpression(pattern: "^(?:" + pattern + ")$"))
            cache[pattern] = box
            return box
        }
        guard let expression = box.expression else { return false }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }
}

/// `NSRegularExpression` is immutable once made and documented as thread-safe for matching.
final class NSRegularExpressionBox: @unchecked Sendable {
    let expression: NSRegularExpression?
    init(_ expression: NSRegularExpression?) { self.expression = expression }
}

/// Record ids: UUIDv7 by default; client ids are 1 to 200 characters, no whitespace or controls.
enum RecordID {
    static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 200 else { return false }
        // Printable ASCII (every generated id) needs no Unicode property lookups.
        if id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return true }
        for scalar in id.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) { return false }
        }
        return true
    }

    static func make() -> String { UUID.timeOrdered().uuidString.lowercased() }
}
