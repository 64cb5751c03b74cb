import Foundation
import NIOCore
import PostgresNIO

/// A `text[]` parameter whose elements may be NULL, in PostgreSQL's binary array format.
///
/// PostgresNIO encodes `[String]` but not `[String?]`; event metadata columns are optional, and an
/// append sends each of them as one array, so the store writes the array itself.
struct PostgresNullableTextArray: PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    let elements: [String?]

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        PostgresBinaryArray.writeHeader(
            into: &buffer, count: elements.count, hasNull: elements.contains(nil), elementType: .text)
        for element in elements {
            if let element {
                buffer.writeInteger(Int32(element.utf8.count))
                buffer.writeString(element)
            } else {
                buffer.writeInteger(Int32(-1))
            }
        }
    }
}

/// A `bytea[]` parameter written straight from `Data`, without an intermediate `ByteBuffer` per element.
struct PostgresByteaArray: PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { .byteaArray }
    static var psqlFormat: PostgresFormat { .binary }

    let elements: [Data]

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        PostgresBinaryArray.writeHeader(into: &buffer, count: elements.count, hasNull: false, elementType: .bytea)
        for element in elements {
            buffer.writeInteger(Int32(element.count))
            buffer.writeBytes(element)
        }
    }
}

/// PostgreSQL's binary array header (see `array_recv`): dimensions, null flag, element type, then
/// each dimension's length and lower bound.
enum PostgresBinaryArray {
    static func writeHeader(into buffer: inout ByteBuffer, count: Int, hasNull: Bool, elementType: PostgresDataType) {
        guard count > 0 else {
            buffer.writeInteger(Int32(0))
            buffer.writeInteger(Int32(0))
            buffer.writeInteger(elementType.rawValue)
            return
        }
        buffer.writeInteger(Int32(1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(elementType.rawValue)
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))
    }
}
