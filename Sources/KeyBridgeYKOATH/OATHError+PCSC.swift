import KeyBridgePCSC

// The OATH codecs (KeyBridgeOATH) link no PC/SC library; the YKOATH session over a card lives here.
@_exported import KeyBridgeOATH

extension OATHError {
    /// The link to the card failed: the PC/SC failure's stable code and message.
    public static func pcsc(_ error: PCSCError) -> OATHError { .transport(code: error.code, message: error.description) }
}
