import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

/// How a person's flow ends on the kiosk: the receipt, or what failed and what was undone.
extension KioskFlow {
    func finish(_ receipt: EnrollmentReceipt, name: String) async throws(PromptInterruption) {
        var lines = [
            catalog.text("kiosk.done.registered", ["name": name]), "",
            catalog.text("kiosk.done.receipt") + ":",
        ]
        lines += receiptLines(receipt)
        do {
            try settings.receipts.append(receipt)
        } catch {
            lines += ["", catalog.text("kiosk.receiptFailed", ["reason": "\(error.localizedDescription)"])]
        }
        if let command = settings.printCommand { ReceiptPrinter.print(lines: receiptLines(receipt), command: command) }
        if settings.json { emit(KioskEvent(event: "enrolled", upn: receipt.upn, receipt: receipt)) }
        screen.page(catalog.text("kiosk.done.heading"), step: (6, Self.steps), lines)
        screen.ask(catalog.text("kiosk.done.next"))
        _ = try? await input.readLine()
    }

    private func receiptLines(_ receipt: EnrollmentReceipt) -> [String] {
        var lines = [
            "  UPN:           \(receipt.upn)", "  Tenant:        \(receipt.tenant)", "  Key:           \(receipt.keyModel)",
            "  AAGUID:        \(receipt.aaguid)", "  Serial:        \(receipt.serialNumber ?? "-")",
            "  Credential:    \(receipt.credentialID)", "  Time:          \(ISO8601DateFormatter().string(from: receipt.time))",
            "  Kiosk:         \(receipt.kiosk) · \(receipt.operatorUPN)",
        ]
        if let pin = receipt.pin { lines.append("  \(catalog.text("kiosk.done.pin")): \(pin)") }
        return lines
    }

    func show(failure error: any Error, upn: String) async throws(PromptInterruption) {
        let message: String
        var event = KioskEvent(event: "failed", upn: upn)
        switch error {
        case let failure as EnrollmentFailure:
            message = failure.message(catalog)
            event.code = failure.code
            event.rollback = failure.rollbackName
            if failure.cause == .cancelled { event.event = "cancelled" }
        case let error as RegistrationError:
            message = error.message(catalog)
            event.code = error.code
        case let error as RemoteDirectoryError:
            message = error.message
            event.code = error.code
        case let error as KeyBridgeError:
            message = error == .cancelled ? catalog.text("kiosk.cancelled") : error.description
            event.code = error.code
            if error == .cancelled { event.event = "cancelled" }
        case KioskStop.keyNotReset:
            message = catalog.text("kiosk.key.notReset")
            event.code = "keyNotReset"
        case is CancellationError:
            message = catalog.text("kiosk.cancelled") + " " + catalog.text("rollback.nothingCreated")
            event.event = "cancelled"
            event.code = "cancelled"
        default:
            message = "\(error)"
            event.code = "unexpected"
        }
        event.message = message
        if settings.json { emit(event) }
        screen.page(catalog.text("kiosk.failed.heading"), [message])
        screen.ask(catalog.text("kiosk.failed.next"))
        do {
            _ = try await input.readLine()
        } catch .endOfInput {
            throw .endOfInput
        } catch {}
    }

    private func emit(_ event: KioskEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }
}
