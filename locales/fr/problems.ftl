# Réponses d’erreur (RFC 9457) : titres, détails et message de chaque champ invalide.
# Les codes à côté ne changent jamais avec la langue ; seuls ces mots changent.

## Titres, par statut

status-400 = Requête incorrecte
status-401 = Authentification requise
status-403 = Action interdite
status-404 = Introuvable
status-405 = Méthode non permise
status-408 = Délai dépassé
status-409 = Conflit
status-413 = Requête trop volumineuse
status-415 = Type de contenu non pris en charge
status-422 = Données invalides
status-429 = Trop de requêtes
status-500 = Erreur interne
status-503 = Service indisponible
status-other = Erreur

## Détails

problem-forbidden = Votre rôle ne permet pas cette action.
problem-not-found = Cette ressource n’existe pas.
problem-method-not-allowed = Cette méthode n’est pas permise sur cette ressource.
problem-timeout = La requête a pris trop de temps et a été abandonnée.
problem-payload-too-large = Le corps de la requête dépasse 1 Mio.
problem-unsupported-media-type = Envoyez le corps en application/json.
problem-internal-error = Une erreur inattendue s’est produite.
problem-bad-request = La requête n’a pas pu être traitée.
problem-server-error = Le serveur n’a pas pu traiter la requête.
problem-validation-failed =
    { $count ->
        [one] { $count } champ est invalide.
       *[other] { $count } champs sont invalides.
    }
problem-invalid-parameters = Paramètre(s) de requête invalide(s) : { $names }.
problem-rate-limited = Trop de requêtes ; réessayez dans { $seconds } s.
problem-service-unavailable = La base de données est indisponible ; réessayez sous peu.
problem-malformed-json = JSON mal formé : { $reason }
problem-unreadable-body = Impossible de lire le corps de la requête : { $reason }
problem-malformed-query = Chaîne de requête mal formée : { $reason }
problem-not-an-object = Le corps doit être un objet JSON.
problem-sign-in-required = Envoyez un jeton de membre du personnel : `Authorization: Bearer <jeton>`.
problem-token-invalid = Le jeton est invalide ou expiré.
problem-wrong-credentials = L’adresse courriel ou le mot de passe est incorrect.
problem-metrics-token = Envoyez le jeton des métriques : `Authorization: Bearer <jeton>`.
problem-slot-just-taken = Cette plage horaire vient d’être réservée ; veuillez en choisir une autre.
problem-slot-taken = Cette plage horaire est déjà réservée ; veuillez en choisir une autre.
problem-email-taken = Un membre du personnel utilise déjà cette adresse courriel.
problem-no-email =
    Ce patient n’a pas d’adresse courriel à laquelle envoyer le { $what ->
        [exercise_plan] programme d’exercices
       *[care_plan] plan de traitement
    }.
problem-consent-missing =
    Le patient n’a pas consenti à « { $category } » : le { $what ->
        [exercise_plan] programme d’exercices
       *[care_plan] plan de traitement
    } n’a été ni enregistré ni envoyé.
problem-too-many-open-requests = Au plus { $max } demandes de rendez-vous peuvent attendre la confirmation d’une clinique en même temps, par adresse courriel et par adresse du client (MAX_OPEN_REQUESTS). Veuillez attendre que la clinique en confirme ou en annule une, ou téléphonez à la clinique.
problem-already-cancelled = Ce rendez-vous est déjà annulé.
problem-expired-unconfirmed =
    La demande de rendez-vous a expiré sans confirmation à son heure de début, elle ne peut donc pas être { $action ->
        [confirm] confirmé
        [cancel] annulé
        [reschedule] déplacé
        [complete] marqué comme terminé
       *[no_show] marqué comme absence
    } ; le patient peut prendre un nouveau rendez-vous.
problem-cannot-transition =
    Un rendez-vous au statut « { $status } » ne peut pas être { $action ->
        [confirm] confirmé
        [cancel] annulé
        [reschedule] déplacé
        [complete] marqué comme terminé
       *[no_show] marqué comme absence
    }.


## Champs invalides

