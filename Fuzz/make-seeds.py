#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<target>/: small valid inputs for each fuzz target,
modelled on what the test suite feeds the same parsers. Run it again after changing a seed; the
output is deterministic except for the attestation keys and certificate (fresh each run)."""
import base64
import datetime
import hashlib
import json
import os
import struct
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parent / "Corpus"


# --- CTAP2 canonical CBOR -------------------------------------------------------------------
def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)


def cbor(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if v is None:
        return b"\xf6"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        items = sorted(((cbor(k), cbor(x)) for k, x in v.items()), key=lambda kv: (kv[0][0] >> 5, len(kv[0]), kv[0]))
        return head(5, len(v)) + b"".join(k + x for k, x in items)
    raise TypeError(v)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def write(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def chunk(b):
    assert len(b) < 256
    return bytes([len(b)]) + b


# --- Shared values ---------------------------------------------------------------------------
RP = "example.com"
RP_HASH = hashlib.sha256(RP.encode()).digest()
CDH = hashlib.sha256(b"fuzz client data").digest()
CLIENT_DATA = json.dumps({"type": "webauthn.create", "challenge": "AAAA", "origin": "https://example.com"}).encode()

make_credential = {
    1: CDH,
    2: {"id": RP, "name": "Example"},
    3: {"id": b"\x01" * 16, "name": "alice", "displayName": "Alice"},
    4: [{"alg": -7, "type": "public-key"}, {"alg": -8, "type": "public-key"}],
    7: {"rk": True},
}
get_assertion = {1: RP, 2: CDH, 5: {"up": True}}
client_pin_retries = {1: 1, 2: 1}


def cose_p256(public_key):
    numbers = public_key.public_numbers()
    return {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}


def auth_data(flags, credential_key=None, counter=1):
    data = RP_HASH + bytes([flags]) + struct.pack(">I", counter)
    if credential_key is not None:
        data += b"\x00" * 16 + struct.pack(">H", 16) + b"\x07" * 16 + cbor(credential_key)
    return data


def attestation_seeds():
    credential = ec.generate_private_key(ec.SECP256R1())
    cose = cose_p256(credential.public_key())
    authenticator = auth_data(0x41, cose)
    signed = authenticator + CDH
    none = cbor({"fmt": "none", "attStmt": {}, "authData": authenticator})
    self_sig = credential.sign(signed, ec.ECDSA(hashes.SHA256()))
    packed_self = cbor({"fmt": "packed", "attStmt": {"alg": -7, "sig": self_sig}, "authData": authenticator})

    root_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fuzz Root")])
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf_name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Fuzz Key"),
    ])
    leaf = (
        x509.CertificateBuilder().subject_name(leaf_name).issuer_name(root_name).public_key(leaf_key.public_key())
        .serial_number(2).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"), b"\x04\x10" + b"\x00" * 16), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    der = lambda c: c.public_bytes(serialization.Encoding.DER)
    x5c_sig = leaf_key.sign(signed, ec.ECDSA(hashes.SHA256()))
    packed_x5c = cbor({"fmt": "packed", "attStmt": {"alg": -7, "sig": x5c_sig, "x5c": [der(leaf), der(root)]}, "authData": authenticator})
    return {"none": none, "packed-self": packed_self, "packed-x5c": packed_x5c}, authenticator


def main():
    # CBOR
    write("fuzz-cbor", "make-credential", cbor(make_credential))
    write("fuzz-cbor", "get-assertion", cbor(get_assertion))
    write("fuzz-cbor", "get-info-reply", cbor({1: ["FIDO_2_0", "FIDO_2_1"], 3: b"\x00" * 16, 4: {"rk": True, "up": True}, 5: 1200}))
    write("fuzz-cbor", "nested", cbor([1, -1, -257, b"", "", [True, False, None], {"a": [1, {2: 3}]}]) )
    write("fuzz-cbor", "tagged", bytes([0xC1, 0x1A, 0x65, 0x00, 0x00, 0x00]))

    # CTAP2 commands (first byte) and U2F (0xFF then the APDU)
    write("fuzz-ctap2-command", "get-info", b"\x04")
    write("fuzz-ctap2-command", "make-credential", b"\x01" + cbor(make_credential))
    write("fuzz-ctap2-command", "get-assertion", b"\x02" + cbor(get_assertion))
    write("fuzz-ctap2-command", "client-pin-retries", b"\x06" + cbor(client_pin_retries))
    write("fuzz-ctap2-command", "client-pin-key-agreement", b"\x06" + cbor({1: 2, 2: 2}))
    write("fuzz-ctap2-command", "cred-mgmt-metadata", b"\x0a" + cbor({1: 1}))
    write("fuzz-ctap2-command", "u2f-version", b"\xff\x00\x03\x00\x00\x00")
    write("fuzz-ctap2-command", "u2f-register", b"\xff\x00\x01\x03\x00\x40" + CDH + RP_HASH + b"\x00")

    # CTAPHID: 64-byte reports (INIT on broadcast, PING, CBOR getInfo, a two-packet PING)
    def report(cid, cmd, payload, total=None):
        total = len(payload) if total is None else total
        r = struct.pack(">I", cid) + bytes([cmd | 0x80]) + struct.pack(">H", total) + payload[:57]
        return r + b"\x00" * (64 - len(r))

    def cont(cid, seq, payload):
        r = struct.pack(">I", cid) + bytes([seq]) + payload[:59]
        return r + b"\x00" * (64 - len(r))

    write("fuzz-ctaphid", "init-broadcast", report(0xFFFFFFFF, 0x06, bytes(range(1, 9))))
    write("fuzz-ctaphid", "ping", report(0x11223344, 0x01, b"hello"))
    write("fuzz-ctaphid", "cbor-get-info", report(0x11223344, 0x10, b"\x04"))
    long_ping = bytes(range(100))
    write("fuzz-ctaphid", "ping-two-packets", report(0x11223344, 0x01, long_ping[:57], 100) + cont(0x11223344, 0, long_ping[57:]))
    write("fuzz-ctaphid", "wink-cancel", report(0x11223344, 0x08, b"") + report(0x11223344, 0x11, b""))

    # ISO 7816: selector, request chunk, response count, response chunks, then card-side APDUs
    select_fido = bytes([0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x06, 0x47, 0x2F, 0x00, 0x01])
    msg_get_info = bytes([0x80, 0x10, 0x80, 0x00, 0x01, 0x04, 0x00])
    get_response = bytes([0x80, 0x11, 0x00, 0x00, 0x00])
    u2f_version = bytes([0x00, 0x03, 0x00, 0x00, 0x00])
    get_uid = bytes([0xFF, 0xCA, 0x00, 0x00, 0x00])
    card_side = chunk(select_fido) + chunk(msg_get_info) + chunk(get_response) + chunk(u2f_version) + chunk(get_uid)
    write("fuzz-iso7816", "init-select-fido2", b"\x00" + chunk(bytes(range(8))) + b"\x01" + chunk(b"FIDO_2_0\x90\x00") + card_side)
    write("fuzz-iso7816", "init-select-u2f", b"\x00" + chunk(bytes(range(8))) + b"\x01" + chunk(b"U2F_V2\x90\x00"))
    write("fuzz-iso7816", "cbor-reply", b"\x01" + chunk(b"\x04") + b"\x01" + chunk(b"\x00" + cbor({1: ["FIDO_2_0"]}) + b"\x90\x00"))
    write("fuzz-iso7816", "cbor-get-response", b"\x01" + chunk(b"\x04") + b"\x02" + chunk(b"\x00\xa1\x61\x04") + chunk(b"\x01\x02\x90\x00"))
    write("fuzz-iso7816", "cbor-keepalive", b"\x01" + chunk(b"\x04") + b"\x01" + chunk(b"\x02\x91\x00"))
    write("fuzz-iso7816", "u2f-msg", b"\x02" + chunk(u2f_version) + b"\x01" + chunk(b"U2F_V2\x90\x00"))

    # YKOATH TLVs, then a session script, then applet APDUs
    def tlv(tag, value):
        return bytes([tag, len(value)]) + value if len(value) < 0x80 else bytes([tag, 0x81, len(value)]) + value

    select_reply = tlv(0x79, b"\x05\x07\x02") + tlv(0x71, b"\x01\x02\x03\x04\x05\x06\x07\x08") + b"\x90\x00"
    list_reply = tlv(0x72, b"\x21" + b"Example:alice") + tlv(0x72, b"\x11" + b"bob") + b"\x90\x00"
    calc_reply = tlv(0x71, b"Example:alice") + tlv(0x76, b"\x06\x12\x34\x56\x78") + b"\x90\x00"
    write("fuzz-ykoath-tlv", "tlvs", tlv(0x71, b"name") + tlv(0x73, b"\x21\x06" + b"k" * 20) + tlv(0x78, b"\x02"))
    write("fuzz-ykoath-tlv", "long-form", bytes([0x75, 0x81, 0x80]) + b"\x00" * 128 + bytes([0x74, 0x82, 0x00, 0x02, 0x01, 0x02]))
    write("fuzz-ykoath-tlv", "session", b"\x03" + chunk(select_reply) + chunk(list_reply) + chunk(calc_reply))
    put = tlv(0x71, b"alice") + tlv(0x73, b"\x21\x06" + b"\x01" * 20)
    applet = chunk(bytes([0x00, 0x01, 0x00, 0x00, len(put)]) + put) + chunk(bytes([0x00, 0xA1, 0x00, 0x00])) \
        + chunk(bytes([0x00, 0xA4, 0x00, 0x01, 0x0A]) + tlv(0x74, b"\x00" * 8))
    write("fuzz-ykoath-tlv", "applet", b"\x00" + applet)

    # otpauth URIs (from OTPAuthURITests)
    for name, uri in {
        "totp-full": "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60",
        "hotp": "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQ&counter=42",
        "totp-minimal": "otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP",
        "sha512-padding": "otpauth://totp/Example:carol?secret=JBSWY3DPEHPK3PXP%3D%3D%3D&algorithm=SHA512&digits=7&issuer=Example",
    }.items():
        write("fuzz-otpauth", name, uri)

    # Attestation objects and WebAuthn JSON
    objects, authenticator = attestation_seeds()
    for name, obj in objects.items():
        write("fuzz-attestation", name, obj)
    write("fuzz-attestation", "auth-data-extensions", auth_data(0x81) + cbor({"credProtect": 2}))
    registration = {
        "id": b64url(b"\x07" * 16), "rawId": b64url(b"\x07" * 16), "type": "public-key",
        "response": {
            "clientDataJSON": b64url(CLIENT_DATA), "attestationObject": b64url(objects["packed-self"]),
            "authenticatorData": b64url(authenticator), "transports": ["usb", "nfc"], "publicKeyAlgorithm": -7,
        },
        "authenticatorAttachment": "cross-platform", "clientExtensionResults": {"credProps": {"rk": True}},
    }
    write("fuzz-webauthn-json", "registration", json.dumps(registration))
    registration["response"]["attestationObject"] = b64url(objects["none"])
    registration["clientExtensionResults"] = {"hmacCreateSecret": True, "credProtect": 2}
    write("fuzz-webauthn-json", "registration-none", json.dumps(registration))
    get_data = json.dumps({"type": "webauthn.get", "challenge": "BBBB", "origin": "https://example.com"}).encode()
    authentication = {
        "id": "id", "rawId": "id", "type": "public-key",
        "response": {"clientDataJSON": b64url(get_data), "authenticatorData": b64url(auth_data(0x05, counter=2)),
                     "signature": b64url(b"\x30\x06\x02\x01\x01\x02\x01\x01"), "userHandle": b64url(b"\x01" * 16)},
        "authenticatorAttachment": "cross-platform", "clientExtensionResults": {"hmacGetSecret": {"output1": "AAAA"}},
    }
    write("fuzz-webauthn-json", "authentication", json.dumps(authentication))

    # Policy documents (from PolicyDocumentTests)
    write("fuzz-policy", "minimal.json", '{"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com"}')
    full = {
        "relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://contoso.com", "challengeLifetimeSeconds": 120,
        "authenticationMethods": {
            "enabled": {"fido2SecurityKey": {"allUsers": True}, "phone": {"allUsers": False, "groups": ["staff"], "excludedGroups": ["contractors"]}},
            "fido2": {"enforceAttestation": True, "keyRestriction": {"mode": "block", "aaguids": ["f1d0f1d0-6b65-7962-7269-646765000001"]}},
            "temporaryAccessPass": {"lifetimeMinutes": 120, "oneTime": True}, "virtualNumberPrefixes": ["+1555"],
        },
        "sspr": {"scope": "group", "group": "sspr-users", "methodsRequired": 2, "allowedMethods": ["phone", "email"], "reconfirmDays": 90},
        "registrationAccess": {"allowedNetworks": ["10.0.0.0/8"], "trustedDevices": ["hr-kiosk-1"], "requireMFA": True},
    }
    write("fuzz-policy", "full.json", json.dumps(full))
    write("fuzz-policy", "full.yaml", """relyingParty:
  id: contoso.com
  name: Contoso
