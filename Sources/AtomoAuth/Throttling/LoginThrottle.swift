public import Foundation
import Synchronization

/// Slows down and then stops password guessing, per account and per client address.
///
/// For each key (the lowercased email, and the client address) it counts failed logins. After
/// ``Configuration/freeAttempts`` failures, each further attempt must wait a delay that doubles with
/// every failure (``Configuration/baseDelay``, 2×, 4×, … up to ``Configuration/maximumDelay``);
/// an attempt inside the delay is refused without any password work. At
/// ``Configuration/lockoutThreshold`` failures the key is locked for ``Configuration/lockoutDuration``:
/// every attempt is refused, even with the right password. Failures older than
/// ``Configuration/failureWindow`` are forgotten; a successful login clears the account's count.
///
/// Unknown emails are counted exactly like known ones, so the throttle does not reveal which
/// accounts exist. The state is in this process's memory: a cluster of servers throttles per node
/// (each node still enforces its own limits).
public final class LoginThrottle: Sendable {
    /// Limits for one kind of key.
    public struct Limits: Sendable, Hashable {
        /// Failures allowed before delays start.
        public var freeAttempts: Int
        /// The first delay; each further failure doubles it.
        public var baseDelay: Duration
        /// The longest delay.
        public var maximumDelay: Duration
        /// Failures that lock the key.
        public var lockoutThreshold: Int
        /// How long a lockout lasts.
        public var lockoutDuration: Duration
        /// Failures older than this are forgotten.
        public var failureWindow: Duration

        /// Creates limits.
        public init(
            freeAttempts: Int, baseDelay: Duration, maximumDelay: Duration, lockoutThreshold: Int,
            lockoutDuration: Duration, failureWindow: Duration
        ) {
            self.freeAttempts = max(0, freeAttempts)
            self.baseDelay = baseDelay
            self.maximumDelay = maximumDelay
            self.lockoutThreshold = max(1, lockoutThreshold)
            self.lockoutDuration = lockoutDuration
            self.failureWindow = failureWindow
        }

        /// Per account: 3 free failures, then 1 s doubling to 60 s; 20 failures lock it for 15 minutes.
        public static let account = Limits(
            freeAttempts: 3, baseDelay: .seconds(1), maximumDelay: .seconds(60), lockoutThreshold: 20,
            lockoutDuration: .seconds(15 * 60), failureWindow: .seconds(15 * 60))
        /// Per client address (many users may share one, behind NAT): 20 free failures, then 1 s
        /// doubling to 60 s; 100 failures lock it for 15 minutes.
        public static let clientAddress = Limits(
            freeAttempts: 20, baseDelay: .seconds(1), maximumDelay: .seconds(60), lockoutThreshold: 100,
            lockoutDuration: .seconds(15 * 60), failureWindow: .seconds(15 * 60))
    }

    /// The throttle's limits.
    public struct Configuration: Sendable, Hashable {
        /// Limits per account (the lowercased email).
        public var account: Limits
        /// Limits per client address.
        public var clientAddress: Limits
        /// Keys tracked at most; beyond it, forgotten and then oldest entries are dropped (a bound on
        /// memory under a flood of random emails).
        public var maximumTrackedKeys: Int

        /// Creates a configuration.
        public init(
            account: Limits = .account, clientAddress: Limits = .clientAddress, maximumTrackedKeys: Int = 100_000
        ) {
            self.account = account
            self.clientAddress = clientAddress
            self.maximumTrackedKeys = max(16, maximumTrackedKeys)
        }
    }

    /// Whether an attempt may proceed.
    public enum Decision: Sendable, Hashable {
        /// Go ahead.
        case allowed
        /// Too soon after the last failure: retry after this long.
        case delayed(retryAfter: Duration)
        /// Locked until this time.
        case locked(until: Date)
    }

    private enum Key: Hashable {
        case account(String)
        case address(String)
    }

