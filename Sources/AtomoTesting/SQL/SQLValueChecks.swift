import AtomoSQL
import Foundation

/// Values at the edges: NUL characters in text, bytes that are not UTF-8.
enum SQLValueChecks {
    static let all: [SQLDatabaseConformance.Check] = [
        SQLDatabaseConformance.check("textWithNULRoundTripsOrIsRefused", textWithNUL),
        SQLDatabaseConformance.check("bytesRoundTripAsBlobs", bytesRoundTrip),
        SQLDatabaseConformance.check("textRoundTrips", textRoundTrips),
    ]

    /// Text holding U+0000 either comes back whole or is refused with a typed error, as the
    /// capabilities say — never cut at the NUL.
    static func textWithNUL(
        _ database: any SQLDatabase, _ capabilities: SQLDatabaseConformance.Capabilities
    ) async throws {
        _ = try await database.writeTransaction { connection in
            try connection.execute(
                "CREATE TABLE notes (id BIGINT PRIMARY KEY, body \(connection.dialect.binaryTextType))", [])
        }
        let text = "before\u{0}after"
        var refusal: (any Error)?
        do {
            try await database.writeTransaction { connection in
                let p = connection.dialect.placeholder
                try connection.execute("INSERT INTO notes (id, body) VALUES (\(p(1)), \(p(2)))", [1, .text(text)])
            }
        } catch {
            refusal = error
        }
        let stored = try await database.readTransaction { connection in
            try connection.query("SELECT body FROM notes WHERE id = 1", []).first?["body"]
        }
        if capabilities.textAllowsNUL {
            try expect(refusal == nil, "text with NUL was refused: \(refusal.map { "\($0)" } ?? "")")
            try expectEqual(stored, .text(text), "text with NUL comes back whole")
            // Comparisons see the characters after the NUL too.
            let found = try await database.readTransaction { connection in
                try connection.scalar(
                    "SELECT count(*) FROM notes WHERE body = \(connection.dialect.placeholder(1))", ["before"])
            }
            try expectEqual(found, 0, "text is not compared only up to the NUL")
        } else {
            try expect(
                refusal is any SQLDatabaseError,
                "text with NUL must be refused with a SQLDatabaseError, got \(String(describing: refusal))")
            try expectEqual(stored, nil, "refused text with NUL stored nothing (not a truncated copy)")
        }
    }

    /// Bytes that are not UTF-8 (and NUL bytes, and no bytes at all) round-trip through a blob column.
    static func bytesRoundTrip(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        let values: [[UInt8]] = [
            [0x61, 0xFF, 0xFE, 0x00, 0xC3], [0x00], [], Array(0...255), [0xC3, 0x28], [0xED, 0xA0, 0x80],
        ]
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            try connection.execute(
                "CREATE TABLE files (id BIGINT PRIMARY KEY, bytes \(connection.dialect.blobType))", [])
            try connection.executeMany(
                "INSERT INTO files (id, bytes) VALUES (\(p(1)), \(p(2)))",
                values.enumerated().map { [.integer(Int64($0.offset)), .blob($0.element)] })
        }
        let read = try await database.readTransaction { connection in
            try connection.query("SELECT bytes FROM files ORDER BY id", []).map { $0["bytes"] }
        }
        try expectEqual(read, values.map { SQLValue.blob($0) }, "every byte string comes back as it went in")
        let found = try await database.readTransaction { connection in
            try connection.scalar(
                "SELECT id FROM files WHERE bytes = \(connection.dialect.placeholder(1))", [.blob([0xC3, 0x28])])
        }
        try expectEqual(found, 4, "a blob compares by its bytes")
    }

    /// Text of every kind of UTF-8 sequence, integers at their limits and doubles round-trip.
    static func textRoundTrips(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        let values: [SQLValue] = [
            "", "plain", "ünïcödé", "日本語", "😀 emoji", "quote ' and \" and \\", "\u{FFFD}", "line\nbreak\ttab",
            .integer(.max), .integer(.min), .integer(0), .real(-0.5), .real(1e300), .null,
        ]
        try await database.writeTransaction { connection in
            let dialect = connection.dialect
            try connection.execute(
                "CREATE TABLE cells (id BIGINT PRIMARY KEY, t \(dialect.binaryTextType), i BIGINT, r DOUBLE PRECISION)",
                [])
            let p = dialect.placeholder
            for (index, value) in values.enumerated() {
                let column =
                    switch value {
                    case .integer: "i"
                    case .real: "r"
                    default: "t"
                    }
                try connection.execute(
                    "INSERT INTO cells (id, \(column)) VALUES (\(p(1)), \(p(2)))", [.integer(Int64(index)), value])
            }
        }
        let read = try await database.readTransaction { connection in
            try connection.query("SELECT t, i, r FROM cells ORDER BY id", []).map { row -> SQLValue in
                row.values.first { $0 != .null } ?? .null
            }
        }
        try expectEqual(read, values, "values come back as they went in")
    }
}
