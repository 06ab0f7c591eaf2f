# emails
#
# Every word of the emails people receive. The templates under templates/ only lay these texts out;
# the code (src/email/templates.rs) prepares the few that follow a rule (times, counts, dosages).
#
# Ids: <kind>-<part> for one kind's texts, the kind as EmailKind names it with dashes
# (booking-confirmed-subject; -heading is the HTML title and first heading, -intro the first
# paragraph), and emails-<part> for what the kinds share: layout, booking details, modes,
# reminders, counts and times.
#
# An argument the template has no value for (no name given, no phone number) arrives as the text
# "none", so a message says what to write without it: { $practitioner -> [none] … *[other] … }.
# In HTML emails arguments are escaped; some arrive already marked up (a date in bold).

## Layout: greeting, sign-off and footer

emails-greeting =
    { $name ->
        [none] Hello,
       *[other] Hello { $name },
    }
emails-signoff = Warm regards,
# The sign-off's last line when the clinic is known.
emails-signoff-team = The team at { $clinic }
# Who speaks when no clinic is known yet (a callback still in the network's queue), inside a sentence.
emails-clinic-team = our clinic team
# The same, on a line of its own (header, sign-off).
emails-clinic-team-title = Our clinic team
emails-footer-phone = Phone: { $phone }
emails-footer-no-clinic = Sent by our clinic team.
# Followed by the unsubscribe link.
emails-footer-unsubscribe = You can unsubscribe at any time:
emails-footer-privacy = We respect your privacy: we never sell your email.
# A label before its value ("When: …", "Reason: …").
emails-label = { $label }:

## Why the person gets the email, said in the footer

emails-why-callback = You are receiving this email because you asked us to call you back.
emails-why-booking = You are receiving this email because you booked a consultation with us.
emails-why-reminders = You are receiving this email because you chose to receive appointment reminders.
emails-why-exercise-plans = You are receiving this email because you chose to receive exercise plans by email.
emails-why-care-plans = You are receiving this email because you chose to receive plans of care by email.
emails-why-form = You are receiving this email because this address was entered on one of our forms.

## Counts, durations and times

