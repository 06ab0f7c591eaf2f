# emails
#
# Chaque mot des courriels que reçoivent les patients. Les gabarits (templates/) ne font que mettre
# ces textes en page; le code (src/email/templates.rs) prépare ceux qui suivent une règle (heures,
# nombres, dosages). Les identifiants sont expliqués dans locales/en/emails.ftl.
#
# Un argument sans valeur (aucun nom donné, aucun numéro de téléphone) arrive comme le texte
# « none » : { $practitioner -> [none] … *[other] … } dit quoi écrire sans lui.
# Typographie : espace insécable (U+00A0) avant les deux-points, le point-virgule, le point
# d'interrogation et le point d'exclamation, et à l'intérieur des « guillemets ».

## Mise en page : salutation, signature et pied de page

emails-greeting =
    { $name ->
        [none] Bonjour,
       *[other] Bonjour { $name },
    }
emails-signoff = Cordialement,
# La clinique signe de son nom (« L'équipe de … » demanderait l'élision devant une voyelle).
emails-signoff-team = { $clinic }
emails-clinic-team = l'équipe de la clinique
emails-clinic-team-title = L'équipe de la clinique
emails-footer-phone = Téléphone : { $phone }
emails-footer-no-clinic = Envoyé par l'équipe de la clinique.
emails-footer-unsubscribe = Vous pouvez vous désabonner en tout temps :
emails-footer-privacy = Nous respectons votre vie privée : nous ne vendons jamais votre adresse courriel.
emails-label = { $label } :

## Pourquoi la personne reçoit ce courriel (pied de page)

emails-why-callback = Vous recevez ce courriel parce que vous nous avez demandé de vous rappeler.
emails-why-booking = Vous recevez ce courriel parce que vous avez pris rendez-vous avec nous.
emails-why-reminders = Vous recevez ce courriel parce que vous avez choisi de recevoir des rappels de rendez-vous.
emails-why-exercise-plans = Vous recevez ce courriel parce que vous avez choisi de recevoir vos programmes d'exercices par courriel.
emails-why-care-plans = Vous recevez ce courriel parce que vous avez choisi de recevoir vos plans de traitement par courriel.
emails-why-form = Vous recevez ce courriel parce que cette adresse a été inscrite dans l'un de nos formulaires.

## Nombres, durées et moments (en français, 0 et 1 sont au singulier)

emails-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
emails-hours =
    { $count ->
        [one] { $count } heure
       *[other] { $count } heures
    }
emails-days =
    { $count ->
        [one] { $count } jour
       *[other] { $count } jours
    }
emails-hours-minutes = { $hours } { $minutes }
emails-time-in-zone = { $time } ({ $zone })

## La consultation, telle que les phrases la nomment (« votre consultation en physiothérapie »)

emails-consultation =
    { $discipline ->
        [physiotherapy] consultation en physiothérapie
        [chiropractic] consultation en chiropratique
       *[other] consultation
    }
emails-discipline =
    { $discipline ->
        [physiotherapy] physiothérapie
        [chiropractic] chiropratique
       *[other] { $discipline }
    }

## Détails du rendez-vous

emails-details-when = Quand
emails-details-length = Durée
emails-details-with = Avec
emails-details-how = Mode
emails-details-where = Lieu

## Déroulement de la consultation

emails-mode-phone-label = Par téléphone
emails-mode-video-label = Par vidéo
emails-mode-in-person-label = En personne
emails-mode-phone =
    { $practitioner ->
        [none] nous vous appellerons
       *[other] { $practitioner } vous appellera
    } { $phone ->
        [none] au numéro de téléphone que vous nous avez donné
       *[other] au { $phone }
    } à l'heure indiquée ci-dessus. Veuillez garder votre téléphone à portée de main.
emails-mode-phone-text = Il s'agit d'une consultation par téléphone : { $details }
emails-mode-video = vous recevrez par courriel, avant le rendez-vous, un lien pour vous joindre à l'appel. Idéalement, installez-vous dans un endroit calme, avec une bonne connexion et un peu d'espace pour bouger.
emails-mode-video-text = Il s'agit d'une consultation par vidéo : { $details }
emails-mode-arrive = Veuillez arriver quelques minutes à l'avance et porter des vêtements confortables qui vous permettent de bouger librement.
emails-mode-in-person =
    { $clinic ->
        [none] { emails-mode-arrive }
       *[other] nous avons hâte de vous accueillir chez { $clinic }. { emails-mode-arrive }
    }
emails-mode-in-person-text =
    { $clinic ->
        [none] Cette consultation a lieu en personne. { emails-mode-arrive }
       *[other] Cette consultation a lieu en personne : nous avons hâte de vous accueillir chez { $clinic }. { emails-mode-arrive }
    }

## Rappels prévus à la confirmation