field-required = est obligatoire
field-empty = ne doit pas être vide
field-required-for-phone = est obligatoire pour une consultation par téléphone
field-clinics-required = le personnel front_desk et practitioner doit avoir au moins une clinique
field-modes-required = doit contenir au moins une valeur parmi phone, video, in_person
field-too-few = doit contenir au moins un élément
field-too-few-exercises = doit contenir au moins un exercice
field-too-many = doit contenir au plus { $max } éléments
field-ambiguous-exercise = donnez soit exercise_id, soit name et instructions, pas les deux
field-unknown-exercise = aucun exercice de la bibliothèque n’a cet identifiant
field-invalid-time = doit être une heure écrite HH:MM, de 00:00 à 23:59
field-invalid-weekday = doit être un jour ISO de 1 (lundi) à 7 (dimanche)
field-whole-number-range = doit être un nombre entier de { $min } à { $max }
field-number-range = doit être un nombre de { $min } à { $max }
field-slot-minutes-range = doit être de { $min } à { $max } minutes
field-radius-range = doit être un nombre supérieur à 0 et d’au plus { $max }
field-end-before-start = doit être après { $start }
field-overlapping-hours =
    chevauche { $other } ({ $day ->
        [1] lundi
        [2] mardi
        [3] mercredi
        [4] jeudi
        [5] vendredi
        [6] samedi
       *[7] dimanche
    } { $from }-{ $to })
field-time-off-too-long = une absence dure au plus 366 jours par entrée
field-too-short = doit contenir au moins { $min } caractères
field-too-long = doit contenir au plus { $max } caractères
field-invalid-datetime = doit être une heure RFC 3339 avec son décalage, p. ex. 2026-12-01T14:30:00-05:00
field-invalid-date = doit être une date AAAA-MM-JJ
field-choose-slot = choisissez l’une des heures proposées
field-before-from = ne doit pas précéder from
field-range-too-long = doit être au plus { $days } jours après from
field-one-of = doit être l’une des valeurs suivantes : { $allowed }
field-invalid-cursor = n’est pas un curseur émis par cette API
field-invalid-coordinates = doit être LAT,LNG en degrés, p. ex. 43.65,-79.38
field-invalid-city = doit être un nom de ville comme Montréal ou Richmond, BC
field-conflicting-province = nomme une autre province que le paramètre province
field-location-missing = donnez exactement un de near=LAT,LNG, postal_code= ou city=
field-location-ambiguous = donnez un seul de near, postal_code et city
field-unknown-postal-code = aucune région postale canadienne { $fsa } n’est connue
field-unknown-city = aucun lieu canadien nommé { $city } n’est connu
field-empty-update-clinic = nommez au moins un champ de la clinique à modifier
field-empty-update-practitioner = nommez au moins un champ du professionnel à modifier
field-empty-update-callback = donnez au moins un de status, note, clinic_id
field-unsupported-locale = doit être en ou fr
field-control-characters = ne doit pas contenir de caractères de contrôle
field-invalid-url = doit être une adresse http(s) absolue
field-postal-code-or-area = doit être un code postal canadien comme H2X 1Y4, ou ses trois premiers caractères
field-postal-code = doit être un code postal canadien comme H2X 1Y4
field-invalid-time-zone = doit être un fuseau horaire IANA comme America/Montreal
field-invalid-email = doit être une adresse courriel valide
field-invalid-phone = doit être un numéro de téléphone valide, p. ex. +1 514-555-0100
field-invalid-language = doit être un code de langue ISO 639-1 comme en ou fr
field-invalid-uuid = doit être un UUID
field-invalid-type =
    doit être { $expected ->
        [string] une chaîne de caractères
        [number] un nombre
        [integer] un nombre entier
        [boolean] true ou false
        [strings] une liste de chaînes de caractères
        [objects] une liste d’objets
       *[object] un objet
    }
field-unknown-wording-version = n’est pas un libellé de consentement publié par ce serveur ; GET /v1/consent-wording donne le libellé en vigueur ({ $current })
field-unknown-clinic = aucune clinique n’a cet identifiant
field-unknown-practitioner = aucun professionnel disponible n’a cet identifiant
field-mode-not-offered = ce professionnel offre seulement : { $offered }
field-invalid-idempotency-key = doit contenir de 1 à 255 caractères ASCII imprimables
field-idempotency-key-reused = cette clé a déjà servi pour une requête au contenu différent
field-in-the-past = starts_at est dans le passé
field-too-soon = starts_at est plus tôt que le délai minimal de réservation
field-outside-hours = starts_at est en dehors des heures du professionnel
field-misaligned = starts_at n’est pas le début d’une des plages du professionnel
field-time-off = le professionnel est absent à ce moment
field-slot-taken = cette plage horaire est déjà réservée

## Le changement d'un patient au moyen du lien de ses courriels
problem-patient-change-closed =
    Ce rendez-vous ne peut plus être modifié en ligne ; veuillez appeler { $clinic } au { $phone }.
