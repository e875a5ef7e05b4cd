#!/usr/bin/env python3
"""python-fido2 as an independent client and verifier for a contactless key behind pcscd.

Registers with python-fido2's Fido2Client over CtapPcscDevice (pyscard), signs in, and has
python-fido2's Fido2Server verify both. Usage:
  fido2_pcsc_client.py roundtrip READER_SUBSTRING [--pin PIN]
  fido2_pcsc_client.py bench READER_SUBSTRING N      (per-operation latency, ms)
Prints one JSON object; exits 0 on success.
"""
import json
import sys
import time

from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.pcsc import CtapPcscDevice
from fido2.server import Fido2Server
from fido2.webauthn import PublicKeyCredentialRpEntity, PublicKeyCredentialUserEntity

ORIGIN = "https://example.com"
RP = PublicKeyCredentialRpEntity(id="example.com", name="Example")


class Interaction(UserInteraction):
    def __init__(self, pin):
        self.pin = pin

    def prompt_up(self):
        pass

    def request_pin(self, permissions, rp_id):
        return self.pin

    def request_uv(self, permissions, rp_id):
        return True


def open_device(reader_substring):
    for device in CtapPcscDevice.list_devices(reader_substring):
        return device
    raise SystemExit(json.dumps({"ok": False, "error": f"no FIDO card on a reader matching {reader_substring!r}"}))


def register_and_sign_in(client, server, user_name):
    user = PublicKeyCredentialUserEntity(id=user_name.encode(), name=user_name)
    options, state = server.register_begin(user, user_verification="discouraged")
    registration = client.make_credential(options.public_key)
    auth_data = server.register_complete(state, registration)
    credentials = [auth_data.credential_data]
    options, state = server.authenticate_begin(credentials, user_verification="discouraged")
    assertion = client.get_assertion(options.public_key).get_response(0)
    server.authenticate_complete(state, credentials, assertion)
    return registration, assertion, auth_data


def main():
    command, reader = sys.argv[1], sys.argv[2]
    pin = None
    if "--pin" in sys.argv:
        pin = sys.argv[sys.argv.index("--pin") + 1]
    device = open_device(reader)
    client = Fido2Client(device, DefaultClientDataCollector(ORIGIN), user_interaction=Interaction(pin))
    server = Fido2Server(RP)
    if command == "roundtrip":
        registration, assertion, auth_data = register_and_sign_in(client, server, "nfc-user")
        print(json.dumps({
            "ok": True,
            "credentialId": registration.raw_id.hex(),
            "aaguid": str(auth_data.credential_data.aaguid),
            "signCount": auth_data.counter,
            "info": {"versions": client.info.versions, "aaguid": str(client.info.aaguid)},
        }))
    elif command == "bench":
        count = int(sys.argv[3])
        create, get = [], []
        for index in range(count):
            user = PublicKeyCredentialUserEntity(id=f"u{index}".encode(), name=f"u{index}")
            options, state = server.register_begin(user, user_verification="discouraged")
            start = time.perf_counter()
            registration = client.make_credential(options.public_key)
            create.append((time.perf_counter() - start) * 1000)
            auth_data = server.register_complete(state, registration)
            options, state = server.authenticate_begin([auth_data.credential_data], user_verification="discouraged")
            start = time.perf_counter()
            client.get_assertion(options.public_key).get_response(0)
            get.append((time.perf_counter() - start) * 1000)
        print(json.dumps({"ok": True, "makeCredentialMs": create, "getAssertionMs": get}))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
