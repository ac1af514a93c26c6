# Les pages d'administration.

admin-area = Administration
admin-nav-label = Administration
admin-nav-dashboard = Tableau de bord
admin-nav-users = Comptes
admin-nav-reports = Signalements
admin-nav-domains = Domaines bloqués
admin-nav-federation = Fédération
admin-nav-log = Journal de modération
admin-nav-settings = Paramètres de l’instance
admin-pages-label = Pages
admin-page-prev = Page précédente
admin-page-next = Page suivante
admin-page-of = Page { $page } sur { $pages }

admin-flash-done = C'est fait.
admin-flash-approved = L'inscription est approuvée.
admin-flash-rejected = L'inscription est refusée et le compte supprimé.
admin-flash-role = Le rôle est modifié.
admin-flash-resolved = Le signalement est traité.
admin-flash-domain-blocked = Le domaine est bloqué.
admin-flash-domain-updated = Le blocage du domaine est modifié.
admin-flash-domain-unblocked = Le blocage du domaine est levé.
admin-flash-domain-allowed = Le domaine est autorisé.
admin-flash-domain-disallowed = Le domaine n'est plus autorisé.
admin-flash-settings-saved = Les paramètres sont enregistrés.

admin-dashboard-title = Tableau de bord
admin-dashboard-users = { $count ->
    [one] compte local
   *[other] comptes locaux
}
admin-dashboard-pending = { $count ->
    [one] inscription en attente d'approbation
   *[other] inscriptions en attente d'approbation
}
admin-dashboard-reports = { $count ->
    [one] signalement ouvert
   *[other] signalements ouverts
}
admin-dashboard-instances = { $count ->
    [one] serveur connu
   *[other] serveurs connus
}
admin-dashboard-failing = { $count ->
    [one] serveur en échec de livraison
   *[other] serveurs en échec de livraison
}
admin-dashboard-queued = { $count ->
    [one] livraison en attente
   *[other] livraisons en attente
}
admin-dashboard-more = Aller plus loin

admin-role-user = Utilisateur
admin-role-moderator = Modérateur
admin-role-admin = Administrateur
admin-remote = Compte distant

admin-state-pending = En attente d'approbation
admin-state-active = Actif
admin-state-silenced = Limité
admin-state-suspended = Suspendu
admin-state-disabled = Connexion désactivée
admin-state-sensitized = Médias marqués sensibles

admin-users-title = Comptes
admin-users-filter-state = État :
admin-users-filter-origin = Origine :
admin-users-filter-all = Tous
admin-users-origin-all = Partout
admin-users-origin-local = Locaux
admin-users-origin-remote = Distants
admin-users-staff-only = Équipe seulement
admin-users-search-label = Chercher par nom ou adresse e-mail
admin-users-search = Chercher
admin-users-count = { $count ->
    [one] { $count } compte
   *[other] { $count } comptes
}
admin-users-account = Compte
admin-users-role = Rôle
admin-users-state = État
admin-users-joined = Inscription

admin-user-profile = Profil public
admin-user-remote-profile = Profil sur son serveur
admin-user-email = Adresse e-mail
admin-user-reason = Motif de l'inscription
admin-user-locale = Langue
admin-user-last-sign-in = Dernière connexion
admin-user-ips = Adresses
admin-user-actions = Modération
admin-user-cannot-act = Vous ne pouvez pas agir sur ce compte : c'est le vôtre, ou il appartient à un autre membre de l'équipe et seuls les administrateurs agissent sur l'équipe.
admin-user-pending-text = Cette personne a demandé à s'inscrire et attend une décision.
admin-user-approve = Approuver l'inscription
admin-user-reject = Refuser l'inscription
admin-user-reject-confirm = Refuser cette inscription et supprimer le compte ?
admin-user-action-legend = Action
admin-user-action-warn = Avertir (consigné dans le journal de modération)
admin-user-action-sensitive = Marquer ses médias comme sensibles
admin-user-action-silence = Limiter : masquer des fils publics et des personnes qui ne le suivent pas
admin-user-action-suspend = Suspendre : tout masquer et fermer ses sessions
admin-user-action-disable = Désactiver la connexion
admin-user-action-text = Motif (conservé dans le journal de modération)
admin-user-action-hint = Suspendre un compte local le supprime sur les serveurs qui le connaissent.
admin-user-action-notify = Les prévenir (une notification avec votre texte)
admin-user-action-submit = Appliquer
admin-user-unsilence = Lever la limitation
admin-user-unsuspend = Lever la suspension
admin-user-unsensitive = Ne plus marquer ses médias comme sensibles
admin-user-enable = Réactiver la connexion
admin-user-role-label = Rôle
admin-user-role-submit = Changer le rôle
admin-user-reports = Signalements visant ce compte
admin-user-no-reports = Personne n'a signalé ce compte.
admin-user-history = Historique de modération

