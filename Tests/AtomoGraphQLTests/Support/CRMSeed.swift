import AtomoContent
import AtomoSchema
import Foundation

/// Seeds a CRM: 5 companies, 100 contacts (company, notes as blocks, tags), 30 deals.
enum CRMSeed {
    struct Seeded {
        var companies: [ContentRecord] = []
        var contacts: [ContentRecord] = []
        var deals: [ContentRecord] = []
    }

    static func seed(_ engine: ContentEngine, contacts contactCount: Int = 100) async throws -> Seeded {
        var seeded = Seeded()
        let industries = ["Software", "Retail", "Energy"]
        for index in 0..<5 {
            seeded.companies.append(
                try await engine.create(
                    "Company",
                    [
                        "name": .string("Company \(index)"),
                        "industry": index == 4 ? .null : .string(industries[index % 3]),
                    ],
                    as: .system))
        }
        for index in 0..<contactCount {
            let company = seeded.companies[index % 5]
            var input: [String: JSONValue] = [
                "name": .string(String(format: "%@ %03d", ["Ada", "Bob", "Cyd", "Dee"][index % 4], index)),
                "email": .string("person\(index)@example.com"),
                "tags": .array(index % 3 == 0 ? ["vip", "lead"] : []),
                "notes": .array([
                    ["type": "Paragraph", "text": .string("Met contact \(index)")],
                    [
                        "type": "CallLog", "at": .string("2026-01-0\(index % 9 + 1)T10:00:00.000Z"),
                        "summary": "Intro call",
                    ],
                ]),
            ]
            if index % 10 != 9 { input["company"] = .string(company.id) }
            seeded.contacts.append(try await engine.create("Contact", input, as: .system))
        }
        let stages = ["Lead", "Qualified", "Won", "Lost"]
        for index in 0..<30 {
            seeded.deals.append(
                try await engine.create(
                    "Deal",
                    [
                        "title": .string("Deal \(index)"), "stage": .string(stages[index % 4]),
                        "amount": index % 7 == 0 ? .null : .double(Double(index) * 1000.5),
                        "contact": .string(seeded.contacts[(index * 3) % seeded.contacts.count].id),
                        "company": .string(seeded.companies[index % 5].id),
                    ], as: .system))
        }
        return seeded
    }
}
