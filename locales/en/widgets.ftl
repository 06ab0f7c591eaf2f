# widgets
#
# Every word of the website's forms (/embed.js: <consultdesk-callback>, <consultdesk-booking>,
# <consultdesk-finder>) and of the page that shows them (GET /demo). The server writes these texts
# into the script (src/website/script.rs); the script's t('id', {name}) puts the values in, so an
# argument here is a { $name } the script fills: dates, times and distances arrive already written
# as the visitor's language writes them (the browser's Intl), in the clinic's time zone.
#
# Field messages of a refused form (a 422) are not here: they come from the server's problems
# (problems.ftl), in the language the script asks for (Accept-Language).

## Shared by the forms

widget-loading = Loading…
widget-sending = Sending…
widget-optional = (optional)
widget-required = (required)
widget-field-name = Your name
widget-field-phone = Phone number
widget-field-email = Email
widget-field-concern = What would you like help with?
widget-honeypot = Leave this field empty
# The legend of the consent checkboxes comes from the server's wording (GET /v1/consent-wording).
widget-consents-note = Checking a box is your consent; leaving it empty changes nothing.
widget-fix-fields = Please correct the fields marked below.
widget-field-problem = Please check this.
# The browser could not reach the service (offline, blocked, timed out).
widget-offline = We could not reach the clinic's booking service. What you typed is kept: please try again.
# $time the clock time from which the service takes requests again, e.g. 2:45 p.m.
widget-rate-limited = Too many requests from your connection. Please try again after { $time }.
widget-failed = Something went wrong on our side. What you typed is kept: please try again in a moment.
widget-retry = Try again
widget-unavailable = This form is not available right now.

## <consultdesk-callback>

widget-callback-heading = Get a call back
widget-callback-intro = Fill out this form and we will call you back.
widget-callback-when = When should we call?
widget-callback-morning = Morning
widget-callback-afternoon = Afternoon
widget-callback-evening = Evening
widget-callback-anytime = Any time
widget-callback-submit = Request a call back
widget-callback-sent = Thank you. We received your request and will call you back.
widget-callback-sent-email = Thank you. We received your request and will call you back; we also sent a note to { $email }.

## <consultdesk-booking>

widget-booking-heading = Book your free consult
# $name the practitioner's name, $clinic the clinic's.
widget-booking-with = With { $name }, { $clinic }
widget-booking-practitioner = Who would you like to see?
widget-booking-mode = How would you like to meet?
widget-mode-phone = Phone call
widget-mode-video = Video call
widget-mode-in-person = In person at the clinic
# Names the time and the way of meeting in an error message: "Time is required".
widget-booking-time = Time
widget-booking-mode-label = Meeting
widget-booking-day = Day
# $zone the clinic's time zone as the browser names it, e.g. Eastern Time (America/Toronto).
widget-booking-times = Time ({ $zone })
widget-booking-zone = Times are in the clinic's time zone: { $zone }.
widget-booking-phone-hint = Needed for a phone call.
widget-booking-no-slots = No free consult times in the next two weeks.
# $phone the clinic's phone number.
widget-booking-call-clinic = Please call the clinic at { $phone }.
widget-booking-submit = Book this consult
# $when the consult's date and time, $name the practitioner, $email the address written to.
widget-booking-sent = Your consult with { $name } on { $when } is requested. We sent the details to { $email }; the clinic will confirm it.
# $times the next free times after the one just taken, e.g. "Tue, Dec. 8, 9:15 a.m., 9:30 a.m."
widget-booking-taken = That time was just taken. The next free times: { $times }. Please choose one below.
widget-booking-taken-none = That time was just taken, and there are no other free times in the next two weeks.
widget-booking-slot-gone = That time is no longer free. The list of times is up to date now: please choose one.

## <consultdesk-finder>

widget-finder-heading = Find a physiotherapist or chiropractor near you
widget-finder-postal-code = Postal code
widget-finder-city = City
widget-finder-either = Enter a postal code or a city.
widget-finder-discipline = Kind of care
widget-finder-any = Any
widget-finder-physiotherapy = Physiotherapy
widget-finder-chiropractic = Chiropractic
widget-finder-search = Search
widget-finder-locate = Use my location
widget-finder-locating = Finding your location…
widget-finder-no-location = Your browser did not share your location. Please enter a postal code or a city.
widget-finder-results = Practitioners found: { $count }
widget-finder-none = No practitioner was found within this area.
widget-finder-more = Show more
# $km the distance, e.g. 2.4
widget-finder-distance = { $km } km away
widget-finder-next = Next free consult: { $when }
widget-finder-no-next = No free consult in the next two weeks
widget-finder-languages = Languages: { $languages }
widget-finder-book = Book a consult with { $name }
widget-finder-back = Back to the results
widget-discipline-physiotherapy = Physiotherapist
widget-discipline-chiropractic = Chiropractor

## GET /demo

widget-demo-title = Website forms: demo
widget-demo-intro = These are the forms a clinic's website adds with one line of HTML. Everything you send here is real: requests and bookings reach the clinic's front desk.
widget-demo-snippet = Add them to a page:
widget-demo-no-clinic = There is no clinic yet: run consultdesk seed-demo, or add one in the console, then reload this page.
# Inside each element: what shows when scripts are off.
widget-demo-no-script = This form needs JavaScript, which is off in this browser.
widget-demo-for = For { $clinic }
