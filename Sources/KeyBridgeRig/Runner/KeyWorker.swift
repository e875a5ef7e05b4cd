import Foundation

/// Runs the plan against one key on its own thread, reporting each result as it comes.
final class KeyWorker: @unchecked Sendable {
    let key: RigKey
    let plan: RigPlan
    let report: (KeyReport) -> Void
    private var state: KeyReport
    private var context: TestContext?
    /// Why the key is gone, once it is: its remaining tests fail with this, untried.
    private var goneReason: String?

    init(key: RigKey, plan: RigPlan, report: @escaping (KeyReport) -> Void) {
        self.key = key
        self.plan = plan
        self.report = report
        state = KeyReport(device: DeviceReport(key.descriptor))
    }

    func run() {
        connect()
        for suite in plan.suites {
            switch suite {
            case .conformance:
                for test in ConformanceSuite.selected(tags: plan.tags) { run(test, suite: "conformance") }
                if goneReason == nil, let context { _ = try? context.freshKey() }
            case .endurance, .latency:
                let runner = OperationRunner(worker: self, suite: suite)
                runner.run()
            }
        }
        state.finished = true
        report(state)
    }

    // MARK: Connection

    private func connect() {
        do {
            let info = try openContext(try key.connect())
            key.aaguid = info.aaguid
            state.device.aaguid = info.aaguid
            state.device.info = info
        } catch {
            goneReason = "could not open the key: \(error)"
        }
        report(state)
    }

    /// After a transport error: a new link, or the key is gone.
    private func reconnect(after error: RigError) {
        context?.link.close()
        context = nil
        do {
            _ = try openContext(try key.reconnect(within: error.keyIsGone ? 3 : 5))
        } catch {
            goneReason = "the key is gone (\(error))"
        }
    }

    /// Reads getInfo over `link` (leniently: the getInfo tests judge its encoding) and makes the
    /// tests' context on it.
    private func openContext(_ link: any CTAPLink) throws -> AuthenticatorInfo {
        let client = CTAP2Client(link: link, timeout: plan.requestTimeout)
        let info = AuthenticatorInfo(try client.send(.getInfo).map("getInfo", strict: false))
        context = TestContext(key: key, link: link, info: info, timeout: plan.requestTimeout)
        return info
    }

    // MARK: Tests

    /// Runs one test, or records it as failed untried when the key is gone.
    func run(_ test: ConformanceTest, suite: String) {
        record(id: test.id, title: test.title, section: test.section, tags: test.tags, suite: suite, body: test.body)
    }

    /// Runs `body` with the key's context and records its result.
    func record(
        id: String, title: String, section: String, tags: [String], suite: String,
        body: (TestContext) throws -> Void
    ) {
        let started = Date()
        var record = TestRecord(
            id: id, title: title, section: section, tags: tags, suite: suite, result: .passed, message: nil,
            observations: [], durationSeconds: 0)
        if let goneReason {
            record.result = .error
            record.message = goneReason
        } else if let context {
            context.beginTest()
            do {
                try body(context)
            } catch let failure as CheckFailure {
                record.result = .failed
                record.message = failure.description
            } catch let skip as SkipTest {
                record.result = .skipped
                record.message = skip.reason
            } catch let needs as NeedsPowerCycle {
                record.result = .needsPowerCycle
                record.message = needs.reason
            } catch let error as RigError {
                record.result = .error
                record.message = error.description
                reconnect(after: error)
            } catch {
                record.result = .error
                record.message = "\(error)"
            }
            record.observations = self.context?.observations ?? context.observations
        }
        record.durationSeconds = Date().timeIntervalSince(started)
        state.tests.append(record)
        report(state)
    }

    func setLatency(_ stats: [LatencyStats]) {
        state.latency += stats
        report(state)
    }

    func setEndurance(_ stats: EnduranceStats) {
        state.endurance = stats
        report(state)
    }
}