origin: https://contoso.com
challengeLifetimeSeconds: 120
authenticationMethods:
  enabled:
    fido2SecurityKey: {allUsers: true}
    phone:
      allUsers: false
      groups: [staff]
  fido2:
    keyRestriction: {mode: allow, aaguids: [f1d0f1d0-6b65-7962-7269-646765000001]}
sspr:
  scope: all
  allowedMethods: [phone, email]
registrationAccess:
  allowedNetworks: [10.0.0.0/8, 192.168.1.0/24]
""")
    write("fuzz-policy", "anchors.yaml", "relyingParty: {id: a.example}\norigin: https://a.example\nauthenticationMethods:\n  fido2:\n    trustAnchors: []\n    requireUserVerification: true\n")

    # Hardware token CSV (from HardwareTokenTests)
    header = "upn,serial number,secret key,time interval,manufacturer,model\n"
    write("fuzz-token-csv", "two-rows.csv", header + "alice@contoso.com,SN-100,JBSWY3DPEHPK3PXPJBSWY3DP,30,Contoso,OTP c200\nbob@contoso.com,SN-101,JBSWY3DPEHPK3PXPJBSWY3DP,60,Contoso,OTP c200\n")
    write("fuzz-token-csv", "quoted.csv", header + '"carol@contoso.com","SN-""7""","JBSW Y3DP EHPK 3PXP",30,"Contoso, Inc.","OTP\nc200"\r\n')
    write("fuzz-token-csv", "bad-rows.csv", header + "alice@contoso.com,SN-102,not*base32,30,Contoso,OTP c200\nalice@contoso.com,SN-103\n,,,,,\n")


if __name__ == "__main__":
    main()