emails-reminders-title = Rappels
emails-reminders-intro = Si vous avez choisi de recevoir des rappels de rendez-vous, voici quand ils vous parviendront :
emails-reminders-intro-text = Rappels (si vous avez choisi de les recevoir) :
emails-reminders-at = { $lead } avant : { $at }
emails-reminders-skipped = { $lead } avant : aucun rappel, car { $reason }
emails-reminders-skipped-passed = ce moment était déjà passé

## callback_received

callback-received-subject =
    { $clinic ->
        [none] Merci d'avoir communiqué avec nous : nous vous rappellerons
       *[other] Merci d'avoir communiqué avec { $clinic } : nous vous rappellerons
    }
callback-received-heading = Nous vous rappellerons
callback-received-intro = Merci d'avoir communiqué avec { $clinic }. Nous avons bien reçu votre demande de rappel.
callback-received-when =
    { $phone ->
        [none] Un membre de notre équipe vous appellera { $when }.
       *[other] Un membre de notre équipe vous appellera au { $phone } { $when }.
    }
callback-received-preferred-time =
    { $preferred ->
        [morning] en matinée, comme vous l'avez demandé
        [afternoon] en après-midi, comme vous l'avez demandé
        [evening] en soirée, comme vous l'avez demandé
       *[other] dès que possible
    }
callback-received-sooner = Pour nous joindre plus tôt, appelez-nous au { $phone }.
callback-received-not-you = Si vous n'avez pas demandé qu'on vous rappelle, vous pouvez ignorer ce courriel.

## booking_requested

# $when : « mardi 1er décembre à 9 h 30 ».
booking-requested-subject =
    { $practitioner ->
        [none] Demande reçue : votre { $consultation } le { $when }
       *[other] Demande reçue : votre { $consultation } avec { $practitioner } le { $when }
    }
booking-requested-heading = Nous avons bien reçu votre demande de rendez-vous
booking-requested-intro =
    { $practitioner ->
        [none] Merci d'avoir choisi { $clinic }. Nous avons bien reçu votre demande de { $consultation }.
       *[other] Merci d'avoir choisi { $clinic }. Nous avons bien reçu votre demande de { $consultation } avec { $practitioner }.
    }
booking-requested-not-confirmed = Cette plage horaire n'est pas encore confirmée.
booking-requested-next = Notre équipe examinera votre demande et vous enverra un courriel dès qu'elle sera confirmée, avec une invitation de calendrier.
booking-requested-change = Pour modifier ou annuler votre demande, appelez-nous au { $phone }.

## booking_confirmed

booking-confirmed-subject =
    { $practitioner ->
        [none] Votre { $consultation } est confirmée : { $when }
       *[other] Votre { $consultation } avec { $practitioner } est confirmée : { $when }
    }
booking-confirmed-heading = Votre consultation est confirmée
booking-confirmed-intro =
    { $practitioner ->
        [none] Bonne nouvelle : votre { $consultation } est confirmée.
       *[other] Bonne nouvelle : votre { $consultation } avec { $practitioner } est confirmée.
    }
booking-confirmed-invite = Une invitation de calendrier (invite.ics) est jointe à ce courriel : ouvrez-la pour ajouter le rendez-vous à votre calendrier.
booking-confirmed-change =
    { $phone ->
        [none] Vous devez modifier ou annuler ce rendez-vous ? Veuillez nous en aviser le plus tôt possible, afin que nous puissions offrir cette plage horaire à une autre personne.
       *[other] Vous devez modifier ou annuler ce rendez-vous ? Veuillez nous en aviser le plus tôt possible au { $phone }, afin que nous puissions offrir cette plage horaire à une autre personne.
    }

## booking_rescheduled

booking-rescheduled-subject =
    { $practitioner ->
        [none] Rendez-vous déplacé : votre { $consultation } aura maintenant lieu le { $when }
       *[other] Rendez-vous déplacé : votre { $consultation } avec { $practitioner } aura maintenant lieu le { $when }
    }
booking-rescheduled-heading = Votre consultation a été déplacée
booking-rescheduled-intro =
    { $practitioner ->
        [none] Votre { $consultation } a été déplacée à un autre moment.
       *[other] Votre { $consultation } avec { $practitioner } a été déplacée à un autre moment.
    }
# $previous : « le samedi 28 novembre 2026 à 14 h 00 (America/Toronto) ».
booking-rescheduled-previous = Elle était prévue { $previous }.
booking-rescheduled-invite = Une invitation de calendrier mise à jour (invite.ics) est jointe à ce courriel : ouvrez-la pour déplacer le rendez-vous dans votre calendrier.
booking-rescheduled-not-confirmed = Ce nouvel horaire n'est pas encore confirmé : nous vous écrirons de nouveau dès qu'il le sera.
booking-rescheduled-change =
    { $phone ->
        [none] Si ce nouvel horaire ne vous convient pas, veuillez nous en aviser le plus tôt possible.
       *[other] Si ce nouvel horaire ne vous convient pas, veuillez nous en aviser le plus tôt possible au { $phone }.
    }

