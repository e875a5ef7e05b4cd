#!/usr/bin/env python3
"""py_webauthn's verification of the same sign-ins `keybridge bench verify --export FILE` made (a
benchmark, not a test): bench_verify.py FILE ROUNDS → {"perSecond": N}."""
import base64
import json
import sys
import time

import webauthn


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main():
    data = json.load(open(sys.argv[1]))
    rounds = int(sys.argv[2])
    key = b64url_decode(data["credentialPublicKey"])
    cases = [(item["credential"], b64url_decode(item["challenge"])) for item in data["assertions"]]
    start = time.perf_counter()
    for _ in range(rounds):
        for credential, challenge in cases:
            webauthn.verify_authentication_response(
                credential=credential, expected_challenge=challenge, expected_rp_id=data["rpId"],
                expected_origin=data["origin"], credential_public_key=key, credential_current_sign_count=0,
                require_user_verification=False)
    elapsed = time.perf_counter() - start
    print(json.dumps({"perSecond": round(len(cases) * rounds / elapsed, 1)}))


if __name__ == "__main__":
    main()