admin-category-spam = Spam
admin-category-legal = Problème juridique
admin-category-violation = Infraction aux règles
admin-category-other = Autre

admin-reports-title = Signalements
admin-reports-open = Ouverts
admin-reports-resolved = Traités
admin-reports-count = { $count ->
    [one] { $count } signalement
   *[other] { $count } signalements
}
admin-reports-report = Signalement
admin-report-title = Signalement n° { $id }
admin-report-state = État
admin-report-open = Ouvert
admin-report-resolved = Traité
admin-report-target = Compte signalé
admin-report-reporter = Signalé par
admin-report-remote = depuis un autre serveur
admin-report-filed = Déposé le
admin-report-forwarded = transmis à son serveur
admin-report-category = Catégorie
admin-report-rules = Règles enfreintes
admin-report-comment = Commentaire
admin-report-no-comment = Aucun commentaire.
admin-report-assigned = Confié à
admin-report-nobody = Personne
admin-report-posts = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
admin-report-assign = Me le confier
admin-report-unassign = Ne plus m'en occuper
admin-report-posts-title = Messages signalés
admin-report-no-posts = Aucun message n'est joint, ou ils ont été supprimés.
admin-report-decide = Décision
admin-report-resolve-legend = Mesure à prendre en traitant le signalement
admin-resolve-none = Aucune mesure
admin-resolve-sensitive = Marquer les messages comme sensibles
admin-resolve-delete = Supprimer les messages
admin-resolve-silence = Limiter le compte
admin-resolve-suspend = Suspendre le compte
admin-report-note-label = Note (conservée dans le journal de modération)
admin-report-resolve = Traiter
admin-report-reopen = Rouvrir
admin-report-history = Notes et historique
admin-report-add-note = Nouvelle note
admin-report-add-note-submit = Ajouter la note

admin-domains-title = Domaines bloqués
admin-domains-intro = Les blocages visent des serveurs entiers ; leurs motifs publics sont publiés avec la liste des serveurs modérés.
admin-domains-none = Aucun domaine n'est bloqué.
admin-domains-domain = Domaine
admin-domains-domain-hint = Par exemple example.org, ou *.example.org pour tous ses sous-domaines.
admin-domains-severity = Sévérité
admin-domains-severity-hint = Suspendre refuse tout ce qui vient du serveur ; limiter écarte ses messages des fils publics ; aucune n'applique que les options ci-dessous.
admin-severity-suspend = Suspendre
admin-severity-silence = Limiter
admin-severity-noop = Aucune
admin-domains-options = Options
admin-domains-reject-media = Refuser les fichiers médias
admin-domains-reject-reports = Refuser les signalements
admin-domains-obfuscate = Masquer une partie du domaine dans la liste publique
admin-domains-obfuscated = Partiellement masqué en public
admin-domains-public-comment = Motif public
admin-domains-public-hint = Visible de tous avec la liste des serveurs modérés.
admin-domains-private-comment = Commentaire privé
admin-domains-reasons = Motifs
admin-domains-actions = Actions
admin-domains-edit = Modifier
admin-domains-remove = Débloquer
admin-domains-remove-confirm = Lever le blocage de { $domain } ?
admin-domains-add = Bloquer un domaine
admin-domains-add-submit = Bloquer
admin-domains-error-blank = Le domaine manque.
admin-domains-error-exists = { $domain } est déjà bloqué : modifiez plutôt son blocage.
admin-domain-edit-title = Blocage de { $domain }
admin-domain-edit-since = Bloqué depuis le { $date }.
admin-domain-edit-submit = Enregistrer le blocage
admin-domain-edit-back = Revenir aux domaines bloqués
admin-allows-title = Domaines autorisés
admin-allows-intro = Autoriser un domaine fait passer la fédération en liste blanche : tout serveur absent de cette liste est alors refusé.
admin-allows-add = Autoriser
admin-allows-remove = Ne plus autoriser

