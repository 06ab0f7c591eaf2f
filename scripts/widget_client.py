#!/usr/bin/env python3
"""The website's forms (issue 17), from a clinic's own website, knowing only the contract.

A client of the published contract (the guide's "The website's forms: `/embed.js`" and the public and
staff endpoints), with nothing of the service's code, schema or database, and nothing but the Python
standard library. It proves that a visitor on another origin (http://localhost:SITE_PORT, listed in
CORS_ORIGINS, while the service is http://127.0.0.1:PORT) can, in headless Chromium driven through
chromedriver's W3C WebDriver HTTP API:

- find a practitioner with <consultdesk-finder> (postal code), open the booking form from a result,
  pick a slot and book: the "request received" email arrives and the staff API shows the booking;
- ask for a call back with <consultdesk-callback>: a wrong phone and an empty name are announced
  (role="alert", and error text tied to the phone control by aria-describedby), the corrected form
  is taken, and the staff API shows the request at that clinic.

Before the browser: /embed.js (JavaScript, under 30 KB gzipped, cacheable), /demo (the three
elements) and CORS (the site's origin allowed, another one not).

Only the contract's hooks are used inside the elements' open shadow roots: controls by `name` (the
JSON field they fill), `button[type=submit]`, `data-practitioner-id` on finder results and
`role="status"` / `role="alert"` for messages.

Usage: widget_client.py BASE_URL MAIL_DIR ADMIN_EMAIL ADMIN_PASSWORD SITE_PORT   (scripts/contract-client.sh)
Exits non-zero, naming the broken promise, at the first one broken.
"""

import base64
import datetime
import gzip
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

# contract_client.py reads BASE, MAIL_DIR, ADMIN_EMAIL and ADMIN_PASSWORD from sys.argv[1:5] when
# imported: this script takes the same four first, so its helpers talk to the same service.
from contract_client import call, emails_to, fail

BASE, MAIL_DIR, ADMIN_EMAIL, ADMIN_PASSWORD, SITE_PORT = sys.argv[1:6]
SITE = f"http://localhost:{SITE_PORT}"  # another host name than BASE's 127.0.0.1: another origin
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PATIENCE = 30.0  # seconds to wait for anything the browser or the worker should do
WIDGET_CALLER = "Widget Caller"


