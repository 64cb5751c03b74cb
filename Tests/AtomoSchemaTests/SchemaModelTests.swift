import Foundation
import Testing

@testable import AtomoSchema

@Suite struct SchemaModelTests {
    static let crm = Schema(
        enums: [EnumType("Stage", ["Lead", "Won", "Lost"])],
        blocks: [
            BlockUnion(
                "Block",
                [
                    BlockType("Paragraph", [Field("text", .text, required: true)]),
                    BlockType(
                        "CallLog", [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
                ])
        ],
        entities: [
            Entity("Company", fields: [Field("name", .string, required: true), Field("industry", .string)]),
            Entity(
                "Contact",
                fields: [
                    Field("name", .string, required: true, validations: [.length(min: 1, max: 200)]),
                    Field("email", .email, unique: true, pii: .personal),
                    Field("company", .reference("Company")),
                    Field("notes", .blocks("Block")),
                ],
                access: EntityAccess(
                    read: .conditional(
                        .notEqual(.path(["role"]), .literal("Viewer")), .literal(["id", "name"]),
                        .array([.literal("id"), .literal("name"), .literal("email"), .literal("company")])),
                    update: .or(
                        .equal(.path(["role"]), .literal("Admin")), .equal(.path(["role"]), .literal("Manager")))),
                actions: [ActionBinding(on: .updated, action: "reindex", when: .changedAny(["email"]))]),
            Entity(
                "Deal",
                fields: [
                    Field("title", .string, required: true), Field("stage", .enumeration("Stage"), default: "Lead"),
                    Field("amount", .float, validations: [.range(min: 0, max: nil)]),
                ]),
        ])

    @Test func canonicalJSONRoundTripsToAnEqualModel() throws {
        let json = try Self.crm.canonicalJSON()
        let decoded = try Schema(canonicalJSON: json)
        #expect(decoded == Self.crm)
        #expect(try decoded.canonicalJSON() == json)
        #expect(decoded.fingerprint == Self.crm.fingerprint)
        #expect(Self.crm.fingerprint.count == 64)
    }

    @Test func anyChangeChangesTheFingerprint() {
        var changed = Self.crm
        changed.entities[0].fields[1].isRequired = true
        #expect(changed.fingerprint != Self.crm.fingerprint)
    }

    @Test func sha256MatchesAKnownDigest() throws {
        // FIPS 180-2 test vectors: SHA-256("abc") and of the 56-byte two-block message.
        #expect(
            SHA256Digest.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        #expect(
            SHA256Digest.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(try Schema(entities: []).fingerprint == SHA256Digest.hex(of: Schema(entities: []).canonicalJSON()))
    }

    @Test func inconsistentSchemasListEveryProblem() {
        let broken = Schema(entities: [
            Entity(
                "contact",
                fields: [
                    Field("company", .reference("Firm")), Field("id", .string), Field("tags", .list(.blocks("Block"))),
                    Field("age", .int, validations: [.pattern("(")]),
                ],
                access: EntityAccess(read: .literal(["nickname"]), update: .equal(.path(["role"]), .literal("Owner"))))
        ])
        #expect {
            try broken.validate()
        } throws: { error in
            guard case .invalid(let issues) = error as? SchemaError else { return false }
            let text = issues.map(\.description).joined(separator: "\n")
            return issues.count >= 6 && text.contains("Firm") && text.contains("system field")
                && text.contains("nickname") && text.contains("Owner") && text.contains("capital")
        }
    }

    @Test func malformedJSONNamesThePath() {
        let json = Data(#"{"entities":[{"name":"A","fields":[{"name":"x","type":"strng"}]}]}"#.utf8)
        #expect {
            _ = try Schema(canonicalJSON: json)
        } throws: { error in
            guard case .malformedJSON(let message) = error as? SchemaError else { return false }
            return message.contains("strng") && message.contains("entities")
        }
    }

    @Test func accessExpressionsHaveJavaScriptMeaning() {
        let rule = Self.crm.entity("Contact")!.access!.read!
        #expect(rule.evaluate(in: AccessContext(role: "Viewer")) == ["id", "name", "email", "company"])
        #expect(rule.evaluate(in: AccessContext(role: "Admin")) == ["id", "name"])
        let owner: AccessExpression = .and(
            .path(["user", "id"]), .equal(.path(["record", "owner"]), .path(["user", "id"])))
        let user: JSONValue = ["id": "u1"]
        #expect(owner.evaluate(in: AccessContext(role: "Sales", user: user, record: ["owner": "u1"])).isTruthy)
        #expect(!owner.evaluate(in: AccessContext(role: "Sales", user: user, record: ["owner": "u2"])).isTruthy)
        #expect(!owner.evaluate(in: AccessContext(role: "Sales")).isTruthy)
        #expect(AccessExpression.equal(.literal(1), .literal(1.0)).evaluate(in: AccessContext(role: nil)) == true)
        #expect(owner.refers(to: "record") && !rule.refers(to: "record"))
    }

    @Test(arguments: [
        ("Company", "Companies"), ("Contact", "Contacts"), ("Address", "Addresses"), ("Person", "People"),
        ("Day", "Days"), ("DealStage", "DealStages"), ("Box", "Boxes"), ("Status", "Statuses"), ("Branch", "Branches"),
    ])
    func pluralsFollowEnglishRules(singular: String, plural: String) {
        #expect(Pluralizer.plural(of: singular) == plural)
    }
}
