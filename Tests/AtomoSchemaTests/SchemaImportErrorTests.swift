import AtomoSchema
import Testing

/// One bad `schema.ts` and where and how the importer must reject it.
struct BadSchemaTS: Sendable, CustomTestStringConvertible {
    let name: String
    let source: String
    let line: Int
    let column: Int
    let kind: SchemaImportError.Kind
    let message: String

    init(
        _ name: String, _ source: String, _ line: Int, _ column: Int, _ kind: SchemaImportError.Kind,
        _ message: String
    ) {
        self.name = name
        self.source = source
        self.line = line
        self.column = column
        self.kind = kind
        self.message = message
    }

    var testDescription: String { name }
}

@Suite struct SchemaImportErrorTests {
    static let company = "export interface Company { id: string; name: string }\n"

    static let cases: [BadSchemaTS] = [
        BadSchemaTS("import", "import { x } from './x'\n", 1, 1, .unsupported, "imports are not supported"),
        BadSchemaTS("class", company + "export class Foo {}\n", 2, 8, .unsupported, "'class' declarations"),
        BadSchemaTS("function", "function f() {}\n", 1, 1, .unsupported, "'function' declarations"),
        BadSchemaTS("TypeScript enum", "export enum Stage { Lead }\n", 1, 8, .unsupported, "string-literal union"),
        BadSchemaTS("default export", "export default {}\n", 1, 8, .unsupported, "default exports"),
        BadSchemaTS(
            "generic interface", "export interface Box<T> { value: T }\n", 1, 21, .unsupported, "generic interfaces"),
        BadSchemaTS(
            "generic type", company + "export interface A {\n  x: Map<string, number>\n}\n", 3, 9, .unsupported,
            "generic types other than Array<T>"),
        BadSchemaTS("extends", "export interface A extends B { x: string }\n", 1, 20, .unsupported, "'extends'"),
        BadSchemaTS("method", "export interface A {\n  go(): void\n}\n", 2, 5, .unsupported, "methods"),
        BadSchemaTS(
            "index signature", "export interface A {\n  [key: string]: string\n}\n", 2, 3, .unsupported,
            "index signatures"),
        BadSchemaTS("intersection", "export type A = B & C\n", 1, 19, .unsupported, "intersection"),
        BadSchemaTS(
            "unknown type", "export interface A {\n  x: Strin\n}\n", 2, 6, .unknownName, "'Strin' is not declared"),
        BadSchemaTS("inline union", "export interface A {\n  x: 'a' | 'b'\n}\n", 2, 6, .unsupported, "inline unions"),
        BadSchemaTS(
            "list of references", company + "export interface A {\n  xs: Company[]\n}\n", 3, 7, .unsupported,
            "lists of references"),
        BadSchemaTS(
            "template string", company + "export const access = { Company: { read: () => `x` } }\n", 2, 48,
            .unsupported, "template strings"),
        BadSchemaTS(
            "loose equality",
            company + "export const access = {\n  Company: { update: ({ role }) => role == 'Admin' },\n}\n",
            3, 41, .unsupported, "'==' is not supported; use '==='"),
        BadSchemaTS(
            "comparison",
            company + "export const access = {\n  Company: { update: ({ role }) => role < 'Admin' },\n}\n",
            3, 41, .unsupported, "'<' is not supported"),
        BadSchemaTS(
            "spread", company + "export const access = {\n  Company: { read: () => [...x] },\n}\n", 3, 27, .unsupported,
            "spread"),
        BadSchemaTS(
            "method call in a rule",
            company
                + "export const access = {\n  Company: { update: ({ user }) => user.roles.includes('Admin') },\n}\n",
            3, 55, .unsupported, "method calls"),
        BadSchemaTS(
            "unknown variable",
            company + "export const access = {\n  Company: { update: ({ role }) => owner === role },\n}\n",
            3, 36, .unknownName, "'owner' is not defined"),
        BadSchemaTS(
            "unknown parameter",
            company + "export const access = {\n  Company: { update: ({ role, me }) => true },\n}\n",
            3, 31, .unknownName, "'me' is not something rules can see"),
        BadSchemaTS(
            "unknown rule", company + "export const access = {\n  Company: { write: () => true },\n}\n", 3, 14,
            .unsupported,
            "'write' is not a rule"),
        BadSchemaTS(
            "unknown entity in access", company + "export const access = {\n  Firm: { read: () => true },\n}\n",
            3, 3, .unknownName, "'Firm' is not an entity"),
        BadSchemaTS("other constant", "export const config = {}\n", 1, 14, .unsupported, "constants other than"),
        BadSchemaTS(
            "unknown condition",
            company
                + "export const actions = {\n  Company: { updated: [{ action: 'a', when: Changed(['name']) }] },\n}\n",
            3, 45, .unknownName, "'Changed' is not a condition"),
        BadSchemaTS(
            "unknown lifecycle event", company + "export const actions = {\n  Company: { saved: ['a'] },\n}\n",
            3, 14, .unsupported, "'saved' is not a lifecycle event"),
        BadSchemaTS(
            "unknown tag", "export interface A {\n  /** @uniq */\n  x: string\n}\n", 2, 7, .invalidTag,
            "unknown tag @uniq"),
        BadSchemaTS(
            "misplaced type tag", "export interface A {\n  /** @text */\n  x: number\n}\n", 2, 7, .invalidTag,
            "@text applies to string"),
        BadSchemaTS(
            "bad format", "export interface A {\n  /** @format phone */\n  x: string\n}\n", 2, 15, .invalidTag,
            "@format takes email or url"),
        BadSchemaTS(
            "bad default", "export interface A {\n  /** @default 'open */\n  x: string\n}\n", 2, 16, .invalidTag,
            "@default takes a TypeScript literal"),
        BadSchemaTS("unterminated string", "export type Role = 'Admin\n", 1, 20, .syntax, "not closed"),
        BadSchemaTS(
            "missing brace", "export interface A {\n  x: string\n", 3, 1, .syntax, "expected a field name or '}'"),
        BadSchemaTS(
            "unclosed comment", "/* open\nexport interface A { x: string }\n", 1, 1, .syntax, "comment is not closed"),
        BadSchemaTS("odd character", "export interface A { x: string } #\n", 1, 34, .syntax, "expected a declaration"),
        // Problems of the schema, found by Schema.validate(), are reported at their declarations.
        BadSchemaTS(
            "undeclared role in a rule",
            company + "export const access = {\n  Company: { update: ({ role }) => role === 'Boss' },\n}\n", 3, 14,
            .invalidSchema, "'Boss' is not a declared role"),
        BadSchemaTS(
            "unknown field in a read rule",
            company + "export const access = {\n  Company: { read: () => ['id', 'age'] },\n}\n",
            3, 14, .invalidSchema, "'age' is not a field of Company"),
        BadSchemaTS(
            "action condition on a missing field",
            company
                + "export const actions = {\n  Company: {\n    updated: [{ action: 'a', when: ChangedAny(['size']) }],\n  },\n}\n",
            4, 15, .invalidSchema, "names 'size'"),
        BadSchemaTS(
            "lower-case entity", "export interface company {\n  name: string\n}\n", 1, 18, .invalidSchema,
            "starts with a capital letter"),
        BadSchemaTS(
            "range on a string", "export interface A {\n  /** @min 1 */\n  x: string\n}\n", 3, 3, .invalidSchema,
            "a range check needs an int or float field"),
        BadSchemaTS(
            "bad pattern", "export interface A {\n  /** @pattern ( */\n  x: string\n}\n", 3, 3, .invalidSchema,
            "not a valid regular expression"),
        BadSchemaTS(
            "default outside the enum",
            "export type S = 'a' | 'b'\nexport interface A {\n  /** @default 'c' */\n  s: S\n}\n",
            4, 3, .invalidSchema, "does not fit enum S"),
        BadSchemaTS(
            "duplicate declaration", company + "export type Company = 'a'\n", 2, 13, .invalidSchema,
            "declared more than once"),
        BadSchemaTS(
            "system field with another type", "export interface A {\n  id: number\n  x: string\n}\n", 2, 3,
            .invalidSchema, "'id' is a system field"),
    ]

