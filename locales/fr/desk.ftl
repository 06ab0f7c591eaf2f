# La console de l'accueil (/desk) : src/desk/ et templates/desk/. Voir locales/en/desk.ftl.

desk-product = consultdesk, accueil
desk-skip-to-content = Aller au contenu de la page
desk-nav-label = Console
desk-nav-today = Aujourd’hui
desk-nav-bookings = Rendez-vous
desk-nav-callbacks = Rappels
desk-switch-language = English
desk-sign-out = Se déconnecter
desk-none = aucun

## Connexion
desk-sign-in-title = Connexion
desk-sign-in-heading = Connexion à l’accueil
desk-sign-in-email = Courriel
desk-sign-in-password = Mot de passe
desk-sign-in-button = Se connecter
desk-sign-in-missing = Entrez votre courriel et votre mot de passe.
desk-sign-in-throttled = Trop de tentatives échouées. Réessayez dans { $minutes ->
    [one] une minute
   *[other] { $minutes } minutes
}.

## Pages d'état
desk-status-back = Retour aux rendez-vous du jour
desk-status-not-found-title = Introuvable
desk-status-not-found-body = Il n’y a rien ici, ou cela ne relève pas de l’une de vos cliniques.
desk-status-forbidden-title = Non autorisé
desk-status-forbidden-body = Ce formulaire a expiré ou n’est pas permis pour votre compte. Revenez en arrière, rechargez la page et réessayez.
desk-status-bad-request-title = Demande incomprise
desk-status-bad-request-body = La demande n’a pas pu être comprise. Revenez en arrière et réessayez.
desk-status-too-many-title = Trop de demandes
desk-status-too-many-body = Veuillez patienter un instant, puis réessayer.
desk-status-unavailable-title = Temporairement indisponible
desk-status-unavailable-body = Le service ne peut pas joindre sa base de données pour le moment. Rien n’a été modifié. Réessayez dans quelques secondes.
desk-status-error-title = Une erreur s’est produite
desk-status-error-body = Rien n’a été modifié. Réessayez ; si le problème persiste, avisez votre administrateur.

## Filtres
desk-filters-heading = Afficher
desk-filters-invalid = Certains filtres n’ont pas été compris et ont été ignorés :
desk-filter-date = Date
desk-filter-clinic = Clinique
desk-filter-all-clinics = Toutes mes cliniques
desk-filter-practitioner = Professionnel
desk-filter-all-practitioners = Tous les professionnels
desk-filter-status = Statut
desk-filter-all-statuses = Tous les statuts
desk-filter-show = Afficher

## La journée
desk-day-title = Rendez-vous, { $date }
desk-day-heading = Rendez-vous du { $date }
desk-day-previous = Jour précédent
desk-day-today = Aujourd’hui
desk-day-next = Jour suivant
desk-day-summary-heading = En bref
desk-day-count = { $count ->
    [0] Aucun rendez-vous
    [one] Un rendez-vous
   *[other] { $count } rendez-vous
}
desk-day-requested = { $count ->
    [0] aucune demande à confirmer
    [one] une demande à confirmer
   *[other] { $count } demandes à confirmer
}
desk-day-new-callbacks = { $count ->
    [0] aucune nouvelle demande de rappel
    [one] une nouvelle demande de rappel
   *[other] { $count } nouvelles demandes de rappel
}
desk-day-zone = Les heures sont dans le fuseau horaire de la clinique ({ $zone }).
desk-day-zones-mixed = celui de chaque clinique
desk-day-truncated = Seuls les { $count } premiers rendez-vous sont affichés. Choisissez une clinique ou un professionnel pour voir les autres.
desk-day-empty = Aucun rendez-vous ne correspond ce jour-là.
desk-column-time = Heure
desk-column-patient = Patient
desk-column-mode = Comment
desk-column-status = Statut
desk-column-category = Courriels au sujet de
desk-column-consent = Consentement
desk-column-since = Depuis
desk-column-email = Courriel
desk-column-to = Destinataire
desk-column-when = Quand

