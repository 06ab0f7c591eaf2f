# widgets
#
# Les textes des formulaires du site web (/embed.js) et de la page de démonstration (GET /demo).
# Voir locales/en/widgets.ftl.

## Shared by the forms

widget-loading = Chargement…
widget-sending = Envoi en cours…
widget-optional = (facultatif)
widget-required = (obligatoire)
widget-field-name = Votre nom
widget-field-phone = Numéro de téléphone
widget-field-email = Courriel
widget-field-concern = Pour quoi souhaitez-vous de l’aide ?
widget-honeypot = Laissez ce champ vide
widget-consents-note = Cocher une case est votre consentement ; laisser une case vide ne change rien.
widget-fix-fields = Veuillez corriger les champs indiqués ci-dessous.
widget-field-problem = Veuillez vérifier ceci.
widget-offline = Nous n’avons pas pu joindre le service de rendez-vous de la clinique. Ce que vous avez saisi est conservé : veuillez réessayer.
widget-rate-limited = Trop de demandes depuis votre connexion. Veuillez réessayer après { $time }.
widget-failed = Un problème est survenu de notre côté. Ce que vous avez saisi est conservé : veuillez réessayer dans un instant.
widget-retry = Réessayer
widget-unavailable = Ce formulaire n’est pas disponible pour le moment.

## <consultdesk-callback>

widget-callback-heading = Demander un rappel
widget-callback-intro = Remplissez ce formulaire et nous vous rappellerons.
widget-callback-when = Quand devrions-nous vous appeler ?
widget-callback-morning = Le matin
widget-callback-afternoon = L’après-midi
widget-callback-evening = Le soir
widget-callback-anytime = N’importe quand
widget-callback-submit = Demander un rappel
widget-callback-sent = Merci. Nous avons reçu votre demande et nous vous rappellerons.
widget-callback-sent-email = Merci. Nous avons reçu votre demande et nous vous rappellerons ; nous avons aussi envoyé un mot à { $email }.

## <consultdesk-booking>

widget-booking-heading = Réservez votre consultation gratuite
widget-booking-with = Avec { $name }, { $clinic }
widget-booking-practitioner = Qui souhaitez-vous consulter ?
widget-booking-mode = Comment souhaitez-vous vous rencontrer ?
widget-mode-phone = Appel téléphonique
widget-mode-video = Appel vidéo
widget-mode-in-person = En personne à la clinique
# Names the time and the way of meeting in an error message: "Time is required".
widget-booking-time = Heure
widget-booking-mode-label = Mode de consultation
widget-booking-day = Jour
widget-booking-times = Heure ({ $zone })
widget-booking-zone = Les heures sont celles du fuseau horaire de la clinique : { $zone }.
widget-booking-phone-hint = Nécessaire pour un appel téléphonique.
widget-booking-no-slots = Aucune plage de consultation libre dans les deux prochaines semaines.
widget-booking-call-clinic = Veuillez appeler la clinique au { $phone }.
widget-booking-submit = Réserver cette consultation
widget-booking-sent = Votre consultation avec { $name } le { $when } est demandée. Nous avons envoyé les détails à { $email } ; la clinique la confirmera.
widget-booking-taken = Cette heure vient d’être prise. Les prochaines heures libres : { $times }. Veuillez en choisir une ci-dessous.
widget-booking-taken-none = Cette heure vient d’être prise, et il n’y a pas d’autre heure libre dans les deux prochaines semaines.
widget-booking-slot-gone = Cette heure n’est plus libre. La liste des heures est maintenant à jour : veuillez en choisir une.

## <consultdesk-finder>

widget-finder-heading = Trouver un physiothérapeute ou un chiropraticien près de chez vous
widget-finder-postal-code = Code postal
widget-finder-city = Ville
widget-finder-either = Saisissez un code postal ou une ville.
widget-finder-discipline = Type de soins
widget-finder-any = Tous
widget-finder-physiotherapy = Physiothérapie
widget-finder-chiropractic = Chiropratique
widget-finder-search = Rechercher
widget-finder-locate = Utiliser ma position
widget-finder-locating = Recherche de votre position…
widget-finder-no-location = Votre navigateur n’a pas partagé votre position. Veuillez saisir un code postal ou une ville.
widget-finder-results = Professionnels trouvés : { $count }
widget-finder-none = Aucun professionnel n’a été trouvé dans ce secteur.
widget-finder-more = Afficher plus de résultats
widget-finder-distance = à { $km } km
widget-finder-next = Prochaine consultation libre : { $when }
widget-finder-no-next = Aucune consultation libre dans les deux prochaines semaines
widget-finder-languages = Langues : { $languages }
widget-finder-book = Réserver une consultation avec { $name }
widget-finder-back = Retour aux résultats
widget-discipline-physiotherapy = Physiothérapeute
widget-discipline-chiropractic = Chiropraticien ou chiropraticienne

## GET /demo

widget-demo-title = Formulaires du site web : démonstration
widget-demo-intro = Voici les formulaires qu’un site web de clinique ajoute avec une seule ligne de HTML. Tout ce que vous envoyez ici est réel : les demandes et les rendez-vous parviennent à la réception de la clinique.
widget-demo-snippet = Pour les ajouter à une page :
widget-demo-no-clinic = Il n’y a pas encore de clinique : lancez consultdesk seed-demo, ou ajoutez-en une dans la console, puis rechargez cette page.
# Inside each element: what shows when scripts are off.
widget-demo-no-script = Ce formulaire a besoin de JavaScript, qui est désactivé dans ce navigateur.
widget-demo-for = Pour { $clinic }
