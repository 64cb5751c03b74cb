import AtomoAuth
import Foundation
import Synchronization
import Testing

@Suite("Password hashing")
struct PasswordHasherTests {
    @Test("argon2id at OWASP parameters: a PHC string that verifies, and only for its password")
    func owaspRoundTrip() async throws {
        let hasher = try PasswordHasher()
        let hash = try await hasher.hash(goodPassword)
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(try await hasher.verify(goodPassword, against: hash))
        #expect(try await hasher.verify(goodPassword + "!", against: hash) == false)
        #expect(hasher.needsRehash(hash) == false)
        let again = try await hasher.hash(goodPassword)
        #expect(again != hash, "every hash has its own salt")
    }

    @Test("verifies argon2i and argon2id hashes made by argon2-cffi (fixed vectors)")
    func argon2Vectors() async throws {
        let hasher = try PasswordHasher(configuration: .init(parameters: testArgon2))
        let argon2i = "$argon2i$v=19$m=1024,t=2,p=1$MCafZN0lksuG5Ii2witZsg$TnHM7XwcHq2qB6OeZXtuQSHyJFLhVitoCwmJLDu4Vsw"
        let argon2id =
            "$argon2id$v=19$m=1024,t=1,p=1$ZzsGJGT2PEHnZiSbnT7xhA$I0N5cA0xLEeWthjjSWaSJgvHvPDY7JPHYU4NC0z6JDk"
        #expect(try await hasher.verify(goodPassword, against: argon2i))
        #expect(try await hasher.verify("wrong password", against: argon2i) == false)
        #expect(try await hasher.verify(goodPassword, against: argon2id))
        #expect(try await hasher.verify("wrong password", against: argon2id) == false)
        #expect(hasher.needsRehash(argon2i), "argon2i is another algorithm")
        #expect(hasher.needsRehash(argon2id) == false, "same parameters as the test hasher")
        let owasp = try PasswordHasher()
        #expect(owasp.needsRehash(argon2id), "m=1024,t=1 is below OWASP's parameters")
    }

    @Test(
        "verifies bcrypt $2a$, $2b$ and $2y$ hashes (fixed vectors from Python's bcrypt)",
        arguments: [
            "$2b$04$AnKecXqwJ4bjfppLXgxdEOo5ywwaokhSQMFUczAgrvfRNXEM6sNpq",
            "$2a$04$GAS98di/LbYWOh3Qk4czSOO0gQHxmdDT9vA1q7lKbC3nYLtG3Tdga",
            // $2y$ is PHP's name for the same algorithm as $2b$.
            "$2y$04$AnKecXqwJ4bjfppLXgxdEOo5ywwaokhSQMFUczAgrvfRNXEM6sNpq",
        ])
    func bcryptVectors(hash: String) async throws {
        let hasher = try PasswordHasher(configuration: .init(parameters: testArgon2))
        #expect(try await hasher.verify(goodPassword, against: hash))
        #expect(try await hasher.verify("correct horse battery stapl", against: hash) == false)
        #expect(try await hasher.verify("correct horse battery staple\u{0}x", against: hash) == false)
        #expect(hasher.needsRehash(hash))
    }

