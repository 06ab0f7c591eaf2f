# pages
#
# Chaque mot des pages derrière les liens des courriels : la page des préférences (désabonnement),
# celle qui dit ce qui a été enregistré, la confirmation du double consentement et la page d'un lien
# qui n'est pas valide. Les gabarits (templates/pages/) ne font que mettre ces textes en page; les
# identifiants sont expliqués dans locales/en/pages.ftl.
#
# $clinic est l'expéditeur dont parle le lien (une clinique, ou le réseau); $senders nomme ceux à
# qui le consentement est donné (« Clinique A et Réseau B »). Pour éviter l'élision devant un nom
# qui commence par une voyelle (« de », « que »), les phrases placent ces noms après « par »,
# « avec » ou en fin de phrase. Un argument sans valeur (aucun téléphone) arrive comme le texte
# « none ».
# Typographie : espace insécable (U+00A0) avant les deux-points, le point-virgule, le point
# d'interrogation et le point d'exclamation, et à l'intérieur des « guillemets ».

## Toutes les pages

# Le lien vers la même page dans l'autre langue, écrit dans cette langue.
page-switch-language = English
page-error = Une erreur s'est produite. Veuillez réessayer plus tard.

## Catégories de consentement

page-category-appointment-reminders = Rappels de rendez-vous
    .hint = Un rappel avant chaque rendez-vous confirmé.
page-category-exercise-plans = Programmes d'exercices
    .hint = Les exercices à faire à la maison que votre thérapeute prépare pour vous.
page-category-plans-of-care = Plans de traitement
    .hint = Votre plan de traitement : objectifs, séances et durée.
page-category-service-updates = Nouvelles sur les services
    .hint = Des nouvelles sur des services pertinents pour vous.

## La page des préférences (GET /unsubscribe/{token})

page-preferences-title = Préférences de courriel · { $clinic }
page-preferences-heading = Vos préférences de courriel
page-preferences-intro = Voici les courriels que peut vous envoyer { $clinic }. Les confirmations de rendez-vous et les modifications que vous avez demandées vous sont toujours envoyées. Pour les catégories ci-dessous, c'est vous qui choisissez.
page-preferences-quick = Choix rapides
page-preferences-unsubscribe-appointment-reminders = Se désabonner des rappels de rendez-vous
page-preferences-unsubscribe-exercise-plans = Se désabonner des programmes d'exercices
page-preferences-unsubscribe-plans-of-care = Se désabonner des plans de traitement
page-preferences-unsubscribe-service-updates = Se désabonner des nouvelles sur les services
page-preferences-unsubscribe-these = Se désabonner de tous ces courriels
page-preferences-unsubscribe-all = Se désabonner de tous les courriels envoyés par { $clinic }
page-preferences-unsubscribe-everywhere = Se désabonner de tous les expéditeurs
page-preferences-unsubscribe-everywhere-hint = Toutes les cliniques de ce site avec lesquelles vous avez été en contact, ainsi que le site lui-même.
page-preferences-choose = Choisissez ce que vous recevez
page-preferences-send-me = Envoyez-moi :
page-preferences-save = Enregistrer mes choix
page-preferences-footer =
    { $phone ->
        [none] Nous ne vendons jamais votre adresse courriel. Des questions ? Communiquez avec { $clinic }.
       *[other] Nous ne vendons jamais votre adresse courriel. Des questions ? Communiquez avec { $clinic } au { $phone }.
    }

## Ce qui a été enregistré (POST /unsubscribe/{token})

page-saved-title = Préférences enregistrées · { $clinic }
page-saved-heading = Vos préférences sont enregistrées
page-saved-everywhere = Votre désabonnement s'applique à tous les expéditeurs : aucune clinique de ce site, ni le site lui-même, ne vous enverra de rappels, de programmes ou de nouvelles. Vous recevrez quand même les courriels au sujet d'un rendez-vous que vous prenez ou d'une demande pour que nous vous rappelions.
page-saved-from-now-on = Dorénavant, { $clinic } vous enverra :
# Une catégorie et si elle est envoyée : « Programmes d'exercices : non ».
page-saved-item = { $category } : { $answer }
page-saved-yes = oui
page-saved-no = non
page-saved-at-once = Ce changement a pris effet immédiatement, y compris pour les courriels déjà en attente d'envoi.
page-saved-change-again = Modifier de nouveau vos préférences