emails-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
emails-hours =
    { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
emails-days =
    { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
# How long an appointment lasts: "1 hour 15 minutes" ($hours and $minutes are the two texts above).
emails-hours-minutes = { $hours } { $minutes }
# A moment in the clinic's time zone: "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)".
emails-time-in-zone = { $time } ({ $zone })

## The consultation, as sentences name it ("your physiotherapy consultation")

emails-consultation =
    { $discipline ->
        [physiotherapy] physiotherapy consultation
        [chiropractic] chiropractic consultation
       *[other] consultation
    }
# The discipline after the practitioner's name: "Dr. Sam Reid (Physiotherapy)".
emails-discipline =
    { $discipline ->
        [physiotherapy] Physiotherapy
        [chiropractic] Chiropractic
       *[other] { $discipline }
    }

## Booking details (a table in HTML, aligned lines in text)

emails-details-when = When
emails-details-length = Length
emails-details-with = With
emails-details-how = How
emails-details-where = Where

## How the consultation happens

emails-mode-phone-label = By phone
emails-mode-video-label = By video
emails-mode-in-person-label = In person
emails-mode-phone =
    { $practitioner ->
        [none] we
       *[other] { $practitioner }
    } will call you at { $phone ->
        [none] the phone number you gave us
       *[other] { $phone }
    } at the time above, so please keep your phone nearby.
# The text email's sentence; $details is the message above.
emails-mode-phone-text = This is a phone consultation: { $details }
emails-mode-video = you will receive a link to join the call by email before the appointment. A quiet spot with a good connection and a little room to move works best.
emails-mode-video-text = This is a video consultation: { $details }
emails-mode-arrive = Please arrive a few minutes early and wear comfortable clothing that lets you move freely.
emails-mode-in-person =
    { $clinic ->
        [none] { emails-mode-arrive }
       *[other] we look forward to seeing you at { $clinic }. { emails-mode-arrive }
    }
emails-mode-in-person-text =
    { $clinic ->
        [none] This consultation is in person. { emails-mode-arrive }
       *[other] This consultation is in person: we look forward to seeing you at { $clinic }. { emails-mode-arrive }
    }

## Reminders decided when a booking is confirmed

emails-reminders-title = Reminders
emails-reminders-intro = If you have chosen to receive appointment reminders, this is when they come:
emails-reminders-intro-text = Reminders (if you have chosen to receive them):
# $lead: "24 hours"; $at: when the reminder comes.
emails-reminders-at = { $lead } before: { $at }
emails-reminders-skipped = { $lead } before: skipped, because { $reason }
emails-reminders-skipped-passed = its time had already passed

## callback_received

callback-received-subject =
    { $clinic ->
        [none] Thanks for reaching out: we will call you back
       *[other] Thanks for reaching out to { $clinic }: we will call you back
    }
callback-received-heading = We will call you back
callback-received-intro = Thank you for reaching out to { $clinic }. We received your request for a call back.
# $when: one of callback-received-preferred-time.
callback-received-when =
    { $phone ->
        [none] Someone from our team will call you { $when }.
       *[other] Someone from our team will call you at { $phone } { $when }.
    }
callback-received-preferred-time =
    { $preferred ->
        [morning] in the morning, as you asked
        [afternoon] in the afternoon, as you asked
        [evening] in the evening, as you asked
       *[other] as soon as we can
    }
callback-received-sooner = If you need to reach us sooner, call us at { $phone }.
callback-received-not-you = If you did not ask us to call you, you can ignore this email.

## booking_requested

# $when: "Tuesday, December 1 at 9:30 AM".
booking-requested-subject =
    { $practitioner ->
        [none] Request received: your { $consultation } on { $when }
       *[other] Request received: your { $consultation } with { $practitioner } on { $when }
    }
booking-requested-heading = We received your booking request
booking-requested-intro =
    { $practitioner ->
        [none] Thank you for booking with { $clinic }. We received your request for a { $consultation }.
       *[other] Thank you for booking with { $clinic }. We received your request for a { $consultation } with { $practitioner }.
    }
booking-requested-not-confirmed = This time is not confirmed yet.
booking-requested-next = Our team will review your request and email you as soon as it is confirmed, with a calendar invitation.
booking-requested-change = If you need to change or cancel your request, call us at { $phone }.

## booking_confirmed

booking-confirmed-subject =
    { $practitioner ->
        [none] Confirmed: your { $consultation } on { $when }
       *[other] Confirmed: your { $consultation } with { $practitioner } on { $when }
    }
booking-confirmed-heading = Your consultation is confirmed
booking-confirmed-intro =
    { $practitioner ->
        [none] Good news: your { $consultation } is confirmed.
       *[other] Good news: your { $consultation } with { $practitioner } is confirmed.
    }
booking-confirmed-invite = A calendar invitation (invite.ics) is attached: open it to add the appointment to your calendar.
booking-confirmed-change =
    { $phone ->
        [none] Need to change or cancel? Please let us know as early as you can, so we can offer the time to someone else.
       *[other] Need to change or cancel? Please let us know as early as you can at { $phone }, so we can offer the time to someone else.
    }

## booking_rescheduled

booking-rescheduled-subject =
    { $practitioner ->
        [none] New time: your { $consultation } is now on { $when }
       *[other] New time: your { $consultation } with { $practitioner } is now on { $when }
    }
booking-rescheduled-heading = Your consultation has a new time
booking-rescheduled-intro =
    { $practitioner ->
        [none] Your { $consultation } has moved to a new time.
       *[other] Your { $consultation } with { $practitioner } has moved to a new time.
    }
# $previous: "Saturday, November 28, 2026 at 2:00 PM (America/Toronto)".
booking-rescheduled-previous = It was booked for { $previous }.
booking-rescheduled-invite = An updated calendar invitation (invite.ics) is attached: open it to move the appointment in your calendar.
booking-rescheduled-not-confirmed = This new time is not confirmed yet: we will email you again as soon as it is.
booking-rescheduled-change =
    { $phone ->
        [none] If the new time does not work for you, please let us know as early as you can.
       *[other] If the new time does not work for you, please let us know as early as you can at { $phone }.
    }

## booking_cancelled

booking-cancelled-subject =
    { $practitioner ->
        [none] Cancelled: your { $consultation } on { $when }
       *[other] Cancelled: your { $consultation } with { $practitioner } on { $when }
    }
booking-cancelled-heading = Your consultation has been cancelled
# $when: "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)".
booking-cancelled-intro =
    { $practitioner ->
        [none] Your { $consultation } on { $when } has been cancelled.
       *[other] Your { $consultation } with { $practitioner } on { $when } has been cancelled.
    }
booking-cancelled-reason = Reason
booking-cancelled-invite = The attached calendar update (invite.ics) removes the appointment from your calendar.
booking-cancelled-rebook =
    { $phone ->
        [none] If you would like another time, we would be glad to help: book again online whenever it suits you.
       *[other] If you would like another time, we would be glad to help: call us at { $phone } or book again online whenever it suits you.
    }

## appointment_reminder

appointment-reminder-subject =
    { $practitioner ->
        [none] Reminder: your { $consultation } on { $when }
       *[other] Reminder: your { $consultation } with { $practitioner } on { $when }
    }
appointment-reminder-heading = Your consultation is coming up
# $lead: how long before the appointment the reminder comes ("24 hours").
appointment-reminder-intro =
    { $practitioner ->
        [none] This is a friendly reminder that your { $consultation } is coming up in about { $lead }.
       *[other] This is a friendly reminder that your { $consultation } with { $practitioner } is coming up in about { $lead }.
    }
appointment-reminder-cannot-come =
    { $phone ->
        [none] If you can no longer make it, please let us know as early as you can, so we can offer the time to someone else.
       *[other] If you can no longer make it, please let us know as early as you can at { $phone }, so we can offer the time to someone else.
    }

## exercise_plan

exercise-plan-subject =
    { $title ->
        [none] Your exercise plan
       *[other] Your exercise plan: { $title }
    }
exercise-plan-heading = Your exercise plan
exercise-plan-intro =
    { $staff ->
        [none]
            { $title ->
                [none] We have prepared an exercise plan for you.
               *[other] We have prepared an exercise plan for you: { $title }.
            }
       *[other]
            { $title ->
                [none] { $staff } has prepared an exercise plan for you.
               *[other] { $staff } has prepared an exercise plan for you: { $title }.
            }
    }
exercise-plan-note =
    { $staff ->
        [none] A note from your practitioner
       *[other] A note from { $staff }
    }
exercise-plan-exercises = Your exercises
# Before an exercise's dosage: "How much: 3 sets of 10 repetitions".
exercise-plan-dosage = How much
exercise-plan-safety =
    { $phone ->
        [none] Move gently and within a comfortable range. If an exercise causes sharp pain, dizziness or numbness, stop and call us.
       *[other] Move gently and within a comfortable range. If an exercise causes sharp pain, dizziness or numbness, stop and call us at { $phone }.
    }
exercise-plan-sets =
    { $sets ->
        [one] { $sets } set
       *[other] { $sets } sets
    }
exercise-plan-reps =
    { $reps ->
        [one] { $reps } repetition
       *[other] { $reps } repetitions
    }
exercise-plan-sets-reps = { exercise-plan-sets } of { exercise-plan-reps }
exercise-plan-hold =
    { $seconds ->
        [one] hold each for { $seconds } second
       *[other] hold each for { $seconds } seconds
    }
# $volume: one of the three messages above; $hold: exercise-plan-hold; $seconds: the hold's count.
exercise-plan-volume-hold = { $volume }; { $hold }

## care_plan

care-plan-subject =
    { $title ->
        [none] Your plan of care
       *[other] Your plan of care: { $title }
    }
care-plan-heading = Your plan of care
care-plan-intro =
    { $staff ->
        [none]
            { $title ->
                [none] We have put together your plan of care.
               *[other] We have put together your plan of care: { $title }.
            }
       *[other]
            { $title ->
                [none] { $staff } has put together your plan of care.
               *[other] { $staff } has put together your plan of care: { $title }.
            }
    }
care-plan-summary = Summary
care-plan-goals = Goals
care-plan-visits = Visits
# $schedule: one of the care-plan-schedule messages.
care-plan-recommend = We recommend { $schedule }.
care-plan-visit-count =
    { $visits ->
        [one] { $visits } visit
       *[other] { $visits } visits
    }
care-plan-week-count =
    { $weeks ->
        [one] { $weeks } week
       *[other] { $weeks } weeks
    }
care-plan-schedule = { care-plan-visit-count } a week for { care-plan-week-count }
care-plan-schedule-visits = { care-plan-visit-count } a week
care-plan-schedule-weeks = over { care-plan-week-count }
care-plan-questions =
    { $phone ->
        [none] This plan is a starting point: we will review it with you as you progress. If you have questions, ask us at your next visit.
       *[other] This plan is a starting point: we will review it with you as you progress. If you have questions, call us at { $phone }.
    }

## consent_confirmation

consent-confirmation-subject = Please confirm: news about services from { $senders }
consent-confirmation-title = Please confirm
consent-confirmation-heading = Please confirm you would like our news
consent-confirmation-intro = This email address was entered on a form asking to receive news about services relevant to you from { $senders }.
consent-confirmation-only-once = We send that news only once you confirm it was you.
# The text email's version, followed by the link.
consent-confirmation-only-once-link = We send that news only once you confirm it was you:
consent-confirmation-button = Confirm my choice
# $expires: "Tuesday, December 8, 2026 at 4:30 AM (America/Toronto)".
consent-confirmation-expires = The link opens a page with a button to confirm. It works until { $expires }.
consent-confirmation-copy = If the button does not work, copy this address into your browser: { $url }
consent-confirmation-not-you = If you did not ask for this, ignore this email: you will not receive any news from us.

## The calendar invite (invite.ics) of a booking email

invite-summary = Free consult with { $practitioner }
invite-description =
    { $mode ->
        [phone] Phone consult: { $practitioner } will call you.
        [video] Video consult with { $practitioner }: the clinic sends the link.
       *[in_person] In-person consult at { $location }.
    }

## The "need to change your appointment?" link in a booking email
emails-manage-prompt = Need to change your appointment?
emails-manage-action = You can cancel it or pick another time here:

## booking_changed_by_patient (to the clinic's notification address, not to the patient)
emails-why-staff-notice = You are receiving this email because this address is where the clinic hears of changes patients make to their bookings.
changed-by-patient-cancelled-subject =
    { $patient ->
        [none] A patient cancelled their booking of { $when }
       *[other] { $patient } cancelled their booking of { $when }
    }
changed-by-patient-moved-subject =
    { $patient ->
        [none] A patient moved their booking to { $when }
       *[other] { $patient } moved their booking to { $when }
    }
changed-by-patient-cancelled-heading = A patient cancelled their booking
changed-by-patient-moved-heading = A patient moved their booking
changed-by-patient-cancelled-intro =
    { $patient ->
        [none] A patient cancelled their { $consultation } through the link in their emails. The time is free again.
       *[other] { $patient } cancelled their { $consultation } through the link in their emails. The time is free again.
    }
# $previous: "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)".
changed-by-patient-moved-intro =
    { $patient ->
        [none] A patient moved their { $consultation } through the link in their emails; it was { $previous }. The new time:
       *[other] { $patient } moved their { $consultation } through the link in their emails; it was { $previous }. The new time:
    }
changed-by-patient-booking-id = Booking { $id }
