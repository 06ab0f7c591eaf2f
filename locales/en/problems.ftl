# Problem answers (RFC 9457): titles, details and the message of each invalid field.
# The codes beside them never change with the language; only these words do.

## Titles, by status

status-400 = Bad Request
status-401 = Unauthorized
status-403 = Forbidden
status-404 = Not Found
status-405 = Method Not Allowed
status-408 = Request Timeout
status-409 = Conflict
status-413 = Payload Too Large
status-415 = Unsupported Media Type
status-422 = Unprocessable Entity
status-429 = Too Many Requests
status-500 = Internal Server Error
status-503 = Service Unavailable
status-other = Error

## Details

problem-forbidden = Your role does not allow this action.
problem-not-found = No such resource.
problem-method-not-allowed = This method is not allowed on this resource.
problem-timeout = The request took too long and was abandoned.
problem-payload-too-large = The request body exceeds 1 MiB.
problem-unsupported-media-type = Send the body as application/json.
problem-internal-error = An unexpected error occurred.
problem-bad-request = The request could not be processed.
problem-server-error = The server could not complete the request.
problem-validation-failed =
    { $count ->
        [one] 1 field is invalid.
       *[other] { $count } fields are invalid.
    }
problem-invalid-parameters = Invalid query parameter(s): { $names }.
problem-rate-limited = Too many requests; retry after { $seconds } s.
problem-service-unavailable = The database is unavailable; retry shortly.
problem-malformed-json = Malformed JSON: { $reason }
problem-unreadable-body = Could not read the body: { $reason }
problem-malformed-query = Malformed query string: { $reason }
problem-not-an-object = The body must be a JSON object.
problem-sign-in-required = Send a staff token as `Authorization: Bearer <token>`.
problem-token-invalid = The staff token is invalid or has expired.
problem-wrong-credentials = The email or password is not correct.
problem-metrics-token = Send the metrics token as `Authorization: Bearer <token>`.
problem-slot-just-taken = This time was just taken; please pick another slot.
problem-slot-taken = This time is already booked; please pick another slot.
problem-email-taken = A staff member with this email already exists.
problem-no-email =
    The patient has no email address to send the { $what ->
        [exercise_plan] exercise plan
       *[care_plan] plan of care
    } to.
problem-consent-missing =
    The patient has not consented to `{ $category }`: the { $what ->
        [exercise_plan] exercise plan
       *[care_plan] plan of care
    } was not stored or sent.
problem-too-many-open-requests = At most { $max } booking requests may wait for a clinic's confirmation at a time, per email address and per client address (MAX_OPEN_REQUESTS). Please wait until the clinic confirms or cancels one, or call the clinic.
problem-already-cancelled = The booking is already cancelled.
problem-expired-unconfirmed =
    The booking request expired unconfirmed at its start time, so it cannot be { $action ->
        [confirm] confirmed
        [cancel] cancelled
        [reschedule] rescheduled
        [complete] completed
       *[no_show] marked as a no-show
    }; the patient may book again.
problem-cannot-transition =
    A { $status } booking cannot be { $action ->
        [confirm] confirmed
        [cancel] cancelled
        [reschedule] rescheduled
        [complete] completed
       *[no_show] marked as a no-show
    }.


## Invalid fields

field-required = is required
field-empty = must not be empty
field-required-for-phone = is required for a phone consult
field-clinics-required = front_desk and practitioner staff need at least one clinic
field-modes-required = needs at least one of phone, video, in_person
field-too-few = must hold at least one item
field-too-few-exercises = must hold at least one exercise
field-too-many = must hold at most { $max } items
field-ambiguous-exercise = give either exercise_id or name and instructions, not both
field-unknown-exercise = no exercise of the library has this id
field-invalid-time = must be a time written HH:MM, 00:00 to 23:59
field-invalid-weekday = must be an ISO weekday from 1 (Monday) to 7 (Sunday)
field-whole-number-range = must be a whole number from { $min } to { $max }
field-number-range = must be a number from { $min } to { $max }
field-slot-minutes-range = must be from { $min } to { $max } minutes
field-radius-range = must be a number above 0 and at most { $max }
field-end-before-start = must be after { $start }
field-overlapping-hours =
    overlaps { $other } ({ $day ->
        [1] Monday
        [2] Tuesday
        [3] Wednesday
        [4] Thursday
        [5] Friday
        [6] Saturday
       *[7] Sunday
    } { $from }-{ $to })
field-time-off-too-long = time off is at most 366 days per entry
field-too-short = must be at least { $min } characters
field-too-long = must be at most { $max } characters
field-invalid-datetime = must be an RFC 3339 time with offset, e.g. 2026-12-01T14:30:00-05:00
field-invalid-date = must be a date YYYY-MM-DD
field-choose-slot = choose one of the offered times
field-before-from = must not be before from
field-range-too-long = must be at most { $days } days after from
field-one-of = must be one of { $allowed }
field-invalid-cursor = is not a cursor this API issued
field-invalid-coordinates = must be LAT,LNG in degrees, e.g. 43.65,-79.38
field-invalid-city = must be a city name such as Toronto or Richmond, BC
field-conflicting-province = names a different province than the province parameter
field-location-missing = give exactly one of near=LAT,LNG, postal_code= or city=
field-location-ambiguous = give only one of near, postal_code and city
field-unknown-postal-code = no Canadian postal area { $fsa } is known
field-unknown-city = no Canadian place called { $city } is known
field-empty-update-clinic = name at least one clinic field to change
field-empty-update-practitioner = name at least one practitioner field to change
field-empty-update-callback = give at least one of status, note, clinic_id
field-unsupported-locale = must be en or fr
field-control-characters = must not contain control characters
field-invalid-url = must be an absolute http(s) URL
field-postal-code-or-area = must be a Canadian postal code like M5V 2T6, or its first three characters
field-postal-code = must be a Canadian postal code like M5V 2T6
field-invalid-time-zone = must be an IANA time zone such as America/Toronto
field-invalid-email = must be a valid email address
field-invalid-phone = must be a valid phone number, e.g. +1 416-555-0100
field-invalid-language = must be an ISO 639-1 language code such as en or fr
field-invalid-uuid = must be a UUID
field-invalid-type =
    must be { $expected ->
        [string] a string
        [number] a number
        [integer] a whole number
        [boolean] true or false
        [strings] a list of strings
        [objects] a list of objects
       *[object] an object
    }
field-unknown-wording-version = not a consent wording this server published; GET /v1/consent-wording gives the current one ({ $current })
field-unknown-clinic = no clinic has this id
field-unknown-practitioner = no bookable practitioner has this id
field-mode-not-offered = this practitioner offers { $offered }
field-invalid-idempotency-key = must be 1 to 255 printable ASCII characters
field-idempotency-key-reused = this key was already used with a different request body
field-in-the-past = starts_at is in the past
field-too-soon = starts_at is sooner than the minimum booking lead time
field-outside-hours = starts_at is outside the practitioner's hours
field-misaligned = starts_at is not the start of one of the practitioner's slots
field-time-off = the practitioner is away at that time
field-slot-taken = that slot is already booked

## A patient's change through the link in their emails
problem-patient-change-closed =
    This booking can no longer be changed online; please call { $clinic } at { $phone }.
