import AtomoSchema
import AtomoTooling
import Foundation

/// The CRM service's schema, imported from `Examples/services/crm-service/schema.ts`.
enum CRMFixture {
    static func schema() throws -> Schema {
        try SchemaLoader.load(TestPaths.crmSchema.path).schema
    }
}
