#!/usr/bin/env python3
"""A client that knows only the contract (docs/API.md): no code, schema or database of the service.

It drives a running `consultdesk serve` (whose emails are written as .eml files, SMTP unset) through
what the guide promises for issues 15 and 16, with nothing but the Python standard library:

- "Need to change your appointment?": book through the public API, take the manage link from the
  booking email, read it as JSON, move the booking to another free slot, open the HTML page, cancel
  through its form (303 back to the page), and find the cancelling invite (METHOD:CANCEL).
- The front desk's console: sign in through the form (cookie, csrf), find the booking on the day
  page by its data-booking-id, confirm it through its form (303, the confirmation email arrives),
  work a callback request found by data-callback-id, and get a 404 page for another clinic's booking.

Usage: contract_client.py BASE_URL MAIL_DIR ADMIN_EMAIL ADMIN_PASSWORD   (scripts/contract-client.sh)
Exits non-zero, naming the broken promise, at the first one broken.
"""

import datetime
import email
import email.policy
import http.cookiejar
import json
import pathlib
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE, MAIL_DIR, ADMIN_EMAIL, ADMIN_PASSWORD = sys.argv[1:5]
PASSWORD = "a long enough password for the contract client"
CONSENTS = {"appointment_reminders": True, "exercise_plans": True, "plans_of_care": False,
            "service_updates": False}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fail(promise, detail=""):
    sys.exit(f"broken: {promise}\n{detail}"[:4000])