## Valeurs
desk-state-requested = Demandé
desk-state-confirmed = Confirmé
desk-state-cancelled = Annulé
desk-state-completed = Terminé
desk-state-no-show = Absence
desk-state-expired = Expiré (jamais confirmé)
desk-mode-phone = Téléphone
desk-mode-video = Vidéo
desk-mode-in-person = En personne
desk-changed-by-staff = l’accueil
desk-changed-by-patient = le patient, au moyen du lien dans son courriel
desk-consent-granted = Oui
desk-consent-withdrawn = Non (retiré)
desk-consent-never = Jamais demandé
desk-email-callback-received = Demande de rappel reçue
desk-email-booking-requested = Demande de rendez-vous reçue
desk-email-booking-confirmed = Rendez-vous confirmé (avec invitation)
desk-email-booking-rescheduled = Rendez-vous déplacé (avec invitation)
desk-email-booking-cancelled = Rendez-vous annulé
desk-email-appointment-reminder = Rappel de rendez-vous
desk-email-exercise-plan = Programme d’exercices
desk-email-care-plan = Plan de traitement
desk-email-consent-confirmation = Demande de confirmation du consentement
desk-email-booking-changed-by-patient = Avis à l’accueil : modifié par le patient
desk-email-status-queued = En attente
desk-email-status-sending = En cours d’envoi
desk-email-status-sent = Envoyé
desk-email-status-failed = Échec
desk-email-status-suppressed = Non envoyé (sans consentement)
desk-email-status-withdrawn = Retiré (rendez-vous modifié)

## Un rendez-vous
desk-booking-title = Rendez-vous : { $patient }
desk-booking-heading = Rendez-vous : { $patient }
desk-booking-back-to-day = Retour à la journée
desk-booking-details = Détails
desk-booking-status = Statut
desk-booking-when = Quand
desk-booking-practitioner = Professionnel
desk-booking-clinic = Clinique
desk-booking-mode = Comment
desk-booking-patient = Patient
desk-booking-email = Courriel
desk-booking-phone = Téléphone
desk-booking-concern = Motif
desk-booking-created = Pris le
desk-booking-changed-by = Dernière modification par
desk-booking-cancel-reason = Motif de l’annulation
desk-booking-actions = Actions
desk-booking-confirm-hint = Le patient reçoit un courriel de confirmation avec une invitation de calendrier, et les rappels sont planifiés.
desk-booking-confirm = Confirmer le rendez-vous
desk-booking-complete = Marquer comme terminé
desk-booking-no-show = Marquer une absence
desk-booking-reschedule-heading = Déplacer à un autre moment
desk-booking-reschedule = Déplacer le rendez-vous
desk-booking-reschedule-none = Le professionnel n’a aucune autre disponibilité dans les deux prochaines semaines.
desk-booking-cancel-heading = Annuler ce rendez-vous
desk-booking-cancel-reason-label = Motif (facultatif)
desk-booking-cancel-notify = Aviser le patient de l’annulation par courriel
desk-booking-cancel = Annuler le rendez-vous
desk-booking-consents = Consentements à { $clinic }
desk-booking-emails = Courriels au sujet de ce rendez-vous
desk-booking-no-emails = Aucun courriel pour l’instant.
desk-done-confirm = Rendez-vous confirmé. Le courriel de confirmation est en route.
desk-done-cancel = Rendez-vous annulé. La plage horaire est de nouveau libre.
desk-done-reschedule = Rendez-vous déplacé. Le patient reçoit la nouvelle heure par courriel.
desk-done-complete = Rendez-vous marqué comme terminé.
desk-done-no-show = Rendez-vous marqué comme une absence.

## Demandes de rappel
desk-callbacks-title = Demandes de rappel
desk-callbacks-heading = Demandes de rappel
desk-callbacks-order = Les nouvelles demandes d’abord, des plus anciennes aux plus récentes.
desk-callbacks-empty = Aucune demande de rappel ici.
desk-callbacks-more = Demandes plus anciennes
desk-callback-phone = Téléphone
desk-callback-email = Courriel
desk-callback-preferred = Meilleur moment pour appeler
desk-callback-concern = Motif
desk-callback-clinic = Clinique
desk-callback-network = File du réseau (aucune clinique pour l’instant)
desk-callback-received = Reçue le
desk-callback-status = Statut
desk-callback-route = Clinique
desk-callback-note = Note
desk-callback-save = Enregistrer
desk-callback-state-new = Nouvelle
desk-callback-state-contacted = Jointe
desk-callback-state-booked = Rendez-vous pris
desk-callback-state-closed = Fermée
desk-preferred-morning = Le matin
desk-preferred-afternoon = L’après-midi
desk-preferred-evening = Le soir
desk-preferred-anytime = N’importe quand
desk-done-callback = Enregistré.

