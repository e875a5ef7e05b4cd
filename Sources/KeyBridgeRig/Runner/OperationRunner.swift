import Foundation
import Histogram
import KeyBridgeCBOR

/// The endurance and latency suites: the same operations many times, timed into HdrHistograms.
///
/// Endurance: makeCredential, getAssertion and (when the key has a PIN) a PIN token, each
/// `enduranceOperations` times, checking every reply, that the signature counter only rises, and
/// that the rig's resident memory stays flat. Latency: getInfo, makeCredential and getAssertion,
/// `latencyOperations` times each, changing nothing the key keeps except credentials.
final class OperationRunner {
    let worker: KeyWorker
    let suite: RigSuite
    /// Set when the key went away: the loop stops and the key's remaining tests fail untried.
    private var gone: RigError?

    init(worker: KeyWorker, suite: RigSuite) {
        self.worker = worker
        self.suite = suite
    }

    private struct Timed {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var errors = 0
        var firstError: String?
    }

    func run() {
        let name = suite.rawValue
        let operations = suite == .endurance ? worker.plan.enduranceOperations : worker.plan.latencyOperations
        var timings: [String: Timed] = [:]
        var counterViolation: String?
        var memory = (afterWarmUp: 0, atEnd: 0)
        var totalOperations = 0
        var started = Date()
        worker.record(id: "\(name).setup", title: "the key is ready for \(name) operations", section: "-", tags: [name], suite: name) { c in
            if self.worker.plan.allowReset && self.suite == .endurance {
                try c.freshKey(pin: c.info.options["clientPin"] != nil ? TestContext.pin : nil)
            }
            started = Date()
            var token: [UInt8]?
            let pin = c.info.pinIsSet == true ? (self.worker.plan.allowReset && self.suite == .endurance ? TestContext.pin : self.worker.plan.pin) : nil
            if c.info.pinIsSet == true && pin == nil {
                throw CheckFailure("the key has a PIN: give --pin (or KEYBRIDGE_PIN), or --allow-reset")
            }
            var lastCounter: UInt32 = 0
            var credential: MadeCredential?
            for index in 0..<operations {
                if index == max(1, operations / 10) { memory.afterWarmUp = Self.residentKiB() }
                if let pin, self.suite == .endurance {
                    token = self.timed("pinToken", &timings, exchange: {
                        guard let token = try c.pinToken(pin, permissions: 0x03) else {
                            throw CheckFailure("no PIN token")
                        }
                        return token
                    }, check: { $0 })
                } else if let pin, index == 0 {
                    token = try c.pinToken(pin, permissions: 0x03)
                }
                if self.suite == .latency {
                    _ = self.timed("getInfo", &timings, exchange: { try c.client.send(.getInfo) }, check: { try $0.map("getInfo") })
                }
                let create = c.makeCredentialRequest(token: token)
                if let made = self.timed(
                    "makeCredential", &timings, exchange: { try c.client.send(.makeCredential, .map(create)) },
                    check: { try MadeCredential($0.map("makeCredential"), clientDataHash: create[1]!.bytesValue!) })
                {
                    credential = made
                }
                if let credential {
                    let request = c.getAssertionRequest(allow: [credential.credentialID], token: token)
                    let assertion = self.timed(
                        "getAssertion", &timings, exchange: { try c.client.send(.getAssertion, .map(request)) },
                        check: { reply -> Assertion in
                            let assertion = try Assertion(reply.map("getAssertion"))
                            guard assertion.verifies(publicKey: credential.publicKey, clientDataHash: request[2]!.bytesValue!) else {
                                throw CheckFailure("an assertion's signature does not verify")
                            }
                            return assertion
                        })
                    if let count = assertion?.authData.signCount, count != 0 || lastCounter != 0 {
                        if count <= lastCounter, counterViolation == nil {
                            counterViolation = "the signature counter went from \(lastCounter) to \(count)"
                        }
                        lastCounter = count
                    }
                }
                totalOperations = index + 1
                if let gone = self.gone { throw gone }
            }
            memory.atEnd = Self.residentKiB()
            // Leave the key as the conformance suite does: erased, not with the suite's PIN.
            if self.worker.plan.allowReset && self.suite == .endurance { try c.freshKey() }
        }
        let finished = Date()
        let stats = timings.keys.sorted().map { Self.stats($0, timings[$0]!) }
        for stat in stats {
            let timed = timings[stat.operation]!
            worker.record(
                id: "\(name).\(stat.operation)", title: "\(stat.operation) \(stat.count + stat.errors) times without an error",
                section: "-", tags: [name], suite: name
            ) { c in
                c.observe(String(format: "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", stat.p50Milliseconds, stat.p90Milliseconds, stat.p99Milliseconds, stat.maxMilliseconds))
                if timed.errors > 0 { throw CheckFailure("\(timed.errors) of \(stat.count + timed.errors) failed; the first: \(timed.firstError ?? "?")") }
            }
        }
        worker.setLatency(stats)
        guard suite == .endurance, totalOperations > 0 else { return }
        worker.record(id: "endurance.signCounter", title: "the signature counter only rises", section: "6.2.2", tags: ["endurance"], suite: name) { _ in
            if let counterViolation { throw CheckFailure(counterViolation) }
        }
        worker.record(id: "endurance.memory", title: "the rig's memory stays flat", section: "-", tags: ["endurance"], suite: name) { c in
            let growth = memory.atEnd - memory.afterWarmUp
            c.observe("resident \(memory.afterWarmUp) KiB after warm-up, \(memory.atEnd) KiB at the end")
            if memory.afterWarmUp > 0 && growth > 32 * 1024 { throw CheckFailure("resident memory grew by \(growth) KiB") }
        }
        let count = stats.reduce(0) { $0 + $1.count + $1.errors }
        let seconds = finished.timeIntervalSince(started)
        worker.setEndurance(
            EnduranceStats(
                operations: count, errors: stats.reduce(0) { $0 + $1.errors }, seconds: seconds,
                operationsPerSecond: seconds > 0 ? Double(count) / seconds : 0, residentKiBAfterWarmUp: memory.afterWarmUp,
                residentKiBAtEnd: memory.atEnd, startedAt: started, finishedAt: finished))
    }

