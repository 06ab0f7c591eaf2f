#!/usr/bin/env bash
# Contract fuzzing (issue 7): Schemathesis, from PyPI, against a live `consultdesk serve` and the
# committed `openapi.yaml`. Every operation; generated bodies, parameters and headers; staff and admin
# operations with a real admin token. Fails on any failure of the five checks below.
#
#   schemathesis 4.32.5 (pinned; installed into target/schemathesis-venv with `python3 -m venv`)
#   --checks not_a_server_error,status_code_conformance,content_type_conformance,
#            response_schema_conformance,response_headers_conformance
#   --seed 1 --max-examples 100 (issue 13 measures with SCHEMATHESIS_SEED=7 SCHEMATHESIS_EXAMPLES=150) --phases examples,coverage,fuzzing --workers 1
#   --request-timeout 30 --generation-database none -H "Authorization: Bearer <admin token>"
#   - The stateful phase is skipped: it chains operations through OpenAPI links, which the document
#     does not declare, and would only add minutes. Real identifiers come from a config file instead
#     (below), offered half of the time, so the other half still sends made-up ones.
#   - One worker: with two, Python 3.11 before 3.11.8 (Debian 12's) intermittently fails inside
#     Hypothesis with "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905,
#     a race between threads), and the server shares the same two cores anyway.
#   - DELETE /v1/staff/sessions/current runs in a second pass with its own token, so signing out
#     cannot revoke the admin token of the first pass. It takes no input, so Hypothesis runs out of
#     distinct cases after about a dozen; every other operation gets its 100 (and the coverage cases).
#   - Besides the checks, the run fails when the server logs an internal error or a panic, or does
#     not exit 0 on SIGTERM.
#   Took 70-90 s on 2 cores (about 5,400 requests; build already done; a first run adds about a
#   minute for the venv). The embedded Postgres adds about 15 s over DATABASE_URL.
#
# Usage: scripts/schemathesis.sh [more schemathesis options, for the main pass]
#   e.g. scripts/schemathesis.sh --include-path-regex care-plans --report junit,har
# Environment:
#   DATABASE_URL          a Postgres server (with PostGIS) where the run may create a database: it
#                         makes a fresh one and drops it at the end. Unset: the embedded Postgres,
#                         in a fresh temporary working directory (so `.consultdesk/` is new).
#   SCHEMATHESIS_SEED     default 1
#   SCHEMATHESIS_EXAMPLES examples per operation, default 100
#   KEEP_WORKDIR=1        keep the temporary directory (server log, emails, JUnit report)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
started=$SECONDS

schemathesis_version=4.32.5
seed=${SCHEMATHESIS_SEED:-1}
examples=${SCHEMATHESIS_EXAMPLES:-100}
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance
sign_out_path=/v1/staff/sessions/current

# The service: the debug binary over a fresh database and working directory (scripts/lib).
# shellcheck source=scripts/lib/live-service.sh
source "$root/scripts/lib/live-service.sh"
live_service_prepare schemathesis
venv=$target_dir/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $schemathesis_version"; then
    echo "installing schemathesis $schemathesis_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
python=$venv/bin/python
# High limits: the run sends thousands of public requests from one address.
export PUBLIC_RATE_LIMIT=1000000/s PUBLIC_READ_RATE_LIMIT=1000000/s MAX_OPEN_REQUESTS=1000000000
unset CORS_ORIGINS
# With the embedded Postgres, these start and stop it themselves, so they run before `serve`.
live_service_admin schemathesis-admin@clinic.example
"$bin" seed-demo >>"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }
live_service_start

sign_in() {
    curl -fsS "$base/v1/staff/sessions" -H 'content-type: application/json' \
        -d "$("$python" -c 'import json, sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' \
            "$admin_email" "$admin_password")" |
        "$python" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
token=$(sign_in)
sign_out_token=$(sign_in)

# Real identifiers, so generated requests reach past "404 not found" and "unknown practitioner":
# a few bookings (one confirmed) and a callback request made through the API, the seeded clinics,
# practitioners, staff and exercises, free slot starts, valid phone numbers, and the unsubscribe and
# consent-confirmation tokens from the emails the worker wrote (the callback asks for
# `service_updates`, whose double opt-in sends a confirmation link). `POST /v1/bookings` and the
# staff reschedule draw from one practitioner's free slots, so a generated booking can land on one. Each is offered to Schemathesis with probability 0.5, so random values are still
# sent the other half of the time.
"$python" - "$base" "$token" "$work/.consultdesk/mail" "$work/schemathesis.toml" <<'EOF'
import datetime, email, email.policy, json, pathlib, re, sys, time, urllib.error, urllib.request

base, token, mail_dir, config_path = sys.argv[1:5]


def call(method, path, body=None, auth=True):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if auth:
        request.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}")