admin-settings-title = Paramètres de l'instance
admin-settings-pinned-intro = Certains paramètres sont fixés par l'environnement du serveur : ils sont affichés mais ne se modifient pas ici.
admin-settings-pinned = Fixé par l'environnement : modifiez-le dans la configuration du serveur.
admin-settings-name = Nom de l'instance
admin-settings-description = Description
admin-settings-email = Adresse e-mail de contact
admin-settings-rules = Règles
admin-settings-rules-hint = Une règle par ligne.
admin-settings-registrations = Inscriptions
admin-settings-public-timelines = Les visiteurs peuvent lire les fils publics
admin-settings-public-timelines-hint = Sans compte, on peut alors lire les fils local et fédéré et les mots-clés, ici comme dans les applications. Les profils et les messages restent publics dans tous les cas.
admin-mode-open = Ouvertes : tout le monde peut s'inscrire
admin-mode-approval = Sur approbation : un modérateur valide chaque inscription
admin-mode-invite = Sur invitation seulement
admin-mode-closed = Fermées
admin-settings-save = Enregistrer les paramètres
admin-settings-error-mode = Choisissez l’un des modes d’inscription proposés.

admin-federation-title = Santé de la fédération
admin-federation-intro = Tous les serveurs que celui-ci connaît, ceux dont les livraisons échouent en premier. Une livraison échouée est retentée pendant environ une journée.
admin-federation-none = Aucun autre serveur n'est encore connu.
admin-federation-server = Serveur
admin-federation-state = État
admin-federation-last-success = Dernière livraison
admin-federation-last-failure = Dernier échec
admin-federation-failures = Échecs d'affilée
admin-federation-queued = Livraisons en attente
admin-federation-failing = En échec
admin-federation-since = depuis le { $date }
admin-federation-ok = Joignable
admin-federation-unknown = Aucune livraison encore
admin-federation-never = Jamais

admin-log-title = Journal de modération
admin-log-empty = Rien n'a encore été consigné.
admin-log-when = Quand
admin-log-who = Qui
admin-log-action = Action
admin-log-target = Objet
admin-log-text = Note
admin-log-system = Le serveur
admin-log-newest = Entrées les plus récentes
admin-log-older = Entrées plus anciennes

admin-action-warn = A averti
admin-action-sensitive = A marqué comme sensible
admin-action-disable = A désactivé la connexion
admin-action-silence = A limité
admin-action-suspend = A suspendu
admin-action-enable = A réactivé la connexion
admin-action-unsilence = A levé la limitation
admin-action-unsuspend = A levé la suspension
admin-action-unsensitive = A cessé de marquer comme sensible
admin-action-approve = A approuvé
admin-action-reject = A refusé
admin-action-delete = A supprimé
admin-action-assign = A attribué
admin-action-resolve = A traité
admin-action-reopen = A rouvert
admin-action-note = A annoté
admin-action-note_delete = A supprimé une note
admin-action-role = A changé le rôle
admin-action-tag = A étiqueté
admin-action-untag = A retiré l'étiquette
admin-action-create = A créé
admin-action-update = A modifié
admin-action-destroy = A supprimé

admin-target-account = compte
admin-target-report = signalement
admin-target-status = message
admin-target-domain_block = blocage de domaine
admin-target-domain_allow = domaine autorisé
admin-target-email_domain_block = blocage de domaine e-mail
admin-target-canonical_email_block = blocage d'adresse e-mail
admin-target-ip_block = blocage d'IP
