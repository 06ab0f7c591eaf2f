# Formats des dates et heures (syntaxe strftime de chrono), et mots communs aux courriels et aux pages.

format-date-long = %A %-d %B %Y
format-date-short = %A %-d %B
format-time = %-H h %M
format-time-on-the-hour = %-H h
format-date-time-long = le { $date } à { $time }
format-date-time-short = { $date } à { $time }
# Le premier du mois s'écrit « 1er » : le code remplace %-d par 1er ce jour-là.