def step(text):
    print(f"widget client: {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None, method="GET"):
    """(status, headers, raw body bytes), without following redirects or raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# --- Set-up through the staff API -----------------------------------------------------------------

def set_up(admin):
    """A Toronto clinic and one practitioner (video and phone) with hours every day of the week, so
    there are free slots whatever day the run is."""
    clinic = call("POST", "/v1/admin/clinics", {
        "name": "Widget Physio", "address": "100 King St W", "city": "Toronto", "province": "ON",
        "postal_code": "M5X 1A9", "phone": "416-555-0198", "latitude": 43.6487, "longitude": -79.3817,
        "time_zone": "America/Toronto"}, token=admin)["id"]
    practitioner = call("POST", "/v1/admin/practitioners", {
        "clinic_id": clinic, "name": "Wendy Widget", "discipline": "physiotherapy",
        "services": ["sports injuries"], "languages": ["en"], "consult_modes": ["video", "phone"]},
        token=admin)["id"]
    weekly = [{"weekday": day, "start": "08:00", "end": "20:00"} for day in range(1, 8)]
    call("PUT", f"/v1/admin/practitioners/{practitioner}/schedule", {"weekly": weekly, "slot_minutes": 15},
         token=admin)
    return clinic, practitioner


# --- What the service serves for websites, over plain HTTP -----------------------------------------

def check_script_and_demo():
    status, headers, body = fetch(f"{BASE}/embed.js", {"Accept-Encoding": "gzip"})
    kind = headers.get("Content-Type", "")
    if status != 200 or "javascript" not in kind:
        fail("GET /embed.js answers 200 with a JavaScript content type", f"{status} {kind}")
    # Measured as sent when the service compresses, as gzip would make it otherwise.
    compressed = body if headers.get("Content-Encoding") == "gzip" else gzip.compress(body)
    if len(compressed) >= 30 * 1024:
        fail("embed.js is under 30 KB gzipped", f"{len(compressed)} bytes")
    if not headers.get("ETag") and not headers.get("Cache-Control"):
        fail("embed.js is cacheable (an ETag or Cache-Control)", str(headers))
    step(f"/embed.js: {kind}, {len(compressed)} bytes gzipped, "
         f"ETag {headers.get('ETag') or '-'}, Cache-Control {headers.get('Cache-Control') or '-'}")

    status, headers, body = fetch(f"{BASE}/demo")
    page = body.decode(errors="replace")
    missing = [name for name in ("consultdesk-finder", "consultdesk-booking", "consultdesk-callback")
               if name not in page]
    if status != 200 or "text/html" not in headers.get("Content-Type", "") or missing:
        fail("GET /demo is an HTML page with the three elements", f"{status} missing {missing}\n{page[:1500]}")
    step("/demo: an HTML page with the three elements")


def check_cors():
    """The site's origin may call the public API from a browser; an origin not listed may not."""
    def preflight(origin):
        _, headers, _ = fetch(f"{BASE}/v1/callback-requests", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key"})
        return headers.get("Access-Control-Allow-Origin")

    allowed = preflight(SITE)
    if allowed not in (SITE, "*"):
        fail("CORS allows the origins in CORS_ORIGINS", f"preflight from {SITE}: Allow-Origin {allowed!r}")
    other = preflight("http://elsewhere.example")
    if other in ("http://elsewhere.example", "*"):
        fail("CORS allows only the configured website origins", f"Allow-Origin {other!r} for an unlisted origin")
    step(f"CORS: {SITE} allowed, an unlisted origin not")


# --- The clinic's website ------------------------------------------------------------------------

def serve_site(clinic):
    """The clinic's own page, served from another origin than the service: one script tag and the
    elements, nothing else."""
    page = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Widget Physio</title>
<script src="{BASE}/embed.js" defer></script></head>
<body>
<h1>Widget Physio</h1>
<h2>Find a physiotherapist near you</h2>
<consultdesk-finder></consultdesk-finder>
<h2>Get a call back</h2>
<consultdesk-callback clinic="{clinic}"></consultdesk-callback>
</body>
</html>
""".encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/":
                # 204 for the browser's /favicon.ico: no 404 noise in the console shown on failures.
                self.send_response(204 if self.path == "/favicon.ico" else 404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(SITE_PORT)), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- Chromium through chromedriver's W3C WebDriver API ----------------------------------------------

# Put before every script: finds the elements' shadow roots and acts on their controls by the
# contract's hooks only. A "kind" is finder, callback or booking.
PRELUDE = r"""
const CD = {
  // The document and every open shadow root in it, however deep.
  roots() {
    const found = [document];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) { found.push(el.shadowRoot); walk(el.shadowRoot); }
      }
    };
    walk(document);
    return found;
  },
  root(kind) {
    if (kind !== 'booking') {
      const host = document.querySelector('consultdesk-' + kind);
      return host ? host.shadowRoot : null;
    }
    // The contract does not say where a finder result opens the booking form: look everywhere,
    // for a <consultdesk-booking> first, else for whatever shadow root holds the slot radios.
    const all = CD.roots();
    for (const root of all) {
      for (const el of root.querySelectorAll('consultdesk-booking')) {
        if (el.shadowRoot && el.shadowRoot.querySelector('form')) return el.shadowRoot;
      }
    }
    return all.find((root) => root !== document && root.querySelector('input[name="starts_at"]')) || null;
  },
  control(kind, name) {
    const root = CD.root(kind);
    return root ? root.querySelector(`[name="${CSS.escape(name)}"]`) : null;
  },
  // What a person typing or choosing would leave behind: the value, then input and change events.
  set(kind, name, value) {
    const el = CD.control(kind, name);
    if (!el) return 'no control named ' + name;
    el.focus();
    el.value = value;
    if (el.tagName === 'SELECT' && el.value !== value) return `no option ${value} in ${name}`;
    for (const type of ['input', 'change']) {
      el.dispatchEvent(new Event(type, {bubbles: true, composed: true}));
    }
    el.blur();
    return 'ok';
  },
  // The texts of the role="status" and role="alert" elements of a kind (booking: every root but
  // the callback's, since a booking's answer may land in the finder or the booking form).
  messages(kind) {
    let roots;
    if (kind === 'booking') {
      const callback = CD.root('callback');
      roots = CD.roots().filter((root) => root !== callback);
    } else {
      roots = [CD.root(kind)].filter(Boolean);
    }
    const of = (role) => roots.flatMap((root) => [...root.querySelectorAll(`[role="${role}"]`)])
      .map((el) => el.textContent.replace(/\s+/g, ' ').trim()).filter(Boolean);
    return {status: of('status'), alert: of('alert')};
  },
  // The text of the elements a control names in aria-describedby (where its error is announced).
  described(kind, name) {
    const el = CD.control(kind, name);
    if (!el) return null;
    const root = el.getRootNode();
    return (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .map((id) => root.getElementById(id)).filter(Boolean)
      .map((node) => node.textContent.replace(/\s+/g, ' ').trim()).join(' | ');
  },
};
"""


class Chrome:
    """A chromedriver child in a process group of its own and one headless Chromium session;
    close() ends both (the group: chromedriver and the Chromium it started) and removes the profile."""

    def __init__(self):
        for program in (CHROMIUM, CHROMEDRIVER):
            if not os.path.exists(program):
                fail(f"{program} is installed (scripts/install-deps.sh installs it)")
        self.dir = tempfile.mkdtemp(prefix="widget-client-")
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "chromedriver.log")
        self.process = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}", f"--log-path={self.log_path}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.session = None
        self.sent = []  # the POSTs the page made, read from the performance log so far
        deadline = time.time() + 60
        while not self._ready():
            if self.process.poll() is not None or time.time() > deadline:
                self.close()
                fail("chromedriver starts", self.log())
            time.sleep(0.1)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                f"--user-data-dir={os.path.join(self.dir, 'profile')}"]
        answer = self._send("POST", "/session", {"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            # The page's console, shown when something fails (a CORS or script error says why), and
            # the network events, to see what the elements send.
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"}}}})
        if not isinstance(answer, dict) or "sessionId" not in answer:
            self.close()
            fail("a WebDriver session in headless Chromium", json.dumps(answer)[:2000] + "\n" + self.log())
        self.session = answer["sessionId"]

    def _ready(self):
        try:
            return self._send("GET", "/status")["ready"] is True
        except (OSError, KeyError, ValueError):
            return False

    def _send(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=90) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"{}").get("value")

    def log(self):
        try:
            with open(self.log_path, errors="replace") as log:
                return log.read()[-3000:]
        except OSError:
            return ""

    def command(self, method, path, body=None):
        value = self._send(method, f"/session/{self.session}{path}", body)
        if isinstance(value, dict) and "error" in value:
            fail(f"WebDriver {method} {path}", f"{value['error']}: {value.get('message', '')[:1500]}")
        return value

    def open(self, url):
        self.command("POST", "/url", {"url": url})

    def js(self, body, *args):
        """Runs `body` (a function body that may use `arguments` and CD) in the page."""
        return self.command("POST", "/execute/sync", {"script": PRELUDE + body, "args": list(args)})

    def console(self):
        """The page's console messages so far (chromedriver's log endpoint), for failure reports."""
        try:
            entries = self._send("POST", f"/session/{self.session}/se/log", {"type": "browser"}) or []
            return "\n".join(entry.get("message", "") for entry in entries if isinstance(entry, dict))
        except (OSError, ValueError):
            return ""

    def posts(self, path):
        """The POSTs the page sent to {BASE}{path} so far: (headers with lower-case names, JSON body)."""
        for entry in self._send("POST", f"/session/{self.session}/se/log", {"type": "performance"}) or []:
            event = json.loads(entry["message"])["message"]
            if event["method"] != "Network.requestWillBeSent" or event["params"]["request"]["method"] != "POST":
                continue
            request = event["params"]["request"]
            body = request.get("postData")
            if body is None and request.get("postDataEntries"):
                body = b"".join(base64.b64decode(part.get("bytes", "")) for part in request["postDataEntries"]).decode()
            self.sent.append((request["url"], {name.lower(): value for name, value in request["headers"].items()}, body))
        found = []
        for url, headers, body in self.sent:
            if url.split("?")[0] == BASE + path:
                try:
                    found.append((headers, json.loads(body or "null")))
                except ValueError:
                    found.append((headers, body))
        return found

    def close(self):
        if self.session:
            try:
                self._send("DELETE", f"/session/{self.session}")
            except OSError:
                pass
            self.session = None
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this object started
            except ProcessLookupError:
                pass
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Page:
    """The clinic's page in Chromium, and the contract's hooks inside its elements."""

    def __init__(self, chrome):
        self.chrome = chrome

    def broken(self, promise, kind, extra=""):
        """Fails naming `promise`, with the element's shadow HTML and the page's console."""
        html = self.chrome.js(
            "const root = CD.root(arguments[0]); return root ? root.innerHTML : '(no such element or shadow root)';",
            kind)
        console = self.chrome.console()
        fail(promise, f"{extra}\n--- {kind}'s shadow HTML ---\n{html[:2500]}\n--- console ---\n{console[-1200:]}")

    def wait(self, what, kind, script, *args):
        """Polls `script` every 100 ms until it returns something truthy; its value."""
        deadline = time.time() + PATIENCE
        while True:
            value = self.chrome.js(script, *args)
            if value:
                return value
            if time.time() > deadline:
                self.broken(what, kind, f"(not within {PATIENCE:.0f} s)")
            time.sleep(0.1)

    def set(self, kind, name, value):
        answer = self.chrome.js("return CD.set(arguments[0], arguments[1], arguments[2]);", kind, name, value)
        if answer != "ok":
            self.broken(f"the {kind} form has a control named {name}", kind, answer)

    def choose(self, kind, name, value=None):
        """Checks the checkbox `name`, or the radio `name` of `value` (the first when None): by a click."""
        script = """
          const root = CD.root(arguments[0]);
          const all = root ? [...root.querySelectorAll(`input[name="${CSS.escape(arguments[1])}"]`)] : [];
          const el = arguments[2] === null ? all[0] : all.find((input) => input.value === arguments[2]);
          if (!el) return null;
          if (!el.checked) el.click();
          return el.checked ? el.value : null;"""
        chosen = self.chrome.js(script, kind, name, value)
        if chosen is None:
            self.broken(f"the {kind} form has a {name} control to check", kind)
        return chosen

    def fill_if_there(self, kind, name, value):
        """Fills an optional control the contract names, when the form shows it and it is empty."""
        there = self.chrome.js("""
          const el = CD.control(arguments[0], arguments[1]);
          if (!el) return false;
          if (el.type === 'radio') {
            const root = el.getRootNode();
            if (![...root.querySelectorAll(`input[name="${CSS.escape(arguments[1])}"]`)].some((r) => r.checked)) el.click();
            return true;
          }
          return el.value === '' ? 'empty' : true;""", kind, name)
        if there == "empty":
            self.set(kind, name, value)

    def submit(self, kind, anchor):
        """Clicks the submit button of the form holding the control named `anchor`."""
        clicked = self.chrome.js("""
          const el = CD.control(arguments[0], arguments[1]);
          const form = el && el.closest('form');
          const button = form && form.querySelector('button[type="submit"]');
          if (!button) return false;
          button.click();
          return true;""", kind, anchor)
        if not clicked:
            self.broken(f"the {kind} form (with {anchor}) has a <button type=\"submit\">", kind)

    def messages(self, kind):
        return self.chrome.js("return CD.messages(arguments[0]);", kind)

    def answer(self, kind, before, what):
        """Waits for the form's answer after a submission: a new, settled role="status" text (not the
        "Sending…" one), or fails with a new role="alert" text."""
        deadline = time.time() + PATIENCE
        while True:
            now = self.messages(kind)
            alerts = [text for text in now["alert"] if text not in before["alert"]]
            if alerts:
                self.broken(what, kind, f"an alert instead: {alerts}")
            settled = [text for text in now["status"] if text not in before["status"] and not busy(text)]
            if settled:
                return settled[0]
            if time.time() > deadline:
                self.broken(what, kind, f"no new settled role=status text within {PATIENCE:.0f} s: {now}")
            time.sleep(0.1)


def busy(text):
    """A status saying the form is still working (sending, loading), not its answer."""
    lowered = text.lower()
    return (lowered.endswith("…") or lowered.endswith("...")
            or any(word in lowered for word in ("sending", "loading", "envoi", "chargement")))


def check_sent(chrome, path, counts):
    """What the contract says each submission sends: its own Idempotency-Key, the honeypot (empty)
    and every consent category explicitly. `counts`: how many POSTs may have been sent."""
    posts = chrome.posts(path)
    if len(posts) not in counts:
        fail(f"the form sent {' or '.join(map(str, counts))} POST {path}", json.dumps(posts)[:2000])
    keys = [headers.get("idempotency-key") for headers, _ in posts]
    if not all(keys) or len(set(keys)) != len(keys):
        fail("the forms send an Idempotency-Key per submission", f"{path}: {keys}")
    for _, body in posts:
        consents = body.get("consents", {}) if isinstance(body, dict) else {}
        categories = ("appointment_reminders", "exercise_plans", "plans_of_care", "service_updates")
        if body.get("website") != "" or not all(isinstance(consents.get(c), bool) for c in categories):
            fail("the forms send the honeypot (empty) and every consent category", f"{path}: {json.dumps(body)}")
    return [body for _, body in posts]


# --- Flow A: find a practitioner and book a consult ------------------------------------------------

def book_through_the_finder(page, practitioner, admin):
    page.wait("the finder renders its form with a postal_code control", "finder",
              "return !!CD.control('finder', 'postal_code');")
    page.set("finder", "postal_code", "M5V 2T6")
    page.submit("finder", "postal_code")
    page.wait(f"the finder lists the practitioner (data-practitioner-id={practitioner})", "finder",
              "const root = CD.root('finder'); return !!root.querySelector(`[data-practitioner-id=\"${arguments[0]}\"]`);",
              practitioner)
    step("finder: the practitioner is listed for postal code M5V 2T6")
    opened = page.chrome.js("""
      const result = CD.root('finder').querySelector(`[data-practitioner-id="${arguments[0]}"]`);
      const button = result.querySelector('button');
      if (!button) return false;
      button.click();
      return true;""", practitioner)
    if not opened:
        page.broken("each finder result carries a button that opens the booking form", "finder")
    page.wait("the result's button opens a booking form with starts_at radios", "finder",
              "return !!CD.control('booking', 'starts_at');")
    starts_at = page.choose("booking", "starts_at")
    step(f"booking form: opened from the result; slot {starts_at} chosen")

    address = f"widget-{uuid.uuid4().hex[:10]}@example.com"
    page.set("booking", "name", "Wim Widget")
    page.set("booking", "email", address)
    page.set("booking", "phone", "416-555-0100")
    page.choose("booking", "consents.appointment_reminders")
    # Optional as far as the contract says; filled when the form shows them empty.
    page.fill_if_there("booking", "mode", "video")
    page.fill_if_there("booking", "concern", "Knee pain when running")
    before = page.messages("booking")
    page.submit("booking", "starts_at")
    said = page.answer("booking", before, "the booking form announces that the request was sent (role=status)")
    step(f"booking form: {said!r}")
    sent = check_sent(page.chrome, "/v1/bookings", (1,))[0]
    if sent.get("starts_at") != starts_at or sent.get("consents", {}).get("appointment_reminders") is not True:
        fail("the booking form sends the chosen slot and the checked box", json.dumps(sent))
    step("booking form: sent the slot, its own Idempotency-Key, the honeypot and every consent")

    if not emails_to(address, "booking_requested"):
        fail("a booking made through the widget gets its booking_requested email", f"nothing to {address} in {MAIL_DIR}")
    chosen = datetime.datetime.fromisoformat(starts_at)
    items = call("GET", f"/v1/staff/bookings?practitioner_id={practitioner}&limit=100", token=admin)["items"]
    booked = [item for item in items if datetime.datetime.fromisoformat(item["starts_at"]) == chosen]
    if len(booked) != 1 or booked[0]["status"] != "requested":
        fail("the staff API shows the widget's booking, requested, at the chosen slot", json.dumps(items)[:2000])
    detail = call("GET", f"/v1/staff/bookings/{booked[0]['id']}", token=admin)
    if address not in json.dumps(detail):
        fail("the booking is the visitor's (their email, with the patient)", json.dumps(detail)[:2000])
    step(f"booking: email booking_requested to {address}; staff API shows it requested at {starts_at}")


# --- Flow B: a call back, with field errors first --------------------------------------------------

def call_back_after_errors(page, clinic, admin):
    page.wait("the callback element renders its form with a phone control", "callback",
              "return !!CD.control('callback', 'phone');")
    described_before = {name: page.chrome.js("return CD.described('callback', arguments[0]);", name)
                        for name in ("name", "phone")}
    before = page.messages("callback")
    page.set("callback", "name", "")
    page.set("callback", "phone", "12")
    page.submit("callback", "phone")
    alert = page.wait("a call back with an empty name and phone 12 is announced in a role=alert", "callback",
                      "const found = CD.messages('callback').alert.filter((t) => !arguments[0].includes(t)); return found[0] || null;",
                      before["alert"])
    # The contract: errors are announced next to the fields the problem names (both: a problem lists
    # every invalid field at once), so each control's description (aria-describedby) now says
    # something it did not say before.
    described = {name: page.wait(f"the {name} control's error is tied to it by aria-describedby", "callback",
                                 "const now = CD.described('callback', arguments[0]); return now && now !== arguments[1] ? now : null;",
                                 name, before_text)
                 for name, before_text in described_before.items()}
    step(f"callback form: alert {alert!r}; next to the fields {described}")

    address = f"widget-caller-{uuid.uuid4().hex[:8]}@example.com"
    page.set("callback", "name", WIDGET_CALLER)
    page.set("callback", "phone", "416-555-0101")
    page.fill_if_there("callback", "email", address)
    page.fill_if_there("callback", "preferred_time", "anytime")
    before = page.messages("callback")
    page.submit("callback", "phone")
    said = page.answer("callback", before, "the corrected call back is taken (role=status)")
    step(f"callback form: {said!r}")
    # The invalid submission may have been stopped in the page (the contract does not say), so one
    # or two POSTs; the corrected one is the last.
    sent = check_sent(page.chrome, "/v1/callback-requests", (1, 2))
    if sent[-1].get("clinic_id") != clinic:
        fail("the callback element sends its clinic attribute as clinic_id", json.dumps(sent[-1]))
    step(f"callback form: {len(sent)} submission(s), each with its own Idempotency-Key, the honeypot and every consent")

    deadline = time.time() + PATIENCE
    while True:
        items = call("GET", f"/v1/staff/callback-requests?clinic_id={clinic}&limit=100", token=admin)["items"]
        mine = [item for item in items if WIDGET_CALLER in json.dumps(item)]
        if mine or time.time() > deadline:
            break
        time.sleep(0.2)
    if len(mine) != 1:
        fail(f"the staff API shows one call back from {WIDGET_CALLER} at the element's clinic", json.dumps(items)[:2000])
    step(f"callback: the staff API shows {WIDGET_CALLER}'s request at the clinic (status {mine[0].get('status')})")


def main():
    admin = call("POST", "/v1/staff/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})["token"]
    clinic, practitioner = set_up(admin)
    step(f"set-up: clinic {clinic}, practitioner {practitioner} (video, phone; every day 08:00-20:00)")
    check_script_and_demo()
    check_cors()
    site = serve_site(clinic)
    chrome = None
    started = time.time()
    try:
        chrome = Chrome()
        chrome.open(SITE + "/")
        page = Page(chrome)
        origin = chrome.js("return location.origin;")
        if origin == urllib.parse.urlsplit(BASE)._replace(path="").geturl():
            fail("the clinic's page is on another origin than the service", origin)
        page.wait("embed.js defines the three custom elements", "finder", """
          return ['consultdesk-finder', 'consultdesk-booking', 'consultdesk-callback']
            .every((name) => customElements.get(name));""")
        page.wait("the elements render in open shadow roots", "finder",
                  "return !!(CD.root('finder') && CD.root('callback'));")
        step(f"{origin}: the page's elements are defined and rendered")
        book_through_the_finder(page, practitioner, admin)
        call_back_after_errors(page, clinic, admin)
    finally:
        if chrome:
            chrome.close()
        site.shutdown()
    print(f"widget client: every promise kept (embed.js, demo, CORS, finder -> booking, call back with errors) "
          f"in {time.time() - started:.1f} s of browser")


if __name__ == "__main__":
    main()
