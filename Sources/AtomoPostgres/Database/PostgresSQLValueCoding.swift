import AtomoSQL
import Foundation
import NIOCore
import PostgresNIO

/// Turns ``AtomoSQL/SQLValue``s into PostgreSQL binds and result cells back into values.
///
/// - Integers bind as `int8`, reals as `float8`, blobs as `bytea` (binary format).
/// - Text binds with the type left to the server (`unknown`, text format), so a string can go into a
///   `text`, `varchar`, `jsonb`, `uuid` or `timestamptz` column without a cast, as on SQLite.
/// - Results: integer types and `bool` read as `.integer`, `float4`/`float8` as `.real`, `numeric` as
///   `.integer` when integral and in range (`sum(bigint)`), else `.real`; `bytea` as `.blob`;
///   everything else as its text.
enum PostgresSQLValueCoding {
    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(UntypedText(text))
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return bindings
    }

    static func row(_ row: PostgresRow) -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(value(cell))
        }
        return SQLRow(columns: columns, values: values)
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2: return (try? cell.decode(Int16.self)).map { .integer(Int64($0)) } ?? .null
        case .int4: return (try? cell.decode(Int32.self)).map { .integer(Int64($0)) } ?? .null
        case .int8: return (try? cell.decode(Int64.self)).map { .integer($0) } ?? .null
        case .bool: return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .float4, .float8: return (try? cell.decode(Double.self)).map { .real($0) } ?? .null
        case .numeric:
            guard let decimal = try? cell.decode(Decimal.self) else { return .null }
            let text = "\(decimal)"
            if let integer = Int64(text) { return .integer(integer) }
            return .real(NSDecimalNumber(decimal: decimal).doubleValue)
        case .bytea: return .blob(bytes.readBytes(length: bytes.readableBytes) ?? [])
        default:
            if let text = try? cell.decode(String.self) { return .text(text) }
            return .blob(bytes.readBytes(length: bytes.readableBytes) ?? [])
        }
    }
}

/// A string bound in text format with no declared type, so the server infers the parameter's type
/// from the statement.
struct UntypedText: PostgresNonThrowingEncodable {
    let text: String

    init(_ text: String) { self.text = text }

    static var psqlType: PostgresDataType { .unknown }
    static var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
