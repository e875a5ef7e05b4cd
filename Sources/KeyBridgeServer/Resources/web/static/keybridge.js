// keybridge's pages: WebAuthn for signing in with a key and adding one. No inline script (the
// Content-Security-Policy forbids it); every request carries the page's CSRF token.
"use strict";

function fromBase64url(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function toBase64url(buffer) {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function postJSON(url, csrf, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.message || response.statusText);
  return json;
}

function say(id, text) {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

function credentialError(button, error) {
  // A refusal from the server has a message; the browser's own errors (timeout, cancel) do not help a person.
  return error && error.name === "NotAllowedError" ? button.dataset.cancelled : (error && error.message) || button.dataset.cancelled;
}

async function signInWithKey(button) {
  say("key-error", "");
  const upn = document.getElementById("upn").value.trim();
  if (!upn) {
    say("key-error", button.dataset.needUser);
    document.getElementById("upn").focus();
    return;
  }
  if (!window.PublicKeyCredential) return say("key-error", button.dataset.unsupported);
  const lng = "?lng=" + encodeURIComponent(button.dataset.lng);
  try {
    const tenant = button.dataset.tenant || undefined;
    const options = await postJSON("/signin/key-options" + lng, button.dataset.csrf, { upn, tenant });
    const publicKey = options.publicKey;
    say("key-error", "");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge: fromBase64url(publicKey.challenge), timeout: publicKey.timeout, rpId: publicKey.rpId,
        userVerification: publicKey.userVerification,
        allowCredentials: publicKey.allowCredentials.map((c) => ({ type: c.type, id: fromBase64url(c.id) })),
      },
    });
    const response = credential.response;
    const result = await postJSON("/signin/key" + lng, button.dataset.csrf, {
      upn, tenant,
      credential: {
        id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
        response: {
          clientDataJSON: toBase64url(response.clientDataJSON), authenticatorData: toBase64url(response.authenticatorData),
          signature: toBase64url(response.signature), userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
        },
      },
    });
    window.location.assign(result.location);
  } catch (error) {
    say("key-error", credentialError(button, error));
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

async function addKey(button) {
  say("key-error", "");
  if (!window.PublicKeyCredential) return say("key-error", button.dataset.unsupported);
  const lng = "?lng=" + encodeURIComponent(button.dataset.lng);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const options = await postJSON("/security-info/fido2/options" + lng, button.dataset.csrf, {});
    const publicKey = options.publicKey;
    say("key-status", button.dataset.waiting);
    const credential = await navigator.credentials.create({
      publicKey: {
        challenge: fromBase64url(publicKey.challenge), timeout: publicKey.timeout, rp: publicKey.rp,
        user: { id: fromBase64url(publicKey.user.id), name: publicKey.user.name, displayName: publicKey.user.displayName },
        pubKeyCredParams: publicKey.pubKeyCredParams, attestation: publicKey.attestation,
        authenticatorSelection: publicKey.authenticatorSelection,
        excludeCredentials: publicKey.excludeCredentials.map((c) => ({ type: c.type, id: fromBase64url(c.id) })),
        extensions: { credProps: true },
      },
    });
    const response = credential.response;
    const result = await postJSON("/security-info/fido2" + lng, button.dataset.csrf, {
      displayName: document.getElementById("key-name").value,
      publicKeyCredential: {
        id: credential.id,
        response: {
          clientDataJSON: toBase64url(response.clientDataJSON), attestationObject: toBase64url(response.attestationObject),
          transports: typeof response.getTransports === "function" ? response.getTransports() : [],
        },
      },
    });
    window.location.assign(result.location);
  } catch (error) {
    say("key-status", "");
    say("key-error", credentialError(button, error));
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const signIn = document.getElementById("signin-key");
  if (signIn) signIn.addEventListener("click", () => signInWithKey(signIn));
  const add = document.getElementById("add-key");
  if (add) add.addEventListener("click", () => addKey(add));
});
