# The front desk's console (/desk): src/desk/ and templates/desk/. Ids: desk-<screen>-<part>;
# desk-state-… names a booking status, desk-email-… an email kind, desk-done-… what a form just did.

desk-product = consultdesk front desk
desk-skip-to-content = Skip to the page's content
desk-nav-label = Console
desk-nav-today = Today
desk-nav-bookings = Bookings
desk-nav-callbacks = Callbacks
desk-switch-language = Français
desk-sign-out = Sign out
desk-none = none

## Signing in
desk-sign-in-title = Sign in
desk-sign-in-heading = Sign in to the front desk
desk-sign-in-email = Email
desk-sign-in-password = Password
desk-sign-in-button = Sign in
desk-sign-in-missing = Enter your email and your password.
desk-sign-in-throttled = Too many failed attempts. Try again in { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
}.

## Pages for a status
desk-status-back = Back to today's bookings
desk-status-not-found-title = Not found
desk-status-not-found-body = There is nothing here, or it is not one of your clinics'.
desk-status-forbidden-title = Not allowed
desk-status-forbidden-body = This form has expired or is not allowed for your account. Go back, reload the page and try again.
desk-status-bad-request-title = Not understood
desk-status-bad-request-body = The request could not be understood. Go back and try again.
desk-status-too-many-title = Too many requests
desk-status-too-many-body = Please wait a moment, then try again.
desk-status-unavailable-title = Temporarily unavailable
desk-status-unavailable-body = The service cannot reach its database right now. Nothing was changed. Try again in a few seconds.
desk-status-error-title = Something went wrong
desk-status-error-body = Nothing was changed. Try again; if it happens again, tell your administrator.

## Filters
desk-filters-heading = Show
desk-filters-invalid = Some filters were not understood and were left out:
desk-filter-date = Date
desk-filter-clinic = Clinic
desk-filter-all-clinics = All my clinics
desk-filter-practitioner = Practitioner
desk-filter-all-practitioners = All practitioners
desk-filter-status = Status
desk-filter-all-statuses = Any status
desk-filter-show = Show

## The day
desk-day-title = Bookings, { $date }
desk-day-heading = Bookings for { $date }
desk-day-previous = Previous day
desk-day-today = Today
desk-day-next = Next day
desk-day-summary-heading = At a glance
desk-day-count = { $count ->
    [0] No bookings
    [one] One booking
   *[other] { $count } bookings
}
desk-day-requested = { $count ->
    [0] none waiting for confirmation
    [one] one request to confirm
   *[other] { $count } requests to confirm
}
desk-day-new-callbacks = { $count ->
    [0] no new callback requests
    [one] one new callback request
   *[other] { $count } new callback requests
}
desk-day-zone = Times are in the clinic's time zone ({ $zone }).
desk-day-zones-mixed = each clinic's own
desk-day-truncated = Only the first { $count } bookings are shown. Choose a clinic or a practitioner to see the rest.
desk-day-empty = No bookings match on this day.
desk-column-time = Time
desk-column-patient = Patient
desk-column-mode = How
desk-column-status = Status
desk-column-category = Emails about
desk-column-consent = Consent
desk-column-since = Since
desk-column-email = Email
desk-column-to = To
desk-column-when = When

## Values
desk-state-requested = Requested
desk-state-confirmed = Confirmed
desk-state-cancelled = Cancelled
desk-state-completed = Completed
desk-state-no-show = No-show
desk-state-expired = Expired (never confirmed)
desk-mode-phone = Phone
desk-mode-video = Video
desk-mode-in-person = In person
desk-changed-by-staff = the front desk
desk-changed-by-patient = the patient, from the link in their email
desk-consent-granted = Yes
desk-consent-withdrawn = No (withdrawn)
desk-consent-never = Not asked
desk-email-callback-received = Callback request received
desk-email-booking-requested = Booking request received
desk-email-booking-confirmed = Booking confirmed (with invite)
desk-email-booking-rescheduled = Booking moved (with invite)
desk-email-booking-cancelled = Booking cancelled
desk-email-appointment-reminder = Appointment reminder
desk-email-exercise-plan = Exercise plan
desk-email-care-plan = Plan of care
desk-email-consent-confirmation = Consent confirmation request
desk-email-booking-changed-by-patient = Front desk notice: changed by the patient
desk-email-status-queued = Queued
desk-email-status-sending = Sending
desk-email-status-sent = Sent
desk-email-status-failed = Failed
desk-email-status-suppressed = Not sent (no consent)
desk-email-status-withdrawn = Withdrawn (booking changed)

## A booking
desk-booking-title = Booking: { $patient }
desk-booking-heading = Booking: { $patient }
desk-booking-back-to-day = Back to the day
desk-booking-details = Details
desk-booking-status = Status
desk-booking-when = When
desk-booking-practitioner = Practitioner
desk-booking-clinic = Clinic
desk-booking-mode = How
desk-booking-patient = Patient
desk-booking-email = Email
desk-booking-phone = Phone
desk-booking-concern = Concern
desk-booking-created = Booked on
desk-booking-changed-by = Last changed by
desk-booking-cancel-reason = Reason for cancelling
desk-booking-actions = Actions
desk-booking-confirm-hint = The patient gets a confirmation email with a calendar invite, and reminders are scheduled.
desk-booking-confirm = Confirm booking
desk-booking-complete = Mark completed
desk-booking-no-show = Mark no-show
desk-booking-reschedule-heading = Move to another time
desk-booking-reschedule = Move booking
desk-booking-reschedule-none = The practitioner has no other free time in the next two weeks.
desk-booking-cancel-heading = Cancel this booking
desk-booking-cancel-reason-label = Reason (optional)
desk-booking-cancel-notify = Email the patient that it is cancelled
desk-booking-cancel = Cancel booking
desk-booking-consents = Consents at { $clinic }
desk-booking-emails = Emails about this booking
desk-booking-no-emails = No emails yet.
desk-done-confirm = Booking confirmed. The confirmation email is on its way.
desk-done-cancel = Booking cancelled. Its time is free again.
desk-done-reschedule = Booking moved. The patient gets the new time by email.
desk-done-complete = Booking marked completed.
desk-done-no-show = Booking marked as a no-show.