    private struct Entry {
        var failures = 0
        var lastFailure: Date = .distantPast
        var lockedUntil: Date?
    }

    /// The configuration the throttle was made with.
    public let configuration: Configuration
    private let entries = Mutex([Key: Entry]())

    /// Creates a throttle.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a login for `account` (a lowercased email) from `clientAddress` may be attempted at `now`.
    /// A lock wins over a delay; of two delays, the longer one is reported.
    public func check(account: String, clientAddress: String?, now: Date) -> Decision {
        entries.withLock { entries in
            var decisions = [decision(entries[.account(account)], configuration.account, now)]
            if let clientAddress {
                decisions.append(decision(entries[.address(clientAddress)], configuration.clientAddress, now))
            }
            if let lock = decisions.compactMap({ if case .locked(let until) = $0 { until } else { nil } }).max() {
                return .locked(until: lock)
            }
            if let delay = decisions.compactMap({ if case .delayed(let after) = $0 { after } else { nil } }).max() {
                return .delayed(retryAfter: delay)
            }
            return .allowed
        }
    }

    /// Records a failed login.
    public func recordFailure(account: String, clientAddress: String?, now: Date) {
        entries.withLock { entries in
            if entries.count >= configuration.maximumTrackedKeys { prune(&entries, now: now) }
            record(&entries[.account(account), default: Entry()], configuration.account, now)
            if let clientAddress {
                record(&entries[.address(clientAddress), default: Entry()], configuration.clientAddress, now)
            }
        }
    }

    /// Records a successful login: the account's failures are forgotten (the address's are not, so
    /// one good password does not reset a spraying attacker's count).
    public func recordSuccess(account: String) {
        _ = entries.withLock { entries in entries.removeValue(forKey: .account(account)) }
    }

    /// The number of failures currently counted for `account`.
    public func failures(account: String) -> Int {
        entries.withLock { $0[.account(account)]?.failures ?? 0 }
    }

    private func decision(_ entry: Entry?, _ limits: Limits, _ now: Date) -> Decision {
        guard let entry else { return .allowed }
        if let until = entry.lockedUntil, now < until { return .locked(until: until) }
        guard entry.failures > limits.freeAttempts,
            now.timeIntervalSince(entry.lastFailure) < limits.failureWindow.seconds
        else { return .allowed }
        let allowedAt = entry.lastFailure.addingTimeInterval(delay(afterFailures: entry.failures, limits).seconds)
        return now < allowedAt ? .delayed(retryAfter: .seconds(allowedAt.timeIntervalSince(now))) : .allowed
    }

    private func delay(afterFailures failures: Int, _ limits: Limits) -> Duration {
        let doublings = min(failures - limits.freeAttempts - 1, 30)
        let delay = limits.baseDelay * (1 << doublings)
        return min(delay, limits.maximumDelay)
    }

    private func record(_ entry: inout Entry, _ limits: Limits, _ now: Date) {
        if let until = entry.lockedUntil, now >= until {
            entry = Entry()
        }
        if now.timeIntervalSince(entry.lastFailure) >= limits.failureWindow.seconds { entry.failures = 0 }
        entry.failures += 1
        entry.lastFailure = now
        if entry.failures >= limits.lockoutThreshold && entry.lockedUntil == nil {
            entry.lockedUntil = now.addingTimeInterval(limits.lockoutDuration.seconds)
        }
    }

    private func prune(_ entries: inout [Key: Entry], now: Date) {
        let window = max(configuration.account.failureWindow, configuration.clientAddress.failureWindow).seconds
        entries = entries.filter { _, entry in
            (entry.lockedUntil.map { now < $0 } ?? false) || now.timeIntervalSince(entry.lastFailure) < window
        }
        if entries.count >= configuration.maximumTrackedKeys {
            let keep = entries.sorted { $0.value.lastFailure > $1.value.lastFailure }.prefix(
                configuration.maximumTrackedKeys / 2)
            entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
