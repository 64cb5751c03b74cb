import Foundation
import AtomoEvents
import AtomoProjection

extension ContentError {
    /// Maps an error from the store, the database or a runner; SQL text never passes through.
    static func wrap(_ error: any Error) -> ContentError {
        if let error = error as? ContentError { return error }
        let text: String
        switch error {
        case let error as EventStoreError: text = error.description
        case let error as ProjectionError: text = error.description
        default: text = String(describing: error)
        }
        // SQLite errors append the statement after "SQL:"; keep only what precedes it.
        let cut = text.range(of: "SQL:")?.lowerBound ?? text.endIndex
        return .storageFailure(String(text[..<cut]).trimmingCharacters(in: .whitespaces))
    }
}