consents = {"appointment_reminders": True, "exercise_plans": True, "plans_of_care": True, "service_updates": False}
practitioners = call("GET", "/v1/admin/practitioners?limit=100")["items"]
clinics = call("GET", "/v1/admin/clinics?limit=100")["items"]
staff = call("GET", "/v1/admin/staff?limit=100")["items"]
exercises = call("GET", "/v1/staff/exercises")["items"]
if not practitioners or not clinics:
    sys.exit("seed-demo made no practitioners or clinics")

today = datetime.date.today()
starts, bookings, dates = [], [], [str(today + datetime.timedelta(days=n)) for n in (1, 14, 30)]
for number, practitioner in enumerate(practitioners[:3]):
    slots = call("GET", f"/v1/practitioners/{practitioner['id']}/slots?from={dates[0]}&to={dates[1]}", auth=False)
    starts += [slot["starts_at"] for slot in slots["slots"][:20] if slot["starts_at"] not in starts]
    for slot in slots["slots"][-2:]:
        booked = call("POST", "/v1/bookings", {
            "practitioner_id": practitioner["id"], "starts_at": slot["starts_at"],
            "mode": practitioner["consult_modes"][0],
            "patient": {"name": f"Patient {len(bookings)}", "email": f"patient{len(bookings)}@example.com",
                        "phone": f"+1 416-555-01{len(bookings):02d}"},
            "concern": "Knee pain", "consents": consents,
        }, auth=False)
        bookings.append(booked["id"])
if bookings:
    call("POST", f"/v1/staff/bookings/{bookings[0]}/confirm")
else:
    print("warning: no free slot in the next two weeks; booking operations get made-up ids only", file=sys.stderr)
callback = call("POST", "/v1/callback-requests", {
    "name": "Jane Runner", "phone": "416-555-0199", "email": "jane@example.com", "preferred_time": "morning",
    "clinic_id": clinics[0]["id"], "consents": dict(consents, service_updates=True),
}, auth=False)
# One practitioner with bookings above, and its free slots further out (not the ones booked above).
bookable = practitioners[0]
later = [str(today + datetime.timedelta(days=n)) for n in (15, 30)]
bookable_starts = [slot["starts_at"] for slot in call(
    "GET", f"/v1/practitioners/{bookable['id']}/slots?from={later[0]}&to={later[1]}", auth=False)["slots"]]
# Bookings that only the reschedule operation gets (the others cancel and complete theirs).
reschedulable = [call("POST", "/v1/bookings", {
    "practitioner_id": bookable["id"], "starts_at": start, "mode": bookable["consult_modes"][0],
    "patient": {"name": f"Mover {n}", "email": f"mover{n}@example.com", "phone": "416-555-0142"}, "consents": consents,
}, auth=False)["id"] for n, start in enumerate(bookable_starts[-2:])]
bookable_starts = bookable_starts[:-2]
patients = sorted({item["patient_id"] for item in call("GET", "/v1/staff/bookings?limit=100")["items"]})

