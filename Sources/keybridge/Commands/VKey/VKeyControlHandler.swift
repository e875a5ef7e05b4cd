import Foundation
import KeyBridgeAuthenticator
import KeyBridgeVirtualCard

/// What the virtual key's control socket commands do.
struct VKeyControlHandler: @unchecked Sendable {
    let authenticator: VirtualAuthenticator
    let device: CTAPHIDDevice?
    let card: VPCDConnection?
    let oath: VirtualOATHApplet?
    var uhid: UHIDKey? = nil

    func handle(_ command: [String: Any]) -> [String: Any] {
        switch command["cmd"] as? String {
        case "touch":
            authenticator.touch()
            return ["ok": true]
        case "presence":
            guard let name = command["mode"] as? String,
                let mode = PresenceMode(name: name, milliseconds: command["ms"] as? Int ?? 500)
            else { return ["ok": false, "error": "mode must be approve, deny, wait or delay"] }
            authenticator.setPresenceMode(mode)
            return ["ok": true]
        case "powerCycle":
            authenticator.powerCycle()
            return ["ok": true]
        case "stats":
            let stats = authenticator.statistics
            var commands: [String: Any] = [:]
            for (name, entry) in stats.commands {
                commands[name] = ["count": entry.count, "totalMilliseconds": entry.totalMilliseconds]
            }
            return ["ok": true, "commands": commands, "apdus": card?.apduCount ?? 0, "powerOffs": card?.powerOffCount ?? 0]
        case "info":
            var info: [String: Any] = ["ok": true, "attestationRootPEM": authenticator.attestationRootPEM]
            for (key, value) in authenticator.summary { info[key] = value }
            if let card { info["inField"] = card.inField }
            return info
        case "fault":
            guard let device else { return ["ok": false, "error": "faults apply to the HID socket; none is served"] }
            guard let kind = HIDFault(rawValue: command["kind"] as? String ?? "") else {
                return ["ok": false, "error": "kind must be one of \(HIDFault.allCases.map(\.rawValue).joined(separator: ", "))"]
            }
            device.inject(kind, skipping: command["skip"] as? Int ?? 0, count: command["count"] as? Int ?? 1)
            return ["ok": true]
        case "removeCard":
            guard let card else { return ["ok": false, "error": "no vpcd card is served"] }
            let seconds = Double(command["ms"] as? Int ?? 1000) / 1000
            if let after = command["afterAPDUs"] as? Int {
                card.removeFromField(afterAPDUs: after, for: seconds)
            } else {
                card.removeFromField(for: seconds)
            }
            return ["ok": true]
        case "record":
            guard let card else { return ["ok": false, "error": "no vpcd card is served"] }
            if command["on"] as? Bool == true {
                card.startRecording()
                return ["ok": true]
            }
            let apdus = card.stopRecording().map { $0.map { String(format: "%02x", $0) }.joined() }
            return ["ok": true, "apdus": apdus]
        case "unplug", "plug":
            guard let uhid else { return ["ok": false, "error": "plug and unplug apply to a --uhid key; none is served"] }
            if command["cmd"] as? String == "unplug" {
                uhid.unplug()
            } else {
                do {
                    try uhid.plug()
                } catch {
                    return ["ok": false, "error": "\(error)"]
                }
            }
            return ["ok": true, "plugged": uhid.isPlugged]
        case "oathMalformNextReply":
            guard let oath else { return ["ok": false, "error": "no OATH applet is served"] }
            oath.malformNextReplyOnce()
            return ["ok": true]
        default:
            return ["ok": false, "error": "unknown command; see `keybridge vkey serve --help`"]
        }
    }
}