    /// Times `exchange` (the request on the wire, from sending to the whole reply), then checks
    /// its reply with `check` outside the timing (parsing, signatures). Counts a failure of either.
    private func timed<R, T>(
        _ operation: String, _ timings: inout [String: Timed], exchange: () throws -> R, check: (R) throws -> T
    ) -> T? {
        timed(operation, &timings) {
            let start = DispatchTime.now().uptimeNanoseconds
            let reply = try exchange()
            let micros = (DispatchTime.now().uptimeNanoseconds - start) / 1000
            return (try check(reply), micros)
        }
    }

    /// Runs `body`, recording the time it reports on success and counting its failure otherwise.
    private func timed<T>(_ operation: String, _ timings: inout [String: Timed], _ body: () throws -> (T, UInt64)) -> T? {
        do {
            let (value, micros) = try body()
            _ = timings[operation, default: Timed()].histogram.record(max(1, micros))
            return value
        } catch let error as RigError where error.keyIsGone {
            timings[operation, default: Timed()].errors += 1
            gone = error
            return nil
        } catch {
            timings[operation, default: Timed()].errors += 1
            if timings[operation]!.firstError == nil { timings[operation]!.firstError = "\(error)" }
            return nil
        }
    }

    private static func stats(_ operation: String, _ timed: Timed) -> LatencyStats {
        let h = timed.histogram
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        let empty = h.totalCount == 0
        return LatencyStats(
            operation: operation, count: Int(h.totalCount), errors: timed.errors,
            p50Milliseconds: empty ? 0 : ms(h.valueAtPercentile(50)), p90Milliseconds: empty ? 0 : ms(h.valueAtPercentile(90)),
            p99Milliseconds: empty ? 0 : ms(h.valueAtPercentile(99)), maxMilliseconds: empty ? 0 : ms(h.max),
            meanMilliseconds: empty ? 0 : h.mean / 1000)
    }

    /// This process's resident set size in KiB (from /proc/self/statm).
    static func residentKiB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}
