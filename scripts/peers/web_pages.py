#!/usr/bin/env python3
"""Drives keybridge's pages in Debian's Chromium (selenium, headless, with Chromium's virtual
authenticator) as a person would, and reports what it saw. A peer of the test suite, not keybridge.

  web_pages.py CONFIG.json   {"base", "upn", "pass", "shots", "newHire", "newHirePass", "outbox", "blockedUser", "blockedPass"}

base must be the tenant's origin (http://localhost:PORT: a secure context for WebAuthn). The
user must have a phone method (to make default) and pass must be a reusable Temporary Access Pass.
With newHire, it then walks interrupt mode's wizard for a user who must register (the seed's
example: SSPR needs two; app, e-mail and phone enabled): the QR code read back from a screenshot by
zbarimg, the app's code computed by oathtool, the phone's code read from the server's outbox. With
blockedUser (in a tenant whose policy blocks the virtual authenticator's AAGUID), a second virtual
authenticator is refused on the page with the policy's message.
Prints one JSON object: {"checks": [{"name", "ok", "detail"}], "pages": {...}, "credentialId": …}.
Every registration and assertion the page makes is also verified here with py_webauthn.
"""
import base64
import json
import os
import re
import subprocess
import sys

import requests
import webauthn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from selenium_axe_python import Axe

CHECKS = []
PAGES = {}


def check(name, ok, detail=""):
    CHECKS.append({"name": name, "ok": bool(ok), "detail": str(detail)[:2000]})
    return ok


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Wraps the page's WebAuthn calls to keep what the key answered (in sessionStorage, which survives
# the page's navigation), so py_webauthn can verify the same ceremony independently. Run through
# WebDriver, which the page's Content-Security-Policy does not restrict.
RECORDER = """
const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const create = navigator.credentials.create.bind(navigator.credentials);
navigator.credentials.create = async (options) => {
  const credential = await create(options);
  sessionStorage.setItem('kbCreated', JSON.stringify({
    id: credential.id, rawId: b64(credential.rawId), type: credential.type,
    response: {clientDataJSON: b64(credential.response.clientDataJSON), attestationObject: b64(credential.response.attestationObject)},
    challenge: b64(options.publicKey.challenge)}));
  return credential;
};
const get = navigator.credentials.get.bind(navigator.credentials);
navigator.credentials.get = async (options) => {
  const credential = await get(options);
  sessionStorage.setItem('kbAsserted', JSON.stringify({
    id: credential.id, rawId: b64(credential.rawId), type: credential.type,
    response: {clientDataJSON: b64(credential.response.clientDataJSON), authenticatorData: b64(credential.response.authenticatorData),
               signature: b64(credential.response.signature)},
    challenge: b64(options.publicKey.challenge)}));
  return credential;
};
"""


