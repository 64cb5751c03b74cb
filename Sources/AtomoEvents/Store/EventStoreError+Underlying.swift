import AtomoSQLite

extension EventStoreError {
    /// Maps any error from the storage layer to an ``EventStoreError`` (passing those through).
    package init(_ error: any Error) {
        switch error {
        case let error as EventStoreError:
            self = error
        case let error as SQLiteError where error.isCorruption:
            self = .corrupted(error.message)
        case let error as SQLiteError where error == .databaseClosed:
            self = .closed
        case let error as SQLiteError:
            self = .storageFailure(error.description)
        default:
            self = .storageFailure("\(error)")
        }
    }
}
