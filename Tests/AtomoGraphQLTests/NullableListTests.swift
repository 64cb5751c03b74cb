import AtomoEvents
import AtomoSchema
import GraphQL
import OrderedCollections
import Testing

@testable import AtomoGraphQL

/// GraphQLSwift 4.3 cannot return a null item of a nullable list: its list completion drops nulls
/// (`compactMap`), and in 4.3.0 the operation then fails as a whole with `MapError` — where the
/// specification answers `["a", null, "b"]`. Atomo's schemas therefore declare every list item
/// non-null (so the question never reaches the library), and the planned executor writes null items
/// of nullable lists as null, as the specification says.
@Suite struct NullableListTests {
    @Test func theLibraryCannotReturnNullItemsOfNullableLists() async throws {
        let schema = try GraphQLSchema(
            query: GraphQLObjectType(
                name: "Query",
                fields: [
                    "items": GraphQLField(
                        type: GraphQLList(GraphQLString), resolve: { _, _, _, _ in ["a", nil, "b"] as [String?] }),
                    "strings": GraphQLField(
                        type: GraphQLList(GraphQLString), resolve: { _, _, _, _ in ["a", "b"] as [String?] }),
                ]))
        let plain = try await graphql(schema: schema, request: "{ strings }")
        #expect(plain.data == ["strings": ["a", "b"]])
        let withNull = try await graphql(schema: schema, request: "{ items }")
        // Observed with 4.3.0: no data at all. A fixed library would answer ["a", null, "b"] and fail this test.
        #expect(withNull.data == nil || withNull.data == ["items": ["a", "b"]], "\(withNull)")
        #expect(withNull.data != ["items": ["a", nil, "b"]])
    }

    @Test func atomoSchemasDeclareNoListWithNullableItems() throws {
        let audiences: [SchemaAudience] = [.system, .role("Viewer"), .role("Sales")]
        for audience in audiences {
            let built = try RoleSchemaBuilder(
                view: SchemaView(schema: CRMFixture.schema(), audience: audience), userManagement: true
            )
            .build()
            for (name, type) in built.graphQLSchema.typeMap where !name.hasPrefix("__") {
                guard let object = type as? GraphQLObjectType else { continue }
                for (fieldName, field) in try object.fields() {
                    var inner: any GraphQLType = field.type
                    if let nonNull = inner as? GraphQLNonNull { inner = nonNull.ofType }
                    if let list = inner as? GraphQLList {
                        #expect(list.ofType is GraphQLNonNull, "\(name).\(fieldName) has nullable list items")
                    }
                }
            }
        }
    }

    @Test func thePlannedExecutorKeepsNullItemsOfNullableLists() async throws {
        // A nullable list of nullable strings, written by the planned executor's writer.
        let field = FieldPlan(
            id: 0, responseKey: "items", fieldName: "items", kind: .member("items"), parentTypeName: "Query",
            arguments: [],
            shape: .list(.leaf(.string)), selection: nil, unionSelections: [:], location: nil, selectsTotalCount: false)
        let plan = OperationPlan(
            operation: .query, root: SelectionPlan(fields: [field]), rootTypeName: "Query", variableDefinitions: [],
            fieldCount: 1)
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let resolver = ContentFieldResolver(
            engine: harness.engine, principal: .system, schema: try harness.service.schema(for: .system),
            limits: GraphQLLimits())
        let executor = PlanExecutor(plan: plan, resolver: resolver, variables: [:])
        let outcome = executor.write(rootValues: [.success(.json(["a", nil, "b"]))], run: PlanExecutor.Run())
        #expect(try GraphQLHarness.json(outcome.body) == ["data": ["items": ["a", nil, "b"]]])
    }
}
