# pages
#
# Every word of the pages behind the links in emails: the unsubscribe preferences page (and the page
# that says what was saved), the double opt-in confirmation, the page for a link that is not valid,
# and the manage page of a booking (page-manage-…). The templates under templates/pages/ only lay
# these texts out; src/consent/pages.rs picks the category names and the "unsubscribe from this"
# button, src/scheduling/manage_page.rs the booking's words.
#
# Ids: page-<page>-<part>; page-category-<category> names a consent category, its .hint explains it.
# $clinic is the sender the link is about (a clinic, or the network); $senders names whom a consent
# goes to ("Clinic A and Network B"). A page may show them in bold. An argument without a value
# (no phone number) arrives as the text "none".

## Every page

# The link to the same page in the other language, written in that language.
page-switch-language = Français
# Shown instead of a page that could not be put together.
page-error = Something went wrong. Please try again later.

## Consent categories

page-category-appointment-reminders = Appointment reminders
    .hint = A reminder before each confirmed appointment.
page-category-exercise-plans = Exercise plans
    .hint = Home exercises your practitioner prepares for you.
page-category-plans-of-care = Plans of care
    .hint = Your treatment plan: goals, visits and duration.
page-category-service-updates = Service updates
    .hint = News about services relevant to you.

## The preferences page (GET /unsubscribe/{token})

page-preferences-title = Email preferences · { $clinic }
page-preferences-heading = Your email preferences
page-preferences-intro = These are the emails { $clinic } may send you. Appointment confirmations and changes you asked for are always sent; the categories below are yours to choose.
page-preferences-quick = Quick choices
# The first button withdraws what the email's link is about: one category, or all of them.
page-preferences-unsubscribe-appointment-reminders = Unsubscribe from appointment reminders
page-preferences-unsubscribe-exercise-plans = Unsubscribe from exercise plans
page-preferences-unsubscribe-plans-of-care = Unsubscribe from plans of care
page-preferences-unsubscribe-service-updates = Unsubscribe from service updates
page-preferences-unsubscribe-these = Unsubscribe from all these emails
page-preferences-unsubscribe-all = Unsubscribe from everything { $clinic } sends
page-preferences-unsubscribe-everywhere = Unsubscribe from every sender
page-preferences-unsubscribe-everywhere-hint = Every clinic on this site you have been in touch with, and the site itself.
page-preferences-choose = Choose what you receive
page-preferences-send-me = Send me:
page-preferences-save = Save my choices
page-preferences-footer =
    { $phone ->
        [none] Your email is never sold. Questions? Contact { $clinic }.
       *[other] Your email is never sold. Questions? Contact { $clinic } at { $phone }.
    }

## What was saved (POST /unsubscribe/{token})

page-saved-title = Preferences saved · { $clinic }
page-saved-heading = Your preferences are saved
page-saved-everywhere = You are unsubscribed from every sender: no clinic on this site, and not the site itself, will send you reminders, plans or news. Emails about a booking or call back you ask for still come.
page-saved-from-now-on = From now on, { $clinic } will send you:
# One category and whether it is sent: "Exercise plans: no".
page-saved-item = { $category }: { $answer }
page-saved-yes = yes
page-saved-no = no
page-saved-at-once = This took effect at once, including for emails already waiting to be sent.
page-saved-change-again = Change your preferences again

## The double opt-in (GET/POST /consent/confirm/{token})

page-confirm-title = Confirm your choice · { $senders }
page-confirm-heading = Confirm you would like our news
page-confirm-intro = This email address was entered on a form asking to receive news about services relevant to you from { $senders }. Nothing is sent until you confirm it was you.
page-confirm-button = Yes, send me news about services
page-confirm-not-you = If you did not ask for this, close this page: nothing changes and you will not receive any news. Your email is never sold, and every email has a link to unsubscribe at any time.
page-confirmed-title = Confirmed · { $senders }
page-confirmed-heading = Thank you: your choice is confirmed
page-confirmed-body = { $senders } may now send you news about services relevant to you. Every email has a link to unsubscribe at any time.

## A link that is not valid (tampered, expired, naming nobody)

page-invalid-title = Link not valid
page-invalid-heading = This link is not valid or has expired
page-invalid-body = Nothing was changed. To stop or change the emails you receive, use the link in a recent email from your clinic, or contact the clinic directly.

## Changing a booking (GET/POST /manage/{token})
#
# $clinic is the clinic's name, $phone its phone number, $practitioner the practitioner's name,
# $when the appointment's date and time, $zone the clinic's time zone (e.g. America/Toronto).

page-manage-title = Your appointment · { $clinic }
page-manage-heading = Your appointment
page-manage-when = When: { $when }
page-manage-zone = Times are in the clinic's time zone ({ $zone }).
page-manage-with = With: { $practitioner }
page-manage-mode-phone = How: by phone
page-manage-mode-video = How: by video
page-manage-mode-in-person = Where: in person, { $address }
page-manage-clinic-phone = Clinic: { $clinic }, { $phone }
page-manage-status-requested = Status: requested (the clinic has not confirmed it yet)
page-manage-status-confirmed = Status: confirmed
page-manage-status-cancelled = Status: cancelled
page-manage-status-finished = Status: this appointment is closed
page-manage-cutoff = You can change or cancel this appointment online until { $when }.
page-manage-closed = This appointment can no longer be changed online. To change it, please call { $clinic } at { $phone }.
page-manage-done-cancelled = Your appointment is cancelled. The clinic has been told.
page-manage-done-rescheduled = Your appointment has been moved. The new time is shown below.
page-manage-slot-taken = Sorry, that time was just taken. Please choose another one.
page-manage-slot-invalid = That time cannot be booked. Please choose one of the times listed.
page-manage-reason-invalid = The reason is too long. Please shorten it to 500 characters or less.
page-manage-reschedule-heading = Choose another time
page-manage-reschedule-legend = Available times
page-manage-reschedule-none = No other time is free in the next two weeks. To change this appointment, please call { $clinic } at { $phone }.
page-manage-reschedule-button = Move my appointment
page-manage-cancel-heading = Cancel this appointment
page-manage-cancel-reason = Reason (optional)
page-manage-cancel-button = Cancel my appointment
page-manage-invalid-title = Link not valid
page-manage-invalid-heading = This link is not valid or has expired
page-manage-invalid-body = Nothing was changed. Use the link in the most recent email about your appointment, or call your clinic.
