#!/usr/bin/env python3
"""An independent client of `keybridge serve`'s Graph-shaped API: requests for HTTP, python-fido2 over
PC/SC (pyscard) for the key, py_webauthn to verify what the key made. It registers a FIDO2 key for a
user on an admin's behalf, exactly as on-behalf provisioning scripts written for Microsoft Graph do:

  graph_client.py register BASE_URL TOKEN UPN READER_SUBSTRING ORIGIN [--name NAME] [--timeout-minutes N]
  graph_client.py prepare  BASE_URL TOKEN UPN READER_SUBSTRING ORIGIN [--name NAME]

`register` prints one JSON object: the HTTP statuses and bodies of each step and py_webauthn's
verdict. `prepare` only fetches the creation options and makes the credential on the key, and prints
{"body": <the POST body>} for the caller to send (to test concurrent or interrupted registrations).

  graph_client.py self-service BASE_URL UPN PASS READER_SUBSTRING ORIGIN

`self-service` is the user's own path: sign in with a Temporary Access Pass (POST /auth/signIn),
register a key through /me/authentication/fido2Methods with the session, sign out, then sign in
again with the key (WebAuthn get over /auth/signIn/fido2Options, the assertion checked by py_webauthn
against the registered public key as well) and list /me's methods. Prints every step's status.
"""
import base64
import json
import sys

import requests
import webauthn
from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.pcsc import CtapPcscDevice
from fido2.webauthn import PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions


class Interaction(UserInteraction):
    def prompt_up(self):
        pass

    def request_pin(self, permissions, rp_id):
        return None

    def request_uv(self, permissions, rp_id):
        return True


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def open_device(reader_substring):
    for device in CtapPcscDevice.list_devices(reader_substring):
        return device
    raise SystemExit(json.dumps({"ok": False, "error": f"no FIDO card on a reader matching {reader_substring!r}"}))


def register(base, token, upn, reader, origin, name, minutes, post=True):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    result = {"ok": False}
    url = f"{base}/me/authentication/fido2Methods" if upn == "me" else f"{base}/users/{upn}/authentication/fido2Methods"
    options_response = session.get(f"{url}/creationOptions(challengeTimeoutInMinutes={minutes})", timeout=30)
    result["optionsStatus"] = options_response.status_code
    if options_response.status_code != 200:
        result["optionsBody"] = options_response.json()
        return result
    public_key = options_response.json()["publicKey"]
    options = PublicKeyCredentialCreationOptions.from_dict(public_key)
    client = Fido2Client(open_device(reader), DefaultClientDataCollector(origin), user_interaction=Interaction())
    registration = client.make_credential(options)
    credential = dict(registration)
    body = {
        "displayName": name,
        "publicKeyCredential": {
            "id": credential["id"],
            "response": {
                "clientDataJSON": credential["response"]["clientDataJSON"],
                "attestationObject": credential["response"]["attestationObject"],
            },
            "clientExtensionResults": {},
        },
    }
    # py_webauthn, independently of keybridge, checks the key's registration against the options.
    verified = webauthn.verify_registration_response(
        credential=credential,
        expected_challenge=b64url_decode(public_key["challenge"]),
        expected_origin=origin,
        expected_rp_id=public_key["rp"]["id"],
        require_user_verification=False,
    )
    result["pyWebauthnCredentialId"] = base64.urlsafe_b64encode(verified.credential_id).decode().rstrip("=")
    if not post:
        return {"ok": True, "body": body, "pyWebauthnCredentialId": result["pyWebauthnCredentialId"],
                "publicKey": verified.credential_public_key}
    post = session.post(url, json=body, timeout=30)
    result["postStatus"] = post.status_code
    result["postBody"] = post.json()
    listing = session.get(f"{base}/users/{upn}/authentication/methods", timeout=30)
    result["methodsStatus"] = listing.status_code
    result["methods"] = listing.json().get("value", [])
    # Posting the same registration again must be refused: its challenge was used.
    replay = session.post(url, json=body, timeout=30)
    result["replayStatus"] = replay.status_code
    result["replayBody"] = replay.json()
    result["ok"] = post.status_code == 201
    return result


def self_service(base, upn, access_pass, reader, origin):
    result = {"ok": False}
    signed_in = requests.post(f"{base}/auth/signIn", json={"userPrincipalName": upn, "temporaryAccessPass": access_pass}, timeout=30)
    result["passSignInStatus"] = signed_in.status_code
    if signed_in.status_code != 201:
        result["passSignInBody"] = signed_in.json()
        return result
    token = signed_in.json()["sessionToken"]
    registered = register(base, token, "me", reader, origin, "My key", 5, post=False)
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        post = session.post(f"{base}/me/authentication/fido2Methods", json=registered["body"], timeout=30)
        result["registerStatus"] = post.status_code
        result["registerBody"] = post.json()
        result["signOutStatus"] = session.post(f"{base}/auth/signOut", timeout=30).status_code
        result["afterSignOutStatus"] = session.get(f"{base}/me/authentication/methods", timeout=30).status_code
    # Signing in with the key: request options, an assertion from the card, the sign-in.
    options_response = requests.post(f"{base}/auth/signIn/fido2Options", json={"userPrincipalName": upn}, timeout=30)
    result["keyOptionsStatus"] = options_response.status_code
    request_options = PublicKeyCredentialRequestOptions.from_dict(options_response.json()["publicKey"])
    client = Fido2Client(open_device(reader), DefaultClientDataCollector(origin), user_interaction=Interaction())
    assertion = dict(client.get_assertion(request_options).get_response(0))
    # py_webauthn checks the assertion against the public key it verified at registration.
    verified = webauthn.verify_authentication_response(
        credential=assertion,
        expected_challenge=bytes(request_options.challenge),
        expected_rp_id=request_options.rp_id,
        expected_origin=origin,
        credential_public_key=registered["publicKey"],
        credential_current_sign_count=0,
        require_user_verification=False,
    )
    result["pyWebauthnSignCount"] = verified.new_sign_count
    key_sign_in = requests.post(f"{base}/auth/signIn", json={"userPrincipalName": upn, "publicKeyCredential": assertion}, timeout=30)
    result["keySignInStatus"] = key_sign_in.status_code
    result["keySignInBody"] = key_sign_in.json()
    if key_sign_in.status_code == 201:
        headers = {"Authorization": f"Bearer {key_sign_in.json()['sessionToken']}"}
        methods = requests.get(f"{base}/me/authentication/methods", headers=headers, timeout=30)
        result["methodsStatus"] = methods.status_code
        result["methods"] = methods.json().get("value", [])
        result["sessionToken"] = key_sign_in.json()["sessionToken"]
    replay = requests.post(f"{base}/auth/signIn", json={"userPrincipalName": upn, "publicKeyCredential": assertion}, timeout=30)
    result["replayStatus"] = replay.status_code
    result["replayBody"] = replay.json()
    result["ok"] = result["registerStatus"] == 201 and key_sign_in.status_code == 201
    return result


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "self-service":
        print(json.dumps(self_service(*sys.argv[2:7])))
        return
    if len(sys.argv) < 7 or sys.argv[1] not in ("register", "prepare"):
        raise SystemExit(__doc__)
    base, token, upn, reader, origin = sys.argv[2:7]
    name = sys.argv[sys.argv.index("--name") + 1] if "--name" in sys.argv else "Security key"
    minutes = int(sys.argv[sys.argv.index("--timeout-minutes") + 1]) if "--timeout-minutes" in sys.argv else 5
    result = register(base, token, upn, reader, origin, name, minutes, post=sys.argv[1] == "register")
    result.pop("publicKey", None)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
