public import AtomoSchema
public import GraphQL
import OrderedCollections

extension JSONValue {
    /// The value as the GraphQL library's `Map` (objects keep their keys sorted, so equal values
    /// give equal maps).
    public var graphQLMap: Map {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .number(Number(value))
        case .double(let value): return .number(Number(value))
        case .string(let value): return .string(value)
        case .array(let elements): return .array(elements.map(\.graphQLMap))
        case .object(let members):
            var dictionary = OrderedDictionary<String, Map>()
            for key in members.keys.sorted() { dictionary[key] = members[key]?.graphQLMap ?? .null }
            return .dictionary(dictionary)
        }
    }

    /// The JSON value of a GraphQL `Map`; `undefined` becomes nil (absent), so object members that
    /// were not given are left out.
    public init?(graphQLMap map: Map) {
        switch map {
        case .undefined: return nil
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let number):
            switch number.storageType {
            case .bool: self = .bool(number.boolValue)
            case .int: self = .int(number.int64Value)
            case .double, .unknown:
                let double = number.doubleValue
                self = .double(double)
            }
        case .string(let value): self = .string(value)
        case .array(let elements): self = .array(elements.map { JSONValue(graphQLMap: $0) ?? .null })
        case .dictionary(let members):
            var object: [String: JSONValue] = [:]
            for (key, value) in members {
                if let converted = JSONValue(graphQLMap: value) { object[key] = converted }
            }
            self = .object(object)
        }
    }
}