## booking_cancelled

booking-cancelled-subject =
    { $practitioner ->
        [none] Annulation : votre { $consultation } du { $when }
       *[other] Annulation : votre { $consultation } avec { $practitioner } du { $when }
    }
booking-cancelled-heading = Votre consultation a été annulée
# $when : « le mardi 1er décembre 2026 à 9 h 30 (America/Toronto) ».
booking-cancelled-intro =
    { $practitioner ->
        [none] Votre { $consultation } prévue { $when } a été annulée.
       *[other] Votre { $consultation } avec { $practitioner } prévue { $when } a été annulée.
    }
booking-cancelled-reason = Motif
booking-cancelled-invite = La mise à jour de calendrier jointe (invite.ics) retire le rendez-vous de votre calendrier.
booking-cancelled-rebook =
    { $phone ->
        [none] Si vous souhaitez un nouveau rendez-vous, nous serons heureux de vous aider : réservez en ligne au moment qui vous convient.
       *[other] Si vous souhaitez un nouveau rendez-vous, nous serons heureux de vous aider : appelez-nous au { $phone } ou réservez en ligne au moment qui vous convient.
    }

## appointment_reminder

appointment-reminder-subject =
    { $practitioner ->
        [none] Rappel : votre { $consultation } le { $when }
       *[other] Rappel : votre { $consultation } avec { $practitioner } le { $when }
    }
appointment-reminder-heading = Votre consultation approche
appointment-reminder-intro =
    { $practitioner ->
        [none] Nous vous rappelons que votre { $consultation } aura lieu dans environ { $lead }.
       *[other] Nous vous rappelons que votre { $consultation } avec { $practitioner } aura lieu dans environ { $lead }.
    }
appointment-reminder-cannot-come =
    { $phone ->
        [none] Si vous ne pouvez plus vous présenter, veuillez nous en aviser le plus tôt possible, afin que nous puissions offrir cette plage horaire à une autre personne.
       *[other] Si vous ne pouvez plus vous présenter, veuillez nous en aviser le plus tôt possible au { $phone }, afin que nous puissions offrir cette plage horaire à une autre personne.
    }

## exercise_plan

exercise-plan-subject =
    { $title ->
        [none] Votre programme d'exercices
       *[other] Votre programme d'exercices : { $title }
    }
exercise-plan-heading = Votre programme d'exercices
exercise-plan-intro =
    { $staff ->
        [none]
            { $title ->
                [none] Nous avons préparé un programme d'exercices pour vous.
               *[other] Nous avons préparé un programme d'exercices pour vous : { $title }.
            }
       *[other]
            { $title ->
                [none] { $staff } a préparé un programme d'exercices pour vous.
               *[other] { $staff } a préparé un programme d'exercices pour vous : { $title }.
            }
    }
# Le nom en sujet évite « de » devant un prénom qui commence par une voyelle.
exercise-plan-note =
    { $staff ->
        [none] Une note de votre thérapeute
       *[other] { $staff } vous a laissé une note
    }
exercise-plan-exercises = Vos exercices
exercise-plan-dosage = À faire
exercise-plan-safety =
    { $phone ->
        [none] Allez-y doucement, dans une amplitude confortable. Si un exercice cause une douleur vive, des étourdissements ou un engourdissement, arrêtez et appelez-nous.
       *[other] Allez-y doucement, dans une amplitude confortable. Si un exercice cause une douleur vive, des étourdissements ou un engourdissement, arrêtez et appelez-nous au { $phone }.
    }
exercise-plan-sets =
    { $sets ->
        [one] { $sets } série
       *[other] { $sets } séries
    }
exercise-plan-reps =
    { $reps ->
        [one] { $reps } répétition
       *[other] { $reps } répétitions
    }
exercise-plan-sets-reps = { exercise-plan-sets } de { exercise-plan-reps }
exercise-plan-hold =
    { $seconds ->
        [one] maintenir la position { $seconds } seconde
       *[other] maintenir la position { $seconds } secondes
    }
exercise-plan-volume-hold =
    { $seconds ->
        [one] { $volume }, en maintenant la position { $seconds } seconde
       *[other] { $volume }, en maintenant la position { $seconds } secondes
    }

## care_plan

care-plan-subject =
    { $title ->
        [none] Votre plan de traitement
       *[other] Votre plan de traitement : { $title }
    }
