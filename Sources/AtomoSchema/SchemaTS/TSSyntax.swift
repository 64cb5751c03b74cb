/// The syntax tree of the `schema.ts` subset, as ``TSParser`` builds it and ``SchemaImporter`` reads it.
enum TSSyntax {
    /// A type expression.
    indirect enum TypeExpression: Sendable {
        /// `string`, `number`, `Date`, `Company`, `Stage`, `Int`, …
        case name(String, TSPosition)
        /// `'Admin'`.
        case stringLiteral(String, TSPosition)
        /// `T[]` or `Array<T>`.
        case array(TypeExpression, TSPosition)
        /// `A | B | C`.
        case union([TypeExpression], TSPosition)
        /// `{ type: 'Paragraph'; text: string }`, with the JSDoc before it.
        case object([Member], TSPosition, TSDocComment?)
        /// `null` or `undefined`.
        case null(TSPosition)

        var position: TSPosition {
            switch self {
            case .name(_, let p), .stringLiteral(_, let p), .array(_, let p), .union(_, let p), .object(_, let p, _),
                .null(let p):
                p
            }
        }
    }

    /// A member of an interface or object type: `email?: string`.
    struct Member: Sendable {
        var name: String
        var position: TSPosition
        var isOptional: Bool
        var type: TypeExpression
        var doc: TSDocComment?
    }

    /// `export interface Contact { … }`.
    struct Interface: Sendable {
        var name: String
        var position: TSPosition
        var members: [Member]
        var doc: TSDocComment?
    }

    /// `export type Role = …`.
    struct TypeAlias: Sendable {
        var name: String
        var position: TSPosition
        var type: TypeExpression
        var doc: TSDocComment?
    }

    /// `export const access = …`.
    struct Constant: Sendable {
        var name: String
        var position: TSPosition
        var value: Value
    }

    /// The parameters of an arrow function.
    enum Parameters: Sendable {
        /// `()`.
        case none
        /// `ctx` or `(ctx: Context)`.
        case single(String, TSPosition)
        /// `({ role, user })`, with or without a type annotation.
        case destructured([(name: String, position: TSPosition)])
    }

    /// A value expression (the initializers of `access` and `actions`).
    indirect enum Value: Sendable {
        case object([(key: String, position: TSPosition, value: Value)], TSPosition)
        case array([Value], TSPosition)
        case string(String, TSPosition)
        case number(String, TSPosition)
        case bool(Bool, TSPosition)
        case null(TSPosition)
        case identifier(String, TSPosition)
        case member(Value, String, TSPosition)
        case call(String, [Value], TSPosition)
        case arrow(Parameters, Value, TSPosition)
        case not(Value, TSPosition)
        case binary(String, Value, Value, TSPosition)
        case conditional(Value, Value, Value, TSPosition)

        var position: TSPosition {
            switch self {
            case .object(_, let p), .array(_, let p), .string(_, let p), .number(_, let p), .bool(_, let p),
                .null(let p),
                .identifier(_, let p), .member(_, _, let p), .call(_, _, let p), .arrow(_, _, let p), .not(_, let p),
                .binary(_, _, _, let p), .conditional(_, _, _, let p):
                p
            }
        }
    }

    /// A whole file, declarations in source order.
    struct File: Sendable {
        var interfaces: [Interface] = []
        var aliases: [TypeAlias] = []
        var constants: [Constant] = []
    }
}
