import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

struct SecurityInfoAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a method, each through its own verification.",
        subcommands: [
            AddSecurityKey.self, AddContact.self, AddAuthenticatorApp.self, AddHardwareToken.self,
            AddSecurityQuestions.self, AddAppPassword.self,
        ])
}