class Browser:
    def __init__(self, base, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1024,900", "--lang=en-US"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(20)
        self.base = base
        self.shots = shots
        self.wait = WebDriverWait(self.driver, 15)

    def open(self, path):
        self.driver.get(self.base + path)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        found = self.all(css)
        return found[0].text if found else ""

    def wait_for_url(self, fragment):
        self.wait.until(expected_conditions.url_contains(fragment))

    def page_report(self, name):
        """A screenshot, axe's verdict and the page's weight and time to first byte."""
        self.driver.save_screenshot(os.path.join(self.shots, f"{name}.png"))
        visible = self.driver.find_element(By.TAG_NAME, "body").text
        check(f"{name} shows no template leftovers", not any(word in visible.split() for word in ("nil", "Optional", "{{")), visible)
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        serious = [f"{v['id']}: {v['help']}" for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        check(f"axe finds no serious violation on {name}", not serious, serious)
        timing = self.driver.execute_script("""
            const nav = performance.getEntriesByType('navigation')[0];
            const resources = performance.getEntriesByType('resource');
            return {ttfbMs: nav.responseStart - nav.requestStart, htmlBytes: nav.encodedBodySize,
                    totalBytes: nav.encodedBodySize + resources.reduce((sum, r) => sum + (r.encodedBodySize || 0), 0)};""")
        PAGES[name] = timing
        check(f"{name} weighs under 50 KB", timing["totalBytes"] < 50 * 1024, timing)

    def sign_in(self, upn, answer, fresh=False):
        """The sign-in form with a pass or code (fresh: as a new browser, without cookies)."""
        if fresh:
            self.driver.delete_all_cookies()
        self.open("/signin")
        self.find("#upn").send_keys(upn)
        self.find("#answer").send_keys(answer)
        self.find("#signin-submit").click()

    def narrow_fits(self, name):
        self.driver.set_window_size(320, 800)
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        self.driver.save_screenshot(os.path.join(self.shots, f"{name}-320px.png"))
        self.driver.set_window_size(1024, 900)
        check(f"{name} fits 320 px without scrolling sideways", width <= 320, width)


def wizard(browser, upn, access_pass, outbox):
    """Interrupt mode for a new hire: the app (QR → zbarimg → oathtool), then the phone (outbox)."""
    driver = browser.driver
    browser.sign_in(upn, access_pass, fresh=True)
    browser.wait_for_url("/register")
    check("sign-in sends the new hire to the wizard", browser.text("h1") == "Keep your account secure", driver.current_url)
    first = browser.find("#step-heading").get_attribute("data-kind")
    alternatives = [a.get_attribute("data-kind") for a in browser.all("#alternatives a")]
    check("the first step is the most secure shown method, the app", first == "authenticatorApp", first)
    check("the remaining count is the planner's two", browser.text("#remaining") == "Methods still to set up: 2.", browser.text("#remaining"))
    check("e-mail is offered as a different method", "email" in alternatives and "fido2SecurityKey" not in alternatives, alternatives)
    check("MFA registration cannot be skipped", not browser.all("#skip"))
    browser.page_report("wizard-app")
    browser.narrow_fits("wizard-app")

    # The QR code, as a person's phone would read it: from the screen.
    shot = os.path.join(browser.shots, "wizard-app.png")
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", shot], capture_output=True, text=True)
    uri = decoded.stdout.strip()
    check("zbarimg reads an otpauth URI from the page's QR code", uri.startswith("otpauth://totp/"), decoded.stdout + decoded.stderr)
    secret = re.search(r"[?&]secret=([A-Z2-7]+)", uri)
    shown = browser.text("#secret").replace(" ", "")
    check("the key shown as text is the QR code's secret", secret and secret.group(1) == shown, (uri, shown))
    code = subprocess.run(["oathtool", "--totp", "-b", shown], capture_output=True, text=True).stdout.strip()
    wrong = "000000" if code != "000000" else "111111"
    browser.find("#code").send_keys(wrong)
    browser.find("#verify").click()
    browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "step-error")))
    check("a wrong app code is refused next to the field", browser.find("#code").get_attribute("aria-invalid") == "true",
          browser.text("#step-error"))
    retry_secret = browser.text("#secret").replace(" ", "")
    check("the same app stays pending after a wrong code", retry_secret == shown, (retry_secret, shown))
    browser.find("#code").send_keys(code)
    browser.find("#verify").click()
    browser.wait.until(lambda d: browser.all("#step-heading") and browser.find("#step-heading").get_attribute("data-kind") == "phone")
    check("the next step is the phone", browser.text("#remaining") == "Methods still to set up: 1.", browser.text("#remaining"))
    browser.page_report("wizard-phone")

    browser.find("#destination").send_keys("+1 555 0199")
    browser.find("#send-code").click()
    browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "code-sent")))
    lines = [json.loads(line) for line in open(outbox, encoding="utf-8") if line.strip()]
    sent = [line for line in lines if line.get("to") == "+1 555 0199"]
    check("the code went to the phone through the outbox (SMS)", sent and sent[-1]["channel"] == "sms", lines[-1:] if lines else "")
    phone_code = re.search(r"\b(\d{6})\b", sent[-1]["message"]).group(1) if sent else ""
    browser.page_report("wizard-phone-code")
    browser.find("#code").send_keys(phone_code)
    browser.find("#verify").click()
    browser.wait_for_url("/register/done")
    kinds = sorted(item.get_attribute("data-kind") for item in browser.all("#methods li"))
    check("done: the app and the phone are registered", browser.text("h1") == "You're all set" and kinds == ["authenticatorApp", "phone"], kinds)
    browser.page_report("wizard-done")
    browser.find("#continue").click()
    browser.wait_for_url("/security-info")
    check("continue leads to security info", browser.text("h1") == "Security info")


def blocked_key(browser, upn, access_pass):
    """A key whose model the user's tenant blocks: refused on the page, nothing added."""
    driver = browser.driver
    driver.delete_all_cookies()
    driver.add_virtual_authenticator(VirtualAuthenticatorOptions(
        protocol="ctap2", transport="usb", has_resident_key=True, has_user_verification=True, is_user_verified=True))
    browser.sign_in(upn, access_pass)
    browser.wait_for_url("/security-info")
    browser.find("#add-key").click()
    browser.wait.until(lambda d: browser.text("#key-error"))
    message = browser.text("#key-error")
    check("a blocked key model is refused with the policy's message", message.startswith("This model of security key is not allowed here."), message)
    check("the refused key is not listed", not [i for i in browser.all("li.method") if i.get_attribute("data-kind") == "fido2SecurityKey"])
    browser.page_report("security-info-key-blocked")