# The worker writes each email as an .eml file within seconds; their links carry real tokens.
tokens, confirm_tokens, deadline = set(), set(), time.monotonic() + 30
while not (tokens and confirm_tokens) and time.monotonic() < deadline:
    time.sleep(1)
    for path in pathlib.Path(mail_dir).glob("**/*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        tokens.update(re.findall(r"/unsubscribe/([^>\s]+)", str(message.get("List-Unsubscribe", ""))))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                confirm_tokens.update(re.findall(r"/consent/confirm/([A-Za-z0-9_-]+)", part.get_content()))
if not tokens:
    print("warning: no email arrived in 30 s; unsubscribe links are fuzzed with made-up tokens only", file=sys.stderr)
if not confirm_tokens:
    print("warning: no consent confirmation email in 30 s; its links are fuzzed with made-up tokens only", file=sys.stderr)

# Patients only the plan operations get, made after the links above were read: no generated
# unsubscribe or consent change reaches them, so their consents stand and a plan can be sent.
planner = practitioners[1] if len(practitioners) > 1 else practitioners[0]
plan_slots = call("GET", f"/v1/practitioners/{planner['id']}/slots?from={later[0]}&to={later[1]}", auth=False)["slots"]
plan_bookings = [call("POST", "/v1/bookings", {
    "practitioner_id": planner["id"], "starts_at": slot["starts_at"], "mode": planner["consult_modes"][0],
    "patient": {"name": f"Planner {n}", "email": f"planner{n}@example.com", "phone": "416-555-0177"},
    "consents": consents,
}, auth=False) for n, slot in enumerate(plan_slots[-2:])]
plan_patients = sorted({call("GET", f"/v1/staff/bookings/{b['id']}")["patient_id"] for b in plan_bookings})
plan_clinics = sorted({b["clinic"]["id"] for b in plan_bookings})

dictionaries = {
    "practitioner_ids": [p["id"] for p in practitioners],
    "clinic_ids": [c["id"] for c in clinics],
    "staff_ids": [s["id"] for s in staff],
    "exercise_ids": [e["id"] for e in exercises],
    "booking_ids": bookings,
    "callback_ids": [callback["id"]],
    "patient_ids": patients,
    "slot_starts": starts,
    "dates": dates,
    "modes": ["phone", "video", "in_person"],
    "blank": [""],
    "cities": sorted({c["city"] for c in clinics}),
    "postal_codes": sorted({c["postal_code"] for c in clinics}),
    "points": sorted({f"{c['latitude']},{c['longitude']}" for c in clinics}),
    "tokens": sorted(tokens),
    "confirm_tokens": sorted(confirm_tokens),
    "phones": ["+1 416-555-0100", "416-555-0123", "(604) 555-0199", "+44 20 7946 0958"],
    "bookable_practitioner": [bookable["id"]],
    "bookable_starts": bookable_starts,
    "reschedulable": reschedulable,
    "plan_patients": plan_patients,
    "plan_clinics": plan_clinics,
    "bookable_modes": bookable["consult_modes"],
    "later_starts": [str(today + datetime.timedelta(days=n)) + "T09:00:00-05:00" for n in (40, 41)],
    "later_ends": [str(today + datetime.timedelta(days=n)) + "T17:00:00-05:00" for n in (42, 43)],
    "one_click": ["One-Click"],
    "page_actions": ["unsubscribe_this", "unsubscribe_all", "save"],
}
everywhere = {
    "body.practitioner_id": "practitioner_ids", "query.practitioner_id": "practitioner_ids",
    "body.clinic_id": "clinic_ids", "query.clinic_id": "clinic_ids", "body.clinic_ids[*]": "clinic_ids",
    "query.patient_id": "patient_ids", "body.exercises[*].exercise_id": "exercise_ids",
    "body.starts_at": "slot_starts", "body.mode": "modes", "body.website": "blank",
    "query.city": "cities", "query.postal_code": "postal_codes", "query.near": "points",
    "body.phone": "phones", "body.patient.phone": "phones",
}
# Each path matches one entry. Those marked True accept only stored data (identifiers, tokens, free
# slots) that a schema cannot name: the examples and coverage phases, which build positive cases from
# the schema alone, send them only negative cases; the fuzzing phase draws on the dictionaries.
by_path = [
    (r"^/v1/(admin/)?practitioners/\{id\}(/schedule)?$", {"path.id": "practitioner_ids"}, True),
    (r"^/v1/admin/practitioners/\{id\}/time-off$",
     {"path.id": "practitioner_ids", "body.starts_at": "later_starts", "body.ends_at": "later_ends"}, True),
    (r"^/v1/practitioners/\{id\}/slots$", {"path.id": "practitioner_ids", "query.from": "dates", "query.to": "dates"}),
    (r"^/v1/admin/clinics/\{id\}$", {"path.id": "clinic_ids"}),
    (r"^/v1/admin/staff/\{id\}$", {"path.id": "staff_ids"}),
    (r"^/v1/staff/bookings/\{id\}/reschedule$", {"path.id": "reschedulable", "body.starts_at": "bookable_starts"}, True),
    (r"^/v1/staff/bookings/\{id\}(/(confirm|cancel|complete|no-show))?$", {"path.id": "booking_ids"}),
    (r"^/v1/bookings$", {"body.practitioner_id": "bookable_practitioner", "body.starts_at": "bookable_starts",
                        "body.mode": "bookable_modes"}, True),
    (r"^/consent/confirm/\{token\}$", {"path.token": "confirm_tokens"}, True),
    (r"^/v1/staff/callback-requests/\{id\}$", {"path.id": "callback_ids"}),
    (r"^/v1/staff/patients/\{id\}/(care-plans|exercise-plans)$",
     {"path.id": "plan_patients", "body.clinic_id": "plan_clinics"}, True),
    (r"^/v1/staff/patients/\{id\}(/(emails|consents))?$", {"path.id": "patient_ids"}),
    (r"^/unsubscribe/\{token\}$", {"path.token": "tokens", "body.List-Unsubscribe": "one_click", "body.action": "page_actions"}, True),
    # Unknown clinics are a 422, a taken email a 409; a callback's phone must be a real number.
    (r"^/v1/admin/practitioners$", {}, True),
    (r"^/v1/admin/staff$", {}, True),
    (r"^/v1/callback-requests$", {}, True),
]


def binding(name):
    return f'{{ dictionary = "{name}", probability = 0.5 }}'


lines = []
for name, values in dictionaries.items():
    if values:
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
lines.append("[parameters]")
lines += [f"{json.dumps(key)} = {binding(name)}" for key, name in everywhere.items() if dictionaries[name]]
for regex, parameters, *needs_data in by_path:
    bound = [f"{json.dumps(key)} = {binding(name)}" for key, name in parameters.items() if dictionaries[name]]
    if bound or needs_data:
        lines += ["", "[[operations]]", f"include-path-regex = {json.dumps(regex)}"]
    if needs_data:
        lines += ["[operations.phases.examples]", "enabled = false",
                  "[operations.phases.coverage.generation]", 'mode = "negative"']
    if bound:
        lines += ["[operations.parameters]", *bound]
pathlib.Path(config_path).write_text("\n".join(lines) + "\n")
print(f"test data: {len(practitioners)} practitioners, {len(clinics)} clinics, {len(bookings)} bookings, "
      f"{len(patients)} patients, {len(starts)} free slot starts, {len(tokens)} unsubscribe tokens, "
      f"{len(confirm_tokens)} confirmation tokens")
EOF

run_schemathesis() {
    local name=$1 token=$2
    shift 2
    echo "==> schemathesis: $name"
    "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$root/openapi.yaml" \
        --url "$base" \
        --checks "$checks" \
        --seed "$seed" \
        --max-examples "$examples" \
        --phases examples,coverage,fuzzing \
        --workers 1 \
        --request-timeout 30 \
        --generation-database none \
        --header "Authorization: Bearer $token" \
        --no-color \
        --report-dir "$work/report-$name" --report junit \
        "$@"
}

failed=()
run_schemathesis all-but-sign-out "$token" --exclude-path "$sign_out_path" "$@" || failed+=(all-but-sign-out)
run_schemathesis sign-out "$sign_out_token" --include-path "$sign_out_path" || failed+=(sign-out)

kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=
internal_errors=$(grep -cE 'internal error|panicked' "$work/server.log" || true)

# What the server answered, by status class (from its request log).
statuses=$(sed 's/\x1b\[[0-9;]*m//g' "$work/server.log" | grep -o 'finished processing request.* status=[0-9]*' |
    sed 's/.*status=\([0-9]\).*/\1xx/' | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}') || true

echo "==> summary"
echo "schemathesis $schemathesis_version, seed $seed, $examples examples per operation, $((SECONDS - started)) s in all"
echo "server answered: ${statuses:-nothing}"
echo "server: exit $server_status after SIGTERM; $internal_errors internal error(s) logged"
if [ "${#failed[@]}" -gt 0 ] || [ "$server_status" -ne 0 ] || [ "$internal_errors" -ne 0 ]; then
    echo "FAILED: ${failed[*]:-}" >&2
    grep -E 'internal error|panicked' "$work/server.log" | head -n 20 >&2 || true
    exit 1
fi
echo "passed: zero failures"
