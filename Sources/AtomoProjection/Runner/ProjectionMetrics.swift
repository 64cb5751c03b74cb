import CoreMetrics

/// The swift-metrics a runner emits, each with the dimension `projector` = the projector's name.
///
/// | name | kind | meaning |
/// | --- | --- | --- |
/// | `atomo_projection_events_total` | counter | events applied |
/// | `atomo_projection_batches_total` | counter | batches committed (read model + checkpoint) |
/// | `atomo_projection_errors_total` | counter | failed attempts (batches or single events) |
/// | `atomo_projection_skipped_total` | counter | events skipped under the skip policy |
/// | `atomo_projection_checkpoint` | gauge | the checkpoint position |
/// | `atomo_projection_head` | gauge | the head position as last seen |
/// | `atomo_projection_lag_events` | gauge | head − checkpoint |
/// | `atomo_projection_lag_seconds` | gauge | age of the last applied event while behind, else 0 |
/// | `atomo_projection_parked` | gauge | 1 while parked, else 0 |
/// | `atomo_projection_batch_seconds` | timer | time to apply and checkpoint one batch |
///
/// The library never bootstraps a metrics backend; without one these are no-ops.
struct ProjectionMetrics: Sendable {
    let events: Counter
    let batches: Counter
    let errors: Counter
    let skipped: Counter
    let checkpoint: Gauge
    let head: Gauge
    let lagEvents: Gauge
    let lagSeconds: Gauge
    let parked: Gauge
    let batchTime: Timer

    init(projector: String) {
        let dimensions = [("projector", projector)]
        events = Counter(label: "atomo_projection_events_total", dimensions: dimensions)
        batches = Counter(label: "atomo_projection_batches_total", dimensions: dimensions)
        errors = Counter(label: "atomo_projection_errors_total", dimensions: dimensions)
        skipped = Counter(label: "atomo_projection_skipped_total", dimensions: dimensions)
        checkpoint = Gauge(label: "atomo_projection_checkpoint", dimensions: dimensions)
        head = Gauge(label: "atomo_projection_head", dimensions: dimensions)
        lagEvents = Gauge(label: "atomo_projection_lag_events", dimensions: dimensions)
        lagSeconds = Gauge(label: "atomo_projection_lag_seconds", dimensions: dimensions)
        parked = Gauge(label: "atomo_projection_parked", dimensions: dimensions)
        batchTime = Timer(
            label: "atomo_projection_batch_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }
}
