public import AtomoSchema

/// What each role — and the caller without a token — may do to each entity, as the policy decides
/// it: the table a development server prints at start so that nobody is surprised by an open entity.
///
/// ```swift
/// print(PolicyEngine(schema: schema).accessMatrix())
/// // entity   role       read             create  update  delete
/// // Contact  Viewer     id, name         no      no      no
/// // Contact  anonymous  no               no      no      no
/// ```
public struct AccessMatrix: Sendable, Hashable, CustomStringConvertible {
    /// What one audience may do with one operation.
    public enum Cell: Sendable, Hashable, CustomStringConvertible {
        /// Allowed on every record (for `read`: every field).
        case allowed
        /// Never allowed.
        case denied
        /// Read: only these fields (system fields aside).
        case fields([String])
        /// Decided per record or per user: the rule reads `record` or `user`.
        case perRecord

        /// `yes`, `no`, the field list, or `per record`.
        public var description: String {
            switch self {
            case .allowed: "yes"
            case .denied: "no"
            case .fields(let names): names.joined(separator: ", ")
            case .perRecord: "per record"
            }
        }
    }

    /// One line: an entity, an audience and a cell per operation.
    public struct Row: Sendable, Hashable {
        /// The entity's name.
        public let entity: String
        /// A declared role, or `anonymous`.
        public let role: String
        /// `read`, `create`, `update`, `delete` (restore follows delete).
        public let cells: [AccessOperation: Cell]
    }

    /// The operations shown, in column order.
    public static let operations: [AccessOperation] = [.read, .create, .update, .delete]

    /// Every entity × (each declared role, then `anonymous`).
    public let rows: [Row]

    /// The cell for `entity`, `role` (or `anonymous`) and `operation`, when the matrix has it.
    public func cell(entity: String, role: String, operation: AccessOperation) -> Cell? {
        rows.first { $0.entity == entity && $0.role == role }?.cells[operation == .restore ? .delete : operation]
    }

    /// The table as aligned text, one row per entity and audience.
    public var description: String {
        let header = ["entity", "role"] + Self.operations.map(\.rawValue)
        let lines = [header] + rows.map { row in [row.entity, row.role] + Self.operations.map { "\(row.cells[$0] ?? .denied)" } }
        var widths = Array(repeating: 0, count: header.count)
        for line in lines { for (index, text) in line.enumerated() { widths[index] = max(widths[index], text.count) } }
        return lines.map { line in
            line.enumerated().map { index, text in
                index == line.count - 1 ? text : text + String(repeating: " ", count: widths[index] - text.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension PolicyEngine {
    /// The access matrix of the current schema: for every entity, each declared role and the
    /// anonymous caller, whether it may read (and which fields), create, update and delete, as
    /// ``decide(_:)-(AccessRequest)`` would answer with no particular record. Rules that read `record` or
    /// `user` show as ``AccessMatrix/Cell/perRecord``.
    public func accessMatrix() -> AccessMatrix {
        let schema = self.schema
        var rows: [AccessMatrix.Row] = []
        for entity in schema.entities {
            let audiences: [(String, Principal)] =
                schema.roles.map { ($0, Principal(userID: "access-matrix", roles: [$0])) }
                + [(Principal.anonymousRoleName, .anonymous)]
            for (name, principal) in audiences {
                var cells: [AccessOperation: AccessMatrix.Cell] = [:]
                for operation in AccessMatrix.operations {
                    cells[operation] = cell(entity, operation, principal)
                }
                rows.append(AccessMatrix.Row(entity: entity.name, role: name, cells: cells))
            }
        }
        return AccessMatrix(rows: rows)
    }

    private func cell(_ entity: Entity, _ operation: AccessOperation, _ principal: Principal) -> AccessMatrix.Cell {
        let rule = entity.access?.rule(for: operation)
        if principal.isAnonymous, !(rule?.comparesRole(with: Principal.anonymousRoleName) ?? false) { return .denied }
        if let rule, rule.refers(to: "record") || rule.refers(to: "user") { return .perRecord }
        guard operation == .read else {
            return decide(AccessRequest(principal: principal, operation: operation, entity: entity)).isAllowed
                ? .allowed : .denied
        }
        let readable = readableFields(of: entity, record: nil, for: principal)
        let declared = entity.fields.map(\.name)
        if readable.isEmpty { return .denied }
        if declared.allSatisfy(readable.contains) { return .allowed }
        return .fields(declared.filter(readable.contains))
    }
}
