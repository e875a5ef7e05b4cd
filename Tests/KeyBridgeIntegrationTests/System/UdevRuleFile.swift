import Foundation

/// A udev rules file, parsed strictly enough to catch what udev would reject or silently ignore,
/// and evaluated against made-up devices. This machine's systemd (252) has no `udevadm verify`
/// (it came in 253), and containers usually have no udev at all, so the tests check the shipped
/// files with this.
struct UdevRuleFile {
    struct Pair: Equatable {
        var key: String
        var attribute: String?
        var op: String
        var value: String
    }

    struct Rule {
        var line: Int
        var pairs: [Pair]
    }

    /// Keys that only compare, and those that only assign; ENV, TAG, ATTR, NAME, SYMLINK and
    /// SYSCTL do either.
    static let matchOnly: Set = [
        "ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTRS", "TAGS", "TEST",
        "PROGRAM", "RESULT", "CONST",
    ]
    static let assignOnly: Set = ["OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS"]
    static let either: Set = ["ENV", "TAG", "ATTR", "NAME", "SYMLINK", "SYSCTL"]
    /// Keys that need `{…}`, and keys that may have it.
    static let needsAttribute: Set = ["ATTR", "ATTRS", "ENV", "SYSCTL", "SECLABEL", "IMPORT"]
    static let mayHaveAttribute: Set = ["TEST", "RUN"]
    /// Keys udev looks up on the device or on one of its parents (all of one rule's on the same one).
    static let parentKeys: Set = ["KERNELS", "SUBSYSTEMS", "DRIVERS", "ATTRS", "TAGS"]

    var rules: [Rule] = []

    /// Parses `text`, or throws a message naming the line.
    init(_ text: String) throws {
        let pair = try NSRegularExpression(pattern: #"^([A-Z_]+)(?:\{([^{}"]+)\})?(==|!=|\+=|-=|:=|=)"([^"]*)"$"#)
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard raw == line else { throw RuleError("line \(number): leading or trailing whitespace") }
            guard !line.hasSuffix("\\") else { throw RuleError("line \(number): continuation lines are not used here") }
            // Values never hold a comma or a quote in our files, so ", " separates the pairs
            // (the spacing systemd's own rules use, and which `udevadm verify` asks for).
            let parts = line.components(separatedBy: ", ")
            var pairs: [Pair] = []
            for part in parts {
                let range = NSRange(part.startIndex..., in: part)
                guard let match = pair.firstMatch(in: part, range: range) else {
                    throw RuleError("line \(number): \"\(part)\" is not KEY{attr}OP\"value\"")
                }
                func group(_ number: Int) -> String? {
                    Range(match.range(at: number), in: part).map { String(part[$0]) }
                }
                pairs.append(Pair(key: group(1)!, attribute: group(2), op: group(3)!, value: group(4)!))
            }
            try Self.validate(pairs, line: number)
            rules.append(Rule(line: number, pairs: pairs))
        }
        try validateLabels()
    }

