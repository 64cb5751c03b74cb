import AtomoProjection
import Prometheus
import Synchronization

/// Writes the projection daemon's status into the Prometheus registry just before `/metrics` is
/// emitted, one series per projector (label `projector`):
///
/// | name | meaning |
/// | --- | --- |
/// | `atomo_projection_checkpoint` | the last position applied |
/// | `atomo_projection_head` | the log's head, read at the scrape |
/// | `atomo_projection_lag_events` | head − checkpoint |
/// | `atomo_projection_lag_seconds` | how long ago the oldest event not applied was committed; 0 when caught up |
/// | `atomo_projection_state` | 1 for the projector's state (label `state`), 0 for the others |
/// | `atomo_projection_error_count` | failed attempts since the runner started |
/// | `atomo_projection_errors_per_second` | failed attempts per second, last few seconds |
/// | `atomo_projection_events_per_second` | events applied per second, last few seconds |
///
/// The first four are the same series the runners record through swift-metrics between scrapes;
/// here they are refreshed from ``ProjectionDaemon/status()`` so a scrape reads the daemon. Series
/// of projectors that left the daemon (a rebuilt read model's old version) are removed.
final class ProjectionMetricsPublisher: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let published = Mutex<Set<String>>([])

    private static let states: [ProjectionHealth.State] = [
        .starting, .standby, .catchingUp, .live, .retrying, .parked, .stopped,
    ]

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Publishes `status` and removes the series of projectors no longer in it.
    func publish(_ status: [ProjectionHealth]) {
        let names = Set(status.map(\.name))
        let retired = published.withLock { published in
            defer { published = names }
            return published.subtracting(names)
        }
        for name in retired { remove(name) }
        for projector in status {
            let labels = [("projector", projector.name)]
            registry.makeGauge(name: "atomo_projection_checkpoint", labels: labels).set(projector.checkpoint)
            registry.makeGauge(name: "atomo_projection_head", labels: labels).set(projector.head)
            registry.makeGauge(name: "atomo_projection_lag_events", labels: labels).set(projector.lagEvents)
            registry.makeGauge(name: "atomo_projection_lag_seconds", labels: labels).set(projector.lagSeconds)
            registry.makeGauge(name: "atomo_projection_error_count", labels: labels).set(Int64(projector.errorCount))
            registry.makeGauge(name: "atomo_projection_errors_per_second", labels: labels).set(
                projector.errorsPerSecond)
            registry.makeGauge(name: "atomo_projection_events_per_second", labels: labels).set(
                projector.eventsPerSecond)
            for state in Self.states {
                registry.makeGauge(
                    name: "atomo_projection_state", labels: [("projector", projector.name), ("state", state.rawValue)]
                ).set(state == projector.state ? 1.0 : 0.0)
            }
        }
    }

    private func remove(_ name: String) {
        let labels = [("projector", name)]
        for metric in [
            "atomo_projection_checkpoint", "atomo_projection_head", "atomo_projection_lag_events",
            "atomo_projection_lag_seconds", "atomo_projection_error_count", "atomo_projection_errors_per_second",
            "atomo_projection_events_per_second",
        ] {
            registry.unregisterGauge(registry.makeGauge(name: metric, labels: labels))
        }
        for state in Self.states {
            registry.unregisterGauge(
                registry.makeGauge(
                    name: "atomo_projection_state", labels: [("projector", name), ("state", state.rawValue)]))
        }
    }
}