class Browser:
    """Cookies kept, redirects not followed (each 303 is checked)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, method, path, form=None, json_body=None, token=None):
        data, headers = None, {}
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["content-type"] = "application/json"
        if token:
            headers["authorization"] = "Bearer " + token
        request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")


API = Browser()


def call(method, path, body=None, token=None, expect=(200, 201)):
    status, _, text = API.request(method, path, json_body=body, token=token)
    if status not in expect:
        fail(f"{method} {path} answers {expect}", f"{status} {text}")
    return json.loads(text) if text else None


def csrf_of(page):
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if not found:
        fail("every console form carries a csrf field", page)
    return found.group(1)


def emails_to(address, kind, at_least=1):
    """The .eml files the service wrote to `address` of `kind` (X-Consultdesk-Kind), waiting for them."""
    deadline = time.time() + 30
    while True:
        found = []
        for path in sorted(pathlib.Path(MAIL_DIR).glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["X-Consultdesk-Kind"] == kind and address in (message["To"] or ""):
                found.append(message)
        if len(found) >= at_least or time.time() > deadline:
            return found
        time.sleep(0.2)


def text_of(message, subtype):
    for part in message.walk():
        if part.get_content_type() == subtype:
            return part.get_content()
    return ""


def main():
    admin = call("POST", "/v1/staff/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})["token"]

    def clinic(name):
        return call("POST", "/v1/admin/clinics", {
            "name": name, "address": "100 King St W", "city": "Toronto", "province": "ON",
            "postal_code": "M5X 1A9", "phone": "416-555-0199", "latitude": 43.6487,
            "longitude": -79.3817, "time_zone": "America/Toronto"}, token=admin)["id"]

    def practitioner(clinic_id):
        found = call("POST", "/v1/admin/practitioners", {
            "clinic_id": clinic_id, "name": "Casey Contract", "discipline": "physiotherapy",
            "services": ["sports injuries"], "languages": ["en"], "consult_modes": ["phone", "video"]},
            token=admin)["id"]
        weekly = [{"weekday": day, "start": "08:00", "end": "20:00"} for day in range(1, 8)]
        call("PUT", f"/v1/admin/practitioners/{found}/schedule", {"weekly": weekly, "slot_minutes": 15},
             token=admin)
        return found

    def front_desk(clinic_id):
        address = f"desk-{uuid.uuid4().hex[:12]}@clinic.example"
        call("POST", "/v1/admin/staff", {"email": address, "name": "Desk Contract", "role": "front_desk",
                                         "clinic_ids": [clinic_id], "password": PASSWORD}, token=admin)
        return address

    clinic_a, clinic_b = clinic("Contract Physio A"), clinic("Contract Physio B")
    pract_a, pract_b = practitioner(clinic_a), practitioner(clinic_b)
    desk_a = front_desk(clinic_a)

    # Free slots two to four days ahead (past the 12 h change cutoff).
    start = datetime.date.today() + datetime.timedelta(days=2)
    end = start + datetime.timedelta(days=2)
    slots = call("GET", f"/v1/practitioners/{pract_a}/slots?from={start}&to={end}")["slots"]
    if len(slots) < 6:
        fail("a practitioner with hours has free slots", str(slots))

    def book(practitioner_id, starts_at, address):
        return call("POST", "/v1/bookings", {
            "practitioner_id": practitioner_id, "starts_at": starts_at, "mode": "video",
            "patient": {"name": "Pat Contract", "email": address, "phone": "+1 416-555-0100"},
            "concern": "Knee pain", "consents": CONSENTS})

    # --- Issue 15: the manage link ----------------------------------------------------------------
    patient = f"pat-{uuid.uuid4().hex[:10]}@example.com"
    booking = book(pract_a, slots[0]["starts_at"], patient)
    requested = emails_to(patient, "booking_requested")
    if not requested:
        fail("a booking email reaches the patient")
    link = re.search(re.escape(BASE) + r"/manage/([A-Za-z0-9_-]+)", text_of(requested[0], "text/plain"))
    if not link:
        fail("every booking email carries {PUBLIC_BASE_URL}/manage/{token}", text_of(requested[0], "text/plain"))
    token = link.group(1)
    # The front desk confirms it: the patient's calendar gets the event (an invite).
    call("POST", f"/v1/staff/bookings/{booking['id']}/confirm", {}, token=admin)
    view = call("GET", f"/v1/manage/{token}")
    if view["booking"]["id"] != booking["id"] or not view["can_change"] or "email" in json.dumps(view):
        fail("GET /v1/manage/{token}: the booking, can_change, nothing else about the patient", json.dumps(view))
    moved = call("POST", f"/v1/manage/{token}/reschedule", {"starts_at": slots[3]["starts_at"]})
    if moved["booking"]["starts_at"] != slots[3]["starts_at"]:
        fail("reschedule moves the booking", json.dumps(moved))
    def invite(message):
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                return part.get_content()
        return ""

    def ics(text, name):
        found = re.search(rf"^{name}:(.*)$", text, re.M)
        return found.group(1).strip() if found else None

    first = invite(emails_to(patient, "booking_confirmed")[0])
    rescheduled = emails_to(patient, "booking_rescheduled")
    second = invite(rescheduled[0]) if rescheduled else ""
    if not second or ics(second, "UID") != ics(first, "UID") or int(ics(second, "SEQUENCE")) <= int(ics(first, "SEQUENCE")):
        fail("the rescheduled email's invite keeps the UID with a higher SEQUENCE", second)
    status, headers, page = API.request("GET", f"/manage/{token}")
    if status != 200 or 'name="starts_at"' not in page or "script-src" in headers.get("Content-Security-Policy", ""):
        fail("the manage page lists free slots as radio inputs, without scripts", f"{status} {page[:500]}")
    status, headers, _ = API.request("POST", f"/manage/{token}/cancel", form={"reason": "Feeling better"})
    if status != 303 or f"/manage/{token}" not in headers.get("Location", ""):
        fail("the page's cancel form answers 303 back to the page", f"{status} {headers}")
    if call("GET", f"/v1/manage/{token}")["booking"]["status"] != "cancelled":
        fail("cancelling through the page cancels")
    cancelled = emails_to(patient, "booking_cancelled")
    if not cancelled or not any("METHOD:CANCEL" in part.get_content() for part in cancelled[0].walk()
                                if part.get_content_type() == "text/calendar"):
        fail("the cancellation email carries an .ics with METHOD:CANCEL")
    status, _, _ = API.request("GET", f"/v1/manage/{token[:-2]}xx")
    if status != 404:
        fail("a tampered token is a 404", str(status))

    # --- Issue 16: the console ---------------------------------------------------------------------
    other = f"pat-{uuid.uuid4().hex[:10]}@example.com"
    to_confirm = book(pract_a, slots[1]["starts_at"], other)
    theirs = book(pract_b, call("GET", f"/v1/practitioners/{pract_b}/slots?from={start}&to={end}")["slots"][0]["starts_at"],
                  f"pat-{uuid.uuid4().hex[:10]}@example.com")
    callback = call("POST", "/v1/callback-requests", {
        "name": "Cal Contract", "phone": "416-555-0101", "email": "cal@example.com", "preferred_time": "morning",
        "concern": "Back pain", "clinic_id": clinic_a, "consents": CONSENTS})

    browser = Browser()
    status, headers, _ = browser.request("GET", "/desk/")
    if status != 303 or not headers.get("Location", "").endswith("/desk/sign-in"):
        fail("a signed-out /desk page answers 303 to the sign-in page", f"{status} {headers}")
    status, _, page = browser.request("GET", "/desk/sign-in")
    status, headers, _ = browser.request("POST", "/desk/sign-in", form={"email": desk_a, "password": PASSWORD})
    if status != 403:
        fail("a POST without the csrf field is 403", str(status))
    status, headers, _ = browser.request("POST", "/desk/sign-in", form={
        "csrf": csrf_of(page), "email": desk_a, "password": PASSWORD})
    if status != 303:
        fail("signing in through the form answers 303", str(status))
    date = to_confirm["starts_at"][:10]
    status, _, day = browser.request("GET", f"/desk/bookings?date={date}")
    if status != 200 or f'data-booking-id="{to_confirm["id"]}"' not in day:
        fail("the day page lists the booking with data-booking-id", day[:2000])
    path = f"/desk/bookings/{to_confirm['id']}"
    status, _, page = browser.request("GET", path)
    if f'action="{path}/confirm"' not in page:
        fail("a requested booking's page has its confirm form", page[:2000])
    status, headers, _ = browser.request("POST", f"{path}/confirm", form={"csrf": csrf_of(page)})
    if status != 303:
        fail("confirming through the form answers 303", str(status))
    staff_token = call("POST", "/v1/staff/sessions", {"email": desk_a, "password": PASSWORD})["token"]
    if call("GET", f"/v1/staff/bookings/{to_confirm['id']}", token=staff_token)["status"] != "confirmed":
        fail("the console's confirm confirms")
    confirmed = emails_to(other, "booking_confirmed")
    if not confirmed or not any(part.get_content_type() == "text/calendar" for part in confirmed[0].walk()):
        fail("the confirmation email, with its invite, arrives")
    status, _, queue = browser.request("GET", "/desk/callbacks")
    if f'data-callback-id="{callback["id"]}"' not in queue:
        fail("the callback queue lists the request with data-callback-id", queue[:2000])
    status, headers, _ = browser.request("POST", f"/desk/callbacks/{callback['id']}", form={
        "csrf": csrf_of(queue), "status": "contacted", "note": "Left a voicemail"})
    if status != 303:
        fail("working a callback through the form answers 303", str(status))
    worked = call("GET", f"/v1/staff/callback-requests/{callback['id']}", token=staff_token)
    if worked["status"] != "contacted" or worked["note"] != "Left a voicemail":
        fail("the callback form changes the request", json.dumps(worked))
    status, _, not_found = browser.request("GET", f"/desk/bookings/{theirs['id']}")
    status_unknown, _, unknown = browser.request("GET", f"/desk/bookings/{uuid.uuid4()}")
    if status != 404 or status_unknown != 404 or not_found != unknown:
        fail("another clinic's booking is the same 404 page as an unknown id", f"{status} {status_unknown}")
    print("contract client: every promise kept (manage link and page; console sign-in, day, confirm, callbacks, 404)")


if __name__ == "__main__":
    main()
