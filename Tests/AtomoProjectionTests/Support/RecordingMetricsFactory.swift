import CoreMetrics
import Synchronization

/// A metrics backend for tests: remembers every label and sums counters per dimensions.
final class RecordingMetricsFactory: MetricsFactory {
    private let state = Mutex<(labels: Set<String>, counters: [String: Int64])>(([], [:]))

    var labels: Set<String> { state.withLock { $0.labels } }

    func counterTotal(_ label: String, projector: String) -> Int64 {
        state.withLock { $0.counters["\(label)|\(projector)"] ?? 0 }
    }

    private func register(_ label: String) { _ = state.withLock { $0.labels.insert(label) } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        register(label)
        let key = "\(label)|\(dimensions.first { $0.0 == "projector" }?.1 ?? "")"
        return Handler { value in self.state.withLock { $0.counters[key, default: 0] += value } }
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        register(label)
        return Handler { _ in }
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        register(label)
        return Handler { _ in }
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        register(label)
        return Handler { _ in }
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        register(label)
        return Handler { _ in }
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class Handler: CounterHandler, FloatingPointCounterHandler, RecorderHandler, MeterHandler,
        TimerHandler, Sendable
    {
        let onIncrement: @Sendable (Int64) -> Void
        init(_ onIncrement: @escaping @Sendable (Int64) -> Void) { self.onIncrement = onIncrement }
        func increment(by amount: Int64) { onIncrement(amount) }
        func reset() {}
        func increment(by amount: Double) {}
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func set(_ value: Int64) {}
        func set(_ value: Double) {}
        func decrement(by amount: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}