def review(browser, upn, access_pass):
    """The re-confirm review at sign-in: every method listed, "Looks good" confirms."""
    driver = browser.driver
    browser.sign_in(upn, access_pass, fresh=True)
    browser.wait_for_url("/register")
    check("a due review is shown at sign-in", browser.text("h1") == "Is your security info up to date?", browser.text("h1"))
    kinds = sorted(item.get_attribute("data-kind") for item in browser.all("#methods li"))
    check("the review lists every method", kinds == ["email", "phone"], kinds)
    browser.page_report("wizard-review")
    browser.find("#confirm-review").click()
    browser.wait_for_url("done=reviewConfirmed")
    check("confirming leads to security info with thanks", browser.text(".notice") == "Thank you: your security info is confirmed.",
          browser.text(".notice"))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    config = json.load(open(sys.argv[1], encoding="utf-8"))
    base, upn, access_pass, shots = config["base"], config["upn"], config["pass"], config["shots"]
    os.makedirs(shots, exist_ok=True)
    origin = base.rstrip("/")
    rp_id = origin.split("//", 1)[1].split(":", 1)[0]
    browser = Browser(origin, shots)
    driver = browser.driver
    result = {}
    try:
        authenticator = driver.add_virtual_authenticator(VirtualAuthenticatorOptions(
            protocol="ctap2", transport="usb", has_resident_key=True, has_user_verification=True, is_user_verified=True))
        del authenticator

        # Sign-in page, English and German.
        browser.open("/signin")
        check("the sign-in page has a heading", browser.text("h1") == "Sign in", browser.text("h1"))
        check("every input has a label", all(browser.all(f"label[for='{i.get_attribute('id')}']")
                                             for i in browser.all("input:not([type=hidden])")))
        browser.page_report("signin")
        browser.narrow_fits("signin")
        browser.open("/signin?lng=de")
        check("German sign-in page", browser.text("h1") == "Anmelden" and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de",
              browser.text("h1"))
        browser.page_report("signin-de")

        # A wrong pass: the error is announced next to the field, nothing opens.
        browser.sign_in(upn, "WRONG-PASS-0000")
        browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "form-error")))
        error = browser.text("#form-error")
        check("a wrong pass is refused on the page", "/signin" in driver.current_url and error, error)
        check("the refusal is announced (role=alert) and tied to the field",
              browser.find("#form-error").get_attribute("role") == "alert"
              and "form-error" in browser.find("#answer").get_attribute("aria-describedby"))
        browser.page_report("signin-refused")

        # Keyboard only: Tab to each field, Enter to submit.
        browser.open("/signin")
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)  # skip link
        focused = lambda: driver.switch_to.active_element.get_attribute("id") or driver.switch_to.active_element.text
        steps = []
        for _ in range(12):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            steps.append(focused())
            if focused() == "upn":
                break
        driver.switch_to.active_element.send_keys(upn)
        driver.switch_to.active_element.send_keys(Keys.TAB)
        check("Tab moves from the user name to the pass field", focused() == "answer", steps + [focused()])
        driver.switch_to.active_element.send_keys(access_pass)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        browser.wait_for_url("/security-info")
        check("keyboard-only sign-in with a pass reaches security info", browser.text("h1") == "Security info", driver.current_url)
        check("security info shows the user's methods and no default yet",
              [i.get_attribute("data-kind") for i in browser.all("li.method")] == ["phone"] and browser.text("#default-method") == "None yet",
              browser.text("#default-method"))
        browser.page_report("security-info")
        browser.narrow_fits("security-info")

        # Add a security key through navigator.credentials.create with the server's options.
        driver.execute_script(RECORDER)
        browser.find("#key-name").clear()
        browser.find("#key-name").send_keys("Chromium key")
        browser.find("#add-key").click()
        browser.wait_for_url("done=keyAdded")
        kinds = [item.get_attribute("data-kind") for item in browser.all("li.method")]
        check("the key is listed after adding it", "fido2SecurityKey" in kinds, kinds)
        check("the page says the key was added", browser.text(".notice") == "Your security key was added.", browser.text(".notice"))
        created = json.loads(driver.execute_script("return sessionStorage.getItem('kbCreated')") or "null")
        public_key = None
        if check("the page's registration was recorded", created):
            verified = webauthn.verify_registration_response(
                credential=created, expected_challenge=b64url_decode(created["challenge"]), expected_origin=origin,
                expected_rp_id=rp_id, require_user_verification=False)
            public_key = verified.credential_public_key
            result["credentialId"] = base64.urlsafe_b64encode(verified.credential_id).decode().rstrip("=")
            check("py_webauthn verifies the registration the page sent", True)
        browser.page_report("security-info-key-added")

        # Make the phone the default sign-in method.
        phone = [item for item in browser.all("li.method") if item.get_attribute("data-kind") == "phone"]
        if check("the phone is listed", phone):
            phone[0].find_element(By.CSS_SELECTOR, "button.secondary").click()
            browser.wait_for_url("done=defaultChanged")
            check("the default is the phone now", browser.text("#default-method").startswith("Phone"), browser.text("#default-method"))

        # Manage mode's "add a method": an e-mail address, proven by the code sent to it.
        outbox = config.get("outbox")
        if outbox:
            def last_code(destination):
                lines = [json.loads(line) for line in open(outbox, encoding="utf-8") if line.strip()]
                sent = [line for line in lines if line.get("to") == destination]
                match = re.search(r"\b(\d{6})\b", sent[-1]["message"]) if sent else None
                return (sent[-1]["channel"] if sent else None), (match.group(1) if match else "")

            def prove(destination, channel_name, expected_channel, done):
                """Enter a number or address, send its code, read it from the outbox and enter it."""
                browser.find("#destination").clear()
                browser.find("#destination").send_keys(destination)
                browser.find("#send-code").click()
                browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "code-sent")))
                channel, code = last_code(destination)
                check(f"the code for {destination} goes out by {channel_name}", channel == expected_channel, channel)
                browser.find("#code").send_keys(code)
                browser.find("#verify").click()
                browser.wait_for_url(done)

            addable = [a.get_attribute("data-kind") for a in browser.all("#addable a")]
            check("the page offers what the policy allows", {"authenticatorApp", "phone", "email"} <= set(addable), addable)
            browser.find("#addable a[data-kind=email]").click()
            browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "destination")))
            browser.page_report("security-info-add-email")
            prove("alice@example.net", "e-mail", "email", "done=methodAdded")
            values = [i.text for i in browser.all("li.method[data-kind=email] .value")]
            check("the e-mail address is listed after its code", values == ["alice@example.net"], values)

            # Security questions: three chosen and answered (too short an answer is refused first).
            browser.open("/security-info")
            browser.find("#addable a[data-kind=securityQuestions]").click()
            browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "answer1")))
            browser.page_report("security-info-add-questions")
            for index, answer in ((1, "Springfield"), (2, "Rex"), (3, "ok")):
                browser.find(f"#answer{index}").send_keys(answer)
            driver.execute_script("document.getElementById('answer3').removeAttribute('minlength')")
            browser.find("#save-questions").click()
            browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "step-error")))
            check("a too short answer is refused next to the fields", browser.text("#step-error"), browser.text("#step-error"))
            for index, answer in ((1, "Springfield"), (2, "Rex"), (3, "Beetle")):
                browser.find(f"#answer{index}").clear()
                browser.find(f"#answer{index}").send_keys(answer)
            browser.find("#save-questions").click()
            browser.wait_for_url("done=methodAdded")
            check("security questions are listed", browser.all("li.method[data-kind=securityQuestions]"))

            # Change the phone: re-verified by a code to the new number.
            browser.find("li.method[data-kind=phone] a.button").click()
            browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "destination")))
            prove("+1 555 0142", "SMS", "sms", "done=contactChanged")
            phones = [i.text for i in browser.all("li.method[data-kind=phone] .value")]
            check("the phone shows the new number", phones == ["+1 555 0142"], phones)

        # App passwords (per-user MFA): created on the page, shown once.
        if check("app passwords are offered to a per-user MFA user", browser.all("#create-app-password")):
            browser.find("#app-password-name").send_keys("Mail client")
            browser.find("#create-app-password").click()
            browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "new-app-password")))
            password = browser.text("#new-app-password")
            check("the new app password is shown once", re.fullmatch(r"[a-z]{16}", password), password)
            values = [i.text for i in browser.all("li.method[data-kind=appPassword] .value")]
            check("the app password is listed by its name", values == ["Mail client"], values)
            browser.open("/security-info")
            check("the password is not shown again", not browser.all("#new-app-password"))

        # CSRF: the same form posted without the page's token is refused and changes nothing.
        cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
        check("the session cookie is HttpOnly and SameSite=Strict",
              any(c["name"] == "kb_session" and c.get("httpOnly") and c.get("sameSite") == "Strict" for c in driver.get_cookies()),
              driver.get_cookies())
        key_id = [i.get_attribute("data-id") for i in browser.all("li.method") if i.get_attribute("data-kind") == "fido2SecurityKey"]
        forged = requests.post(f"{origin}/security-info/delete", data={"id": key_id[0] if key_id else "", "csrf": "forged"},
                               cookies={"kb_session": cookies.get("kb_session", "")}, allow_redirects=False, timeout=10)
        check("a delete without the page's CSRF token is refused", forged.status_code == 403, forged.status_code)
        headers = requests.get(f"{origin}/security-info", cookies={"kb_session": cookies.get("kb_session", "")}, timeout=10).headers
        check("strict Content-Security-Policy, no framing",
              "script-src 'self'" in headers.get("Content-Security-Policy", "") and "unsafe-inline" not in headers.get("Content-Security-Policy", "")
              and headers.get("X-Frame-Options") == "DENY", dict(headers))

        # Sign out, then sign in with the key (navigator.credentials.get, allowCredentials of her keys).
        browser.find("header form button").click()
        browser.wait_for_url("done=signedOut")
        check("signed out", browser.text("#notice") == "You are signed out.", browser.text("#notice"))
        driver.execute_script(RECORDER)
        browser.find("#upn").send_keys(upn)
        browser.find("#signin-key").click()
        browser.wait_for_url("/security-info")
        check("signing in with the key reaches security info", browser.text("h1") == "Security info", driver.current_url)
        asserted = json.loads(driver.execute_script("return sessionStorage.getItem('kbAsserted')") or "null")
        if check("the page's assertion was recorded", asserted and public_key):
            verified = webauthn.verify_authentication_response(
                credential=asserted, expected_challenge=b64url_decode(asserted["challenge"]), expected_rp_id=rp_id,
                expected_origin=origin, credential_public_key=public_key, credential_current_sign_count=0,
                require_user_verification=False)
            check("py_webauthn verifies the key's sign-in with the registered public key", verified.new_sign_count >= 1,
                  verified.new_sign_count)

        # Delete the key.
        key = [item for item in browser.all("li.method") if item.get_attribute("data-kind") == "fido2SecurityKey"]
        if check("the key is still listed before deleting", key):
            key[0].find_element(By.CSS_SELECTOR, "button.danger").click()
            browser.wait_for_url("done=deleted")
            kinds = [item.get_attribute("data-kind") for item in browser.all("li.method")]
            check("the key is gone after deleting it", "fido2SecurityKey" not in kinds, kinds)
        browser.open("/security-info?lng=de")
        check("German security info", browser.text("h1") == "Sicherheitsinformationen", browser.text("h1"))
        browser.page_report("security-info-de")

        # Switch directory: a guest signs in to the other tenant, whose security info is its own.
        if config.get("guestTenant"):
            browser.open("/security-info")
            links = browser.all(f"#directories a[data-tenant='{config['guestTenant']}']")
            if check("security info offers the guest tenant to switch to", links):
                links[0].click()
                browser.wait.until(expected_conditions.presence_of_element_located((By.ID, "signing-in-to")))
                check("the sign-in names the other directory and keeps the user name",
                      browser.find("#upn").get_attribute("value") == upn, browser.text("#signing-in-to"))
                browser.find("#answer").send_keys(config["guestPass"])
                browser.find("#signin-submit").click()
                browser.wait_for_url("/register")
                check("the other directory's policy asks for its own MFA registration",
                      browser.find("#step-heading").get_attribute("data-kind") == "authenticatorApp", driver.current_url)
                browser.open("/security-info")
                check("signed in to the other directory", config["guestTenantName"] in browser.text("header .who"), browser.text("header .who"))
                check("its security info is its own (empty)", not browser.all("li.method"), [i.text for i in browser.all("li.method")])
                browser.page_report("security-info-guest")
        result["session"] = {c["name"]: c["value"] for c in driver.get_cookies()}.get("kb_session")
        if config.get("newHire"):
            wizard(browser, config["newHire"], config["newHirePass"], config["outbox"])
        if config.get("reviewUser"):
            review(browser, config["reviewUser"], config["reviewPass"])
        if config.get("blockedUser"):
            blocked_key(browser, config["blockedUser"], config["blockedPass"])
    except Exception as error:  # a step that could not run is a failed check, with what the page showed
        check("the walk-through ran to the end", False, f"{type(error).__name__}: {error} at {driver.current_url}")
        driver.save_screenshot(os.path.join(shots, "failure.png"))
    finally:
        driver.quit()
    result.update({"checks": CHECKS, "pages": PAGES})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