    @Test(arguments: cases)
    func badInputIsRejectedWhereItIs(_ bad: BadSchemaTS) {
        do {
            let schema = try SchemaImporter.importSchema(source: bad.source, fileName: "schema.ts")
            Issue.record("imported: \(schema)")
        } catch {
            #expect(
                (error.line, error.column) == (bad.line, bad.column), "\(error)")
            #expect(error.kind == bad.kind, "\(error)")
            #expect(error.message.contains(bad.message), "\(error)")
            #expect(error.description.hasPrefix("schema.ts:\(bad.line):\(bad.column): error: "))
        }
    }

    @Test func unsupportedConstructsSayWhatIsSupported() {
        do {
            _ = try SchemaImporter.importSchema(
                source:
                    "export interface A { x: string }\nexport const access = { A: { read: ({ role }) => role == 'Admin' } }",
                fileName: "schema.ts")
            Issue.record("imported")
        } catch {
            #expect(
                error.description
                    == "schema.ts:2:55: error: '==' is not supported; use '===' (strict equality) (supported: ===, !==, &&, ||, !, ?:, "
                    + "parentheses, array literals, string, number, boolean and null literals, property access on role, "
                    + "user and record)")
        }
    }

    @Test func everyValidationProblemIsReported() {
        do {
            _ = try SchemaImporter.importSchema(
                source:
                    "export interface A {\n  company: B\n  /** @min 1 */\n  x: string\n}\nexport interface B { y: Int }\nexport type Int = number\n",
                fileName: "schema.ts")
            Issue.record("imported")
        } catch {
            #expect(error.kind == .invalidSchema)
            #expect(error.additional.isEmpty)
            #expect(error.line == 4)
        }
        do {
            _ = try SchemaImporter.importSchema(
                source: "export interface a {\n  /** @min 1 */\n  x: string\n  /** @pattern ( */\n  y: string\n}\n",
                fileName: "s.ts")
            Issue.record("imported")
        } catch {
            #expect(error.additional.count == 2, "\(error)")
            #expect(error.description.split(separator: "\n").map { $0.prefix(7) } == ["s.ts:1:", "s.ts:3:", "s.ts:5:"])
        }
    }
}