## Un patient
desk-patient-title = Patient : { $patient }
desk-patient-heading = Patient : { $patient }
desk-patient-contact = Coordonnées
desk-patient-since = Premier contact
desk-patient-consents = Consentements
desk-patient-network = le site du réseau de cliniques
desk-column-sender = De
desk-column-source = Comment
desk-patient-record-heading = Consigner un changement demandé par la personne
desk-patient-record-choice = La personne
desk-patient-record-grant = accepte ces courriels
desk-patient-record-withdraw = ne veut plus de ces courriels
desk-patient-record-note = Comment elle l’a demandé (par exemple : par téléphone)
desk-patient-record-button = Consigner le changement
desk-patient-history = Historique
desk-patient-plans = Envoyer un programme
desk-patient-exercise-heading = Programme d’exercices
desk-patient-exercises = Exercices de la bibliothèque
desk-patient-plan-title = Titre
desk-patient-plan-note = Note pour le patient (facultatif)
desk-patient-exercise-button = Envoyer le programme d’exercices
desk-patient-care-heading = Plan de traitement
desk-patient-care-summary = Résumé
desk-patient-care-goals = Objectifs
desk-patient-care-goals-hint = Un objectif par ligne.
desk-patient-care-visits = Visites par semaine
desk-patient-care-weeks = Pendant combien de semaines
desk-patient-care-button = Envoyer le plan de traitement
desk-patient-emails = Courriels
desk-done-consent = Le changement est consigné.
desk-done-exercise-plan = Le programme d’exercices est en route vers le patient.
desk-done-care-plan = Le plan de traitement est en route vers le patient.

## Administration
desk-nav-admin = Administration
desk-admin-clinics = Cliniques
desk-admin-practitioners = Professionnels
desk-admin-staff = Personnel
desk-admin-more = Seuls les 100 premiers sont affichés.
desk-admin-new-clinic = Ajouter une clinique
desk-admin-new-practitioner = Ajouter un professionnel
desk-admin-new-staff = Ajouter un membre du personnel
desk-admin-create = Ajouter
desk-admin-save = Enregistrer
desk-admin-notify-hint = Avisé par courriel quand un patient annule ou déplace un rendez-vous au moyen du lien de son courriel. Laissez vide pour n’aviser personne.
desk-admin-list-hint = Séparez-les par des virgules.
desk-admin-inactive = Non (impossible à réserver)
desk-admin-active-hint = Actif : visible dans la recherche et réservable
desk-admin-hours = Heures de la semaine
desk-admin-hours-hint = Dans le fuseau horaire de la clinique ({ $zone }). Laissez vide un jour de fermeture ; la deuxième paire sert aux jours avec une pause.
desk-admin-day = Jour
desk-admin-opens = Ouverture
desk-admin-closes = Fermeture
desk-admin-opens-again = Réouverture
desk-admin-closes-again = Fermeture après la pause
desk-admin-save-hours = Enregistrer les heures
desk-admin-time-off = Congés
desk-admin-add-time-off = Ajouter un congé
desk-admin-password-hint = Au moins 12 caractères. Transmettez-le à la personne par un autre moyen.
desk-weekday-1 = Lundi
desk-weekday-2 = Mardi
desk-weekday-3 = Mercredi
desk-weekday-4 = Jeudi
desk-weekday-5 = Vendredi
desk-weekday-6 = Samedi
desk-weekday-7 = Dimanche
desk-done-created = Ajouté.
desk-done-saved = Enregistré.
desk-done-hours = Les heures de la semaine sont enregistrées ; les disponibilités les suivent aussitôt.
desk-done-time-off = Le congé est consigné ; aucune plage qui le chevauche n’est offerte.
desk-field-name = Nom
desk-field-address = Adresse
desk-field-city = Ville
desk-field-province = Province
desk-field-postal_code = Code postal
desk-field-phone = Téléphone
desk-field-latitude = Latitude
desk-field-longitude = Longitude
desk-field-time_zone = Fuseau horaire
desk-field-default_locale = Langue des patients qui n’en choisissent aucune
desk-field-notification_email = Courriel de l’accueil pour les changements des patients
desk-field-clinic_id = Clinique
desk-field-clinic_ids = Cliniques
desk-field-discipline = Discipline
desk-field-services = Services
desk-field-languages = Langues (en, fr…)
desk-field-consult_modes = Consultations par
desk-field-active = Actif
desk-field-slot_minutes = Durée d’une plage (minutes)
desk-field-weekly = Heures de la semaine
desk-field-starts_at = Du
desk-field-ends_at = Au
desk-field-reason = Motif
desk-field-email = Courriel
desk-field-role = Rôle
desk-field-password = Mot de passe