## Callback requests
desk-callbacks-title = Callback requests
desk-callbacks-heading = Callback requests
desk-callbacks-order = New requests first, oldest first.
desk-callbacks-empty = No callback requests here.
desk-callbacks-more = Older requests
desk-callback-phone = Phone
desk-callback-email = Email
desk-callback-preferred = Best time to call
desk-callback-concern = Concern
desk-callback-clinic = Clinic
desk-callback-network = Network queue (no clinic yet)
desk-callback-received = Received
desk-callback-status = Status
desk-callback-route = Clinic
desk-callback-note = Note
desk-callback-save = Save
desk-callback-state-new = New
desk-callback-state-contacted = Contacted
desk-callback-state-booked = Booked
desk-callback-state-closed = Closed
desk-preferred-morning = Morning
desk-preferred-afternoon = Afternoon
desk-preferred-evening = Evening
desk-preferred-anytime = Any time
desk-done-callback = Saved.

## A patient
desk-patient-title = Patient: { $patient }
desk-patient-heading = Patient: { $patient }
desk-patient-contact = Contact details
desk-patient-since = First contact
desk-patient-consents = Consents
desk-patient-network = the clinic network's website
desk-column-sender = From
desk-column-source = How
desk-patient-record-heading = Record a change the person asked for
desk-patient-record-choice = The person
desk-patient-record-grant = agrees to these emails
desk-patient-record-withdraw = no longer wants these emails
desk-patient-record-note = How they asked (for example: by phone)
desk-patient-record-button = Record the change
desk-patient-history = History
desk-patient-plans = Send a plan
desk-patient-exercise-heading = Exercise plan
desk-patient-exercises = Exercises from the library
desk-patient-plan-title = Title
desk-patient-plan-note = Note for the patient (optional)
desk-patient-exercise-button = Send the exercise plan
desk-patient-care-heading = Plan of care
desk-patient-care-summary = Summary
desk-patient-care-goals = Goals
desk-patient-care-goals-hint = One goal a line.
desk-patient-care-visits = Visits a week
desk-patient-care-weeks = For how many weeks
desk-patient-care-button = Send the plan of care
desk-patient-emails = Emails
desk-done-consent = The change is recorded.
desk-done-exercise-plan = The exercise plan is on its way to the patient.
desk-done-care-plan = The plan of care is on its way to the patient.

## Admin
desk-nav-admin = Admin
desk-admin-clinics = Clinics
desk-admin-practitioners = Practitioners
desk-admin-staff = Staff
desk-admin-more = Only the first 100 are listed.
desk-admin-new-clinic = Add a clinic
desk-admin-new-practitioner = Add a practitioner
desk-admin-new-staff = Add a staff member
desk-admin-create = Add
desk-admin-save = Save
desk-admin-notify-hint = Told by email when a patient cancels or moves a booking from their email's link. Leave blank for nobody.
desk-admin-list-hint = Separate them with commas.
desk-admin-inactive = No (not bookable)
desk-admin-active-hint = Active: shown in search and bookable
desk-admin-hours = Weekly hours
desk-admin-hours-hint = In the clinic's time zone ({ $zone }). Leave a day blank when closed; the second pair is for a day with a break.
desk-admin-day = Day
desk-admin-opens = Opens
desk-admin-closes = Closes
desk-admin-opens-again = Opens again
desk-admin-closes-again = Closes again
desk-admin-save-hours = Save the hours
desk-admin-time-off = Time off
desk-admin-add-time-off = Add time off
desk-admin-password-hint = At least 12 characters. Give it to the person by a separate channel.
desk-weekday-1 = Monday
desk-weekday-2 = Tuesday
desk-weekday-3 = Wednesday
desk-weekday-4 = Thursday
desk-weekday-5 = Friday
desk-weekday-6 = Saturday
desk-weekday-7 = Sunday
desk-done-created = Added.
desk-done-saved = Saved.
desk-done-hours = The weekly hours are saved; the free slots follow them at once.
desk-done-time-off = The time off is recorded; no slot overlapping it is offered.
desk-field-name = Name
desk-field-address = Address
desk-field-city = City
desk-field-province = Province
desk-field-postal_code = Postal code
desk-field-phone = Phone
desk-field-latitude = Latitude
desk-field-longitude = Longitude
desk-field-time_zone = Time zone
desk-field-default_locale = Patients' language when they choose none
desk-field-notification_email = Front desk's email for patients' changes
desk-field-clinic_id = Clinic
desk-field-clinic_ids = Clinics
desk-field-discipline = Discipline
desk-field-services = Services
desk-field-languages = Languages (en, fr…)
desk-field-consult_modes = Consults by
desk-field-active = Active
desk-field-slot_minutes = Slot length (minutes)
desk-field-weekly = Weekly hours
desk-field-starts_at = From
desk-field-ends_at = Until
desk-field-reason = Reason
desk-field-email = Email
desk-field-role = Role
desk-field-password = Password
