public import Foundation
import Synchronization

/// Slows down and then stops password guessing per account, and answers a flooding client address
/// with 429 — without ever letting that address's budget lock another account out of its correct
/// password, and without telling which accounts exist.
///
/// A login asks the throttle twice:
///
/// 1. **Before the password work**, ``check(account:now:)`` applies the *account's* limits (the key
///    is the lowercased email, or a bounded form of a malformed one): after
///    ``Limits/freeAttempts`` failures each attempt must wait a delay that doubles with every failure
///    (``Limits/baseDelay``, 2×, 4×, … up to ``Limits/maximumDelay``), and at
///    ``Limits/lockoutThreshold`` failures the account is locked for ``Limits/lockoutDuration``, even
///    against the right password. Unknown emails have entries exactly like known ones, so this step
///    says nothing about which emails exist. This is the defence against guessing one account's
///    password, from one address or from a botnet.
/// 2. **After the password work** (the real hash, or the dummy hash for an unknown email — the same
///    work either way), ``conclude(account:clientAddress:passwordMatched:now:)`` applies the
///    *address's* limits and records the outcome. The address is consulted only now because only now
///    is it known whether the attempt carries a correct password, and a correct password must not be
///    refused because *other* logins from the same address (a NAT, an office, a VPN) failed:
///    - a correct password succeeds whatever the address's count, while the address is merely
///      *delayed* (it crossed ``Limits/freeAttempts``): the address budget only turns the *failures*
///      of a noisy address from 401 into 429 with `Retry-After`;
///    - once the address is *locked* (``Limits/lockoutThreshold`` failures in the window — a
///      credential-stuffing run, not a few typos), a correct password still succeeds for an account
///      that has logged in successfully from this address within ``Configuration/trustedAddressLifetime``
///      (a known device); any other attempt from the address is refused as locked, correct password
///      or not, and is not counted against the account. The refusal comes after the same password
///      work and is identical for a right and a wrong password, so it reveals neither. This is the one
///      case where a correct password can wait: a user who never logged in from an address that made
///      a hundred failures in fifteen minutes.
///
/// Every failure — unknown email, wrong password, malformed email, oversized password — counts
/// toward both the account and the address, identically. Counting only unknown-account failures
/// toward the address would make the address's counter an oracle (an attacker who controls the
/// address sees whether an attempt moved its own budget, hence whether the email exists); since the
/// address budget can no longer refuse a correct password while it is delayed, counting every failure
/// costs legitimate users nothing. A success clears the account's count (not the address's, so one
/// good password does not reset a spraying attacker's count) and marks the (account, address) pair
/// as a known device.
///
/// The state is in this process's memory: a cluster of servers throttles per node (each node still
/// enforces its own limits), and a restart forgets counts, locks and known devices alike.
///
/// ```swift
/// let throttle = LoginThrottle()
/// guard case .allowed = throttle.check(account: "ada@example.com", now: now) else { /* 429 */ }
/// let matched = try await hasher.verify(password, against: hash)   // or the dummy hash
/// switch throttle.conclude(account: "ada@example.com", clientAddress: "203.0.113.9",
///                          passwordMatched: matched, now: now) {
/// case .accepted: /* start the session */
/// case .refused(.allowed): /* 401 */
/// case .refused(let decision): /* 429 */
/// }
/// ```
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
        /// Per client address (many users may share one, behind NAT): 20 free failures, then failures
        /// are answered 429 with a delay of 1 s doubling to 60 s; 100 failures lock the address for 15
        /// minutes for every account that has not logged in from it before.
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
        /// How long a successful login keeps its (account, address) pair a known device, which passes
        /// a locked address. Default 30 days.
        public var trustedAddressLifetime: Duration
        /// Keys tracked at most; beyond it, forgotten and then oldest entries are dropped (a bound on
        /// memory under a flood of random emails).
        public var maximumTrackedKeys: Int

        /// Creates a configuration.
        public init(
            account: Limits = .account, clientAddress: Limits = .clientAddress,
            trustedAddressLifetime: Duration = .seconds(30 * 24 * 3600), maximumTrackedKeys: Int = 100_000
        ) {
            self.account = account
            self.clientAddress = clientAddress
            self.trustedAddressLifetime = trustedAddressLifetime
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

    /// The verdict on an attempt once its password was checked.
    public enum Verdict: Sendable, Hashable {
        /// The login succeeds.
        case accepted
        /// The login fails: with ``Decision/allowed`` as a plain failure (wrong credentials), with a
        /// delay or a lock because the client address is over its budget (429).
        case refused(Decision)
    }

    private enum Key: Hashable {
        case account(String)
        case address(String)
        /// A successful login of the account from the address: a known device.
        case trusted(account: String, address: String)
    }

    private struct Entry {
        var failures = 0
        /// The last failure, or for ``Key/trusted(account:address:)`` the last success.
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

    /// Whether a login for `account` (a lowercased email) may be attempted at `now`: the account's own
    /// limits, checked before any password work. A client address never refuses an attempt here.
    public func check(account: String, now: Date) -> Decision {
        entries.withLock { entries in decision(entries[.account(account)], configuration.account, now) }
    }

    /// The state of `clientAddress`'s budget at `now` (for logs and tests); a login consults it
    /// through ``conclude(account:clientAddress:passwordMatched:now:)``.
    public func check(clientAddress: String, now: Date) -> Decision {
        entries.withLock { entries in decision(entries[.address(clientAddress)], configuration.clientAddress, now) }
    }

    /// Decides an attempt after its password was checked and records the outcome (see the type's
    /// documentation).
    ///
    /// - Parameters:
    ///   - account: the account key, as given to ``check(account:now:)``.
    ///   - clientAddress: the client's address, when known.
    ///   - passwordMatched: whether the email belongs to an enabled-or-disabled registered user and the
    ///     password verified against its hash. Pass `false` for unknown emails (after verifying against
    ///     the dummy hash), so that they are accounted exactly like wrong passwords.
    public func conclude(account: String, clientAddress: String?, passwordMatched: Bool, now: Date) -> Verdict {
        entries.withLock { entries in
            if entries.count >= configuration.maximumTrackedKeys { prune(&entries, now: now) }
            let addressDecision = clientAddress.map {
                decision(entries[.address($0)], configuration.clientAddress, now)
            }
            if case .locked? = addressDecision, let clientAddress,
                !isTrusted(entries[.trusted(account: account, address: clientAddress)], now)
            {
                // The same answer, and no counting, whether or not the password matched: nothing to learn.
                return .refused(addressDecision ?? .allowed)
            }
            if passwordMatched {
                entries.removeValue(forKey: .account(account))
                if let clientAddress {
                    entries[.trusted(account: account, address: clientAddress)] = Entry(lastFailure: now)
                }
                return .accepted
            }
            record(&entries[.account(account), default: Entry()], configuration.account, now)
            if let clientAddress {
                record(&entries[.address(clientAddress), default: Entry()], configuration.clientAddress, now)
            }
            return .refused(addressDecision ?? .allowed)
        }
    }

    /// Records a failed login for the account and the address without deciding anything: for a
    /// failure found before the password work (a password longer than any stored one).
    public func recordFailure(account: String, clientAddress: String?, now: Date) {
        _ = conclude(account: account, clientAddress: clientAddress, passwordMatched: false, now: now)
    }

    /// The number of failures currently counted for `account`.
    public func failures(account: String) -> Int {
        entries.withLock { $0[.account(account)]?.failures ?? 0 }
    }

    /// The number of failures currently counted for `clientAddress`.
    public func failures(clientAddress: String) -> Int {
        entries.withLock { $0[.address(clientAddress)]?.failures ?? 0 }
    }

    private func isTrusted(_ entry: Entry?, _ now: Date) -> Bool {
        guard let entry else { return false }
        return now.timeIntervalSince(entry.lastFailure) < configuration.trustedAddressLifetime.seconds
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
        let trust = configuration.trustedAddressLifetime.seconds
        entries = entries.filter { key, entry in
            if case .trusted = key { return now.timeIntervalSince(entry.lastFailure) < trust }
            return (entry.lockedUntil.map { now < $0 } ?? false) || now.timeIntervalSince(entry.lastFailure) < window
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
