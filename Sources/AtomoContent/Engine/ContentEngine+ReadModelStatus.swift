import AtomoProjection
import AtomoSchema

extension ContentEngine {
    /// Where each entity's read model stands, in the schema's entity order: its stored checkpoint
    /// and this process's runner.
    ///
    /// - Throws: ``ContentError/notRunning``, or a storage failure reading the checkpoints.
    public func readModelStatus() async throws(ContentError) -> [ReadModelStatus] {
        let context = try running()
        let checkpoints = SQLCheckpointStore(database: readModels)
        var result: [ReadModelStatus] = []
        for entity in context.model.schema.entities {
            guard let readModel = context.readModels[entity.name] else { continue }
            let projector = readModel.blueGreen.liveProjectorName
            let checkpoint: Int64
            do {
                checkpoint = try await checkpoints.load(projector)
            } catch {
                throw ContentError.wrap(error)
            }
            result.append(
                ReadModelStatus(
                    entity: entity.name, projector: projector, checkpoint: checkpoint,
                    runner: readModel.blueGreen.runner?.health()))
        }
        return result
    }
}