care-plan-heading = Votre plan de traitement
care-plan-intro =
    { $staff ->
        [none]
            { $title ->
                [none] Nous avons préparé votre plan de traitement.
               *[other] Nous avons préparé votre plan de traitement : { $title }.
            }
       *[other]
            { $title ->
                [none] { $staff } a préparé votre plan de traitement.
               *[other] { $staff } a préparé votre plan de traitement : { $title }.
            }
    }
care-plan-summary = Résumé
care-plan-goals = Objectifs
care-plan-visits = Séances
care-plan-recommend = Nous vous recommandons { $schedule }.
care-plan-visit-count =
    { $visits ->
        [one] { $visits } séance
       *[other] { $visits } séances
    }
care-plan-week-count =
    { $weeks ->
        [one] { $weeks } semaine
       *[other] { $weeks } semaines
    }
care-plan-schedule = { care-plan-visit-count } par semaine pendant { care-plan-week-count }
care-plan-schedule-visits = { care-plan-visit-count } par semaine
care-plan-schedule-weeks = un suivi sur { care-plan-week-count }
care-plan-questions =
    { $phone ->
        [none] Ce plan est un point de départ : nous le réviserons avec vous au fil de vos progrès. Si vous avez des questions, n'hésitez pas à nous les poser à votre prochain rendez-vous.
       *[other] Ce plan est un point de départ : nous le réviserons avec vous au fil de vos progrès. Si vous avez des questions, appelez-nous au { $phone }.
    }

## consent_confirmation

consent-confirmation-subject = Veuillez confirmer : nouvelles sur les services offerts par { $senders }
consent-confirmation-title = Veuillez confirmer
consent-confirmation-heading = Veuillez confirmer que vous souhaitez recevoir nos nouvelles
consent-confirmation-intro = Cette adresse courriel a été inscrite dans un formulaire pour recevoir des nouvelles sur des services pertinents pour vous, offerts par { $senders }.
consent-confirmation-only-once = Nous ne vous enverrons ces nouvelles qu'une fois que vous aurez confirmé que la demande vient bien de vous.
consent-confirmation-only-once-link = Nous ne vous enverrons ces nouvelles qu'une fois que vous aurez confirmé que la demande vient bien de vous :
consent-confirmation-button = Confirmer mon choix
# $expires : « le mardi 8 décembre 2026 à 4 h 30 (America/Toronto) ».
consent-confirmation-expires = Le lien ouvre une page avec un bouton de confirmation. Il expire { $expires }.
consent-confirmation-copy = Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur : { $url }
consent-confirmation-not-you = Si vous n'avez pas fait cette demande, ignorez ce courriel : vous ne recevrez aucune nouvelle de notre part.

## L’invitation de calendrier (invite.ics) d’un courriel de rendez-vous

invite-summary = Consultation gratuite avec { $practitioner }
invite-description =
    { $mode ->
        [phone] Consultation par téléphone : { $practitioner } vous appellera.
        [video] Consultation par vidéo avec { $practitioner } : la clinique vous envoie le lien.
       *[in_person] Consultation en personne à { $location }.
    }

## Le lien « besoin de changer votre rendez-vous ? » d'un courriel de rendez-vous
emails-manage-prompt = Besoin de changer votre rendez-vous ?
emails-manage-action = Vous pouvez l'annuler ou choisir une autre heure ici :

## booking_changed_by_patient (à l'adresse de notification de la clinique, pas au patient)
emails-why-staff-notice = Vous recevez ce courriel parce que cette adresse est celle où la clinique apprend les changements que les patients apportent à leurs rendez-vous.
changed-by-patient-cancelled-subject =
    { $patient ->
        [none] Un patient a annulé son rendez-vous du { $when }
       *[other] { $patient } a annulé son rendez-vous du { $when }
    }
changed-by-patient-moved-subject =
    { $patient ->
        [none] Un patient a déplacé son rendez-vous au { $when }
       *[other] { $patient } a déplacé son rendez-vous au { $when }
    }
changed-by-patient-cancelled-heading = Un patient a annulé son rendez-vous
changed-by-patient-moved-heading = Un patient a déplacé son rendez-vous
changed-by-patient-cancelled-intro =
    { $patient ->
        [none] Un patient a annulé sa { $consultation } au moyen du lien de ses courriels. La plage horaire est de nouveau libre.
       *[other] { $patient } a annulé sa { $consultation } au moyen du lien de ses courriels. La plage horaire est de nouveau libre.
    }
# $previous : « le mardi 1er décembre 2026 à 9 h 30 (America/Toronto) ».
changed-by-patient-moved-intro =
    { $patient ->
        [none] Un patient a déplacé sa { $consultation } au moyen du lien de ses courriels ; elle était prévue { $previous }. La nouvelle heure :
       *[other] { $patient } a déplacé sa { $consultation } au moyen du lien de ses courriels ; elle était prévue { $previous }. La nouvelle heure :
    }
changed-by-patient-booking-id = Rendez-vous { $id }