## Le double consentement (GET/POST /consent/confirm/{token})

page-confirm-title = Confirmez votre choix · { $senders }
page-confirm-heading = Confirmez que vous souhaitez recevoir nos nouvelles
page-confirm-intro = Cette adresse courriel a été inscrite dans un formulaire pour recevoir des nouvelles sur des services pertinents pour vous, offerts par { $senders }. Rien ne vous sera envoyé tant que vous n'aurez pas confirmé que la demande vient bien de vous.
page-confirm-button = Oui, envoyez-moi des nouvelles sur les services
page-confirm-not-you = Si vous n'avez pas fait cette demande, fermez cette page : rien ne changera et vous ne recevrez aucune nouvelle. Nous ne vendons jamais votre adresse courriel, et chaque courriel contient un lien pour vous désabonner en tout temps.
page-confirmed-title = Choix confirmé · { $senders }
page-confirmed-heading = Merci : votre choix est confirmé
page-confirmed-body = Vous recevrez désormais des nouvelles sur des services pertinents pour vous, envoyées par { $senders }. Chaque courriel contient un lien pour vous désabonner en tout temps.

## Un lien qui n'est pas valide (modifié, expiré, qui ne nomme personne)

page-invalid-title = Lien non valide
page-invalid-heading = Ce lien n'est pas valide ou a expiré
page-invalid-body = Aucun changement n'a été fait. Pour cesser de recevoir des courriels ou modifier ceux que vous recevez, utilisez le lien d'un courriel récent de votre clinique, ou communiquez directement avec elle.

## Modifier un rendez-vous (GET/POST /manage/{token})

page-manage-title = Votre rendez-vous · { $clinic }
page-manage-heading = Votre rendez-vous
page-manage-when = Quand : { $when }
page-manage-zone = Les heures sont celles du fuseau horaire de la clinique ({ $zone }).
page-manage-with = Avec : { $practitioner }
page-manage-mode-phone = Comment : par téléphone
page-manage-mode-video = Comment : par vidéo
page-manage-mode-in-person = Où : en personne, { $address }
page-manage-clinic-phone = Clinique : { $clinic }, { $phone }
page-manage-status-requested = État : demandé (la clinique ne l'a pas encore confirmé)
page-manage-status-confirmed = État : confirmé
page-manage-status-cancelled = État : annulé
page-manage-status-finished = État : ce rendez-vous est terminé
page-manage-cutoff = Vous pouvez modifier ou annuler ce rendez-vous en ligne jusqu'à ce moment : { $when }.
page-manage-closed = Ce rendez-vous ne peut plus être modifié en ligne. Pour le modifier, veuillez téléphoner au { $phone } ({ $clinic }).
page-manage-done-cancelled = Votre rendez-vous est annulé. La clinique en a été avisée.
page-manage-done-rescheduled = Votre rendez-vous a été déplacé. La nouvelle heure est indiquée ci-dessous.
page-manage-slot-taken = Nous sommes désolés, cette heure vient d'être prise. Veuillez en choisir une autre.
page-manage-slot-invalid = Cette heure ne peut pas être réservée. Veuillez choisir une des heures proposées.
page-manage-reason-invalid = La raison est trop longue. Veuillez la raccourcir à 500 caractères ou moins.
page-manage-reschedule-heading = Choisir une autre heure
page-manage-reschedule-legend = Heures disponibles
page-manage-reschedule-none = Aucune autre heure n'est libre dans les deux prochaines semaines. Pour modifier ce rendez-vous, veuillez téléphoner au { $phone } ({ $clinic }).
page-manage-reschedule-button = Déplacer mon rendez-vous
page-manage-cancel-heading = Annuler ce rendez-vous
page-manage-cancel-reason = Raison (facultatif)
page-manage-cancel-button = Annuler mon rendez-vous
page-manage-invalid-title = Lien non valide
page-manage-invalid-heading = Ce lien n'est pas valide ou a expiré
page-manage-invalid-body = Aucun changement n'a été fait. Utilisez le lien du plus récent courriel au sujet de votre rendez-vous, ou téléphonez à votre clinique.