    @Test(
        "refuses hashes it does not understand, with a typed error",
        arguments: [
            "", "plaintext",
            "$argon2d$v=19$m=1024,t=1,p=1$ZzsGJGT2PEHnZiSbnT7xhA$I0N5cA0xLEeWthjjSWaSJgvHvPDY7JPHYU4NC0z6JDk",
            "$argon2id$v=19$m=1024,t=1$ZzsGJGT2PEHnZiSbnT7xhA$I0N5cA0xLEeWthjjSWaSJgvHvPDY7JPHYU4NC0z6JDk",
            "$argon2id$v=19$m=99999999999,t=1,p=1$ZzsGJGT2PEHnZiSbnT7xhA$I0N5cA0xLEeWthjjSWaSJgvHvPDY7JPHYU4NC0z6JDk",
            "$2b$04$short", "$2x$04$AnKecXqwJ4bjfppLXgxdEOo5ywwaokhSQMFUczAgrvfRNXEM6sNpq", "$1$salt$md5crypt",
        ])
    func unrecognised(hash: String) async throws {
        let hasher = try PasswordHasher(configuration: .init(parameters: testArgon2))
        await #expect {
            _ = try await hasher.verify(goodPassword, against: hash)
        } throws: { error in
            if case PasswordHashError.unrecognizedHash = error { true } else { false }
        }
        #expect(hasher.needsRehash(hash))
    }

    @Test("a hasher with higher parameters reports older hashes as needing a rehash")
    func rehashOnParameters() async throws {
        let weak = try PasswordHasher(configuration: .init(parameters: testArgon2))
        let hash = try await weak.hash(goodPassword)
        let strong = try PasswordHasher(
            configuration: .init(parameters: Argon2Parameters(memoryKiB: 2048, iterations: 1, parallelism: 1)))
        #expect(strong.needsRehash(hash))
        #expect(weak.needsRehash(hash) == false)
        #expect(try await strong.verify(goodPassword, against: hash), "old parameters still verify")
    }

    @Test("invalid parameters are refused when the hasher is made")
    func invalidParameters() {
        #expect(throws: PasswordHashError.self) {
            _ = try PasswordHasher(
                configuration: .init(parameters: Argon2Parameters(memoryKiB: 4, iterations: 1, parallelism: 1)))
        }
        #expect(throws: PasswordHashError.self) {
            _ = try PasswordHasher(
                configuration: .init(parameters: Argon2Parameters(memoryKiB: 1024, iterations: 0, parallelism: 1)))
        }
    }

    @Test("at most maximumConcurrentHashes run at once; beyond the queue limit, calls fail with overloaded")
    func concurrencyCap() async throws {
        let parameters = Argon2Parameters(memoryKiB: 8192, iterations: 2, parallelism: 1)
        let hasher = try PasswordHasher(
            configuration: .init(parameters: parameters, maximumConcurrentHashes: 1, maximumQueuedHashes: 2))
        let results = await withTaskGroup(of: Result<String, any Error>.self) { group in
            for _ in 0..<8 {
                group.addTask { await Result(catching: { try await hasher.hash(goodPassword) }) }
            }
            var results: [Result<String, any Error>] = []
            for await result in group { results.append(result) }
            return results
        }
        let overloaded = results.filter {
            if case .failure(let error) = $0, case PasswordHashError.overloaded = error { true } else { false }
        }
        let hashed = results.filter { if case .success = $0 { true } else { false } }
        #expect(hashed.count >= 3, "one running and two queued are always accepted")
        #expect(overloaded.count >= 1, "8 hashes at once exceed 1 running + 2 queued")
        #expect(hashed.count + overloaded.count == 8)
    }

    @Test("hashing does not block the cooperative pool: other tasks finish while a burst of hashes is still queued")
    func cooperativePoolStaysFree() async throws {
        let hasher = try PasswordHasher(configuration: .init(maximumConcurrentHashes: 1, maximumQueuedHashes: 64))
        let finished = Atomic<Bool>(false)
        // 24 OWASP hashes on one hashing thread: over a second of work, so that the hops below finish
        // first even when a full parallel test run slows them down. Were the hashes run on the
        // cooperative pool (two threads here), they would hold it until done.
        let burst = Task {
            let count = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<24 { group.addTask { try await hasher.hash(goodPassword) } }
                return try await group.reduce(into: 0) { count, _ in count += 1 }
            }
            finished.store(true, ordering: .sequentiallyConsistent)
            return count
        }
        try await Task.sleep(for: .milliseconds(5))
        // Work that needs the cooperative pool (tasks that hop across it) completes first.
        let hops = await withTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    await Task.yield(); return index
                }
            }
            return await group.reduce(0) { $0 + $1 }
        }
        #expect(hops == 4950)
        #expect(
            finished.load(ordering: .sequentiallyConsistent) == false,
            "the cooperative pool ran while hashes were queued")
        #expect(try await burst.value == 24)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