    private static func validate(_ pairs: [Pair], line: Int) throws {
        var hasMatch = false
        for pair in pairs {
            let compares = pair.op == "==" || pair.op == "!="
            hasMatch = hasMatch || compares
            guard matchOnly.contains(pair.key) || assignOnly.contains(pair.key) || either.contains(pair.key) else {
                throw RuleError("line \(line): unknown key \(pair.key)")
            }
            if matchOnly.contains(pair.key), !compares { throw RuleError("line \(line): \(pair.key) only compares (== or !=)") }
            if assignOnly.contains(pair.key), compares { throw RuleError("line \(line): \(pair.key) only assigns") }
            if pair.key == "LABEL" || pair.key == "GOTO", pair.op != "=" { throw RuleError("line \(line): \(pair.key) takes =") }
            if needsAttribute.contains(pair.key), pair.attribute == nil { throw RuleError("line \(line): \(pair.key) needs {…}") }
            if pair.attribute != nil, !needsAttribute.contains(pair.key), !mayHaveAttribute.contains(pair.key) {
                throw RuleError("line \(line): \(pair.key) takes no {…}")
            }
            if pair.key == "MODE", pair.value.range(of: #"^0[0-7]{3}$"#, options: .regularExpression) == nil {
                throw RuleError("line \(line): MODE \(pair.value) is not octal")
            }
            if pair.key == "GROUP" || pair.key == "OWNER",
                pair.value.range(of: #"^[a-z_][a-z0-9_-]*$"#, options: .regularExpression) == nil
            {
                throw RuleError("line \(line): \(pair.key) \(pair.value) is not a user or group name")
            }
            if pair.key == "ATTRS", pair.attribute == "idVendor" || pair.attribute == "idProduct",
                pair.value.range(of: "^[0-9a-f]{4}$", options: .regularExpression) == nil
            {
                throw RuleError("line \(line): sysfs shows \(pair.attribute!) as four lowercase hex digits, not \(pair.value)")
            }
        }
        if pairs.contains(where: { $0.key == "LABEL" }) {
            guard pairs.count == 1 else { throw RuleError("line \(line): LABEL stands alone") }
        } else if !hasMatch {
            throw RuleError("line \(line): a rule without a match would apply to every device")
        }
    }

    /// Every GOTO jumps forward to a label of this file; every label is unique and used.
    private func validateLabels() throws {
        var labels: [String: Int] = [:]
        for rule in rules {
            guard let label = rule.pairs.first(where: { $0.key == "LABEL" })?.value else { continue }
            guard labels[label] == nil else { throw RuleError("line \(rule.line): LABEL \(label) twice") }
            labels[label] = rule.line
        }
        var used: Set<String> = []
        for rule in rules {
            for pair in rule.pairs where pair.key == "GOTO" {
                guard let target = labels[pair.value], target > rule.line else {
                    throw RuleError("line \(rule.line): GOTO \(pair.value) has no LABEL after it")
                }
                used.insert(pair.value)
            }
        }
        if let unused = Set(labels.keys).subtracting(used).first { throw RuleError("LABEL \(unused) is never jumped to") }
    }

    // MARK: Evaluation

    /// A made-up device: the node itself (subsystem, properties) and its parents, nearest first.
    struct Device {
        struct Parent {
            var subsystem: String
            var attributes: [String: String]
        }

        var action = "add"
        var subsystem = "hidraw"
        var properties: [String: String] = [:]
        var parents: [Parent] = []
        var tags: Set<String> = []
        var group: String?
        var mode: String?

        /// A USB HID interface of a key: hidraw → hid → usb interface → usb device.
        static func usbHID(vendor: String, product: String, interface: (String, String, String) = ("03", "00", "00")) -> Device {
            Device(parents: [
                Parent(subsystem: "hid", attributes: [:]),
                Parent(
                    subsystem: "usb",
                    attributes: ["bInterfaceClass": interface.0, "bInterfaceSubClass": interface.1, "bInterfaceProtocol": interface.2]),
                Parent(subsystem: "usb", attributes: ["idVendor": vendor, "idProduct": product]),
            ])
        }
    }

    /// Runs the rules over `device` as udev would, with `existingFiles` answering TEST.
    func apply(to device: inout Device, existingFiles: Set<String>) throws {
        var index = 0
        while index < rules.count {
            let rule = rules[index]
            index += 1
            guard try matches(rule, device, existingFiles) else { continue }
            for pair in rule.pairs where pair.op != "==" && pair.op != "!=" {
                switch (pair.key, pair.op) {
                case ("GOTO", _):
                    index = rules.firstIndex { $0.pairs.first == Pair(key: "LABEL", attribute: nil, op: "=", value: pair.value) }!
                case ("LABEL", _): break
                case ("ENV", "="): device.properties[pair.attribute!] = pair.value
                case ("TAG", "+="): device.tags.insert(pair.value)
                case ("GROUP", "="): device.group = pair.value
                case ("MODE", "="): device.mode = pair.value
                default: throw RuleError("line \(rule.line): the simulator does not know \(pair.key)\(pair.op)")
                }
            }
        }
    }

    private func matches(_ rule: Rule, _ device: Device, _ existingFiles: Set<String>) throws -> Bool {
        func compare(_ actual: String, _ pair: Pair) -> Bool {
            (fnmatch(pair.value, actual, 0) == 0) == (pair.op == "==")
        }
        var parentPairs: [Pair] = []
        for pair in rule.pairs where pair.op == "==" || pair.op == "!=" {
            switch pair.key {
            case "ACTION": if !compare(device.action, pair) { return false }
            case "SUBSYSTEM": if !compare(device.subsystem, pair) { return false }
            case "ENV": if !compare(device.properties[pair.attribute!] ?? "", pair) { return false }
            case "TEST":
                if (existingFiles.contains(pair.value)) != (pair.op == "==") { return false }
            case let key where Self.parentKeys.contains(key):
                guard pair.op == "==" else { throw RuleError("line \(rule.line): the simulator does not know \(key)!=") }
                parentPairs.append(pair)
            default: throw RuleError("line \(rule.line): the simulator does not know \(pair.key)")
            }
        }
        guard !parentPairs.isEmpty else { return true }
        // udev wants one device, the node itself or a parent, on which all of them match.
        let chain = [Device.Parent(subsystem: device.subsystem, attributes: [:])] + device.parents
        return chain.contains { candidate in
            parentPairs.allSatisfy { pair in
                switch pair.key {
                case "SUBSYSTEMS": return compare(candidate.subsystem, pair)
                case "ATTRS": return candidate.attributes[pair.attribute!].map { compare($0, pair) } ?? false
                default: return false
                }
            }
        }
    }
}

/// Why a rules file is rejected.
struct RuleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
