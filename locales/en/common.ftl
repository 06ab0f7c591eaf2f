# Formats of dates and times (chrono's strftime syntax), and words shared by emails and pages.

format-date-long = %A, %B %-d, %Y
format-date-short = %A, %B %-d
format-time = %-I:%M %p
format-time-on-the-hour = %-I:%M %p
format-date-time-long = { $date } at { $time }
format-date-time-short = { $date } at { $time }
