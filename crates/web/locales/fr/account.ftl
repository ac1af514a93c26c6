# Les pages du compte : connexion, inscription, réglages, la page d'autorisation OAuth.

## Connexion et déconnexion
account-sign-in-title = Se connecter
account-login-label = Nom d'utilisateur ou adresse e-mail
account-password-label = Mot de passe
account-sign-in-submit = Se connecter
account-no-account = Pas encore de compte ?
account-sign-up-link = S'inscrire
account-have-account = Vous avez déjà un compte ?
account-signed-out = Vous êtes déconnecté·e.
account-refused-credentials = Le nom d'utilisateur ou le mot de passe est incorrect.
account-refused-pending = Votre compte attend l'approbation d'un·e modérateur·rice. Vous pourrez vous connecter une fois qu'il sera approuvé.
account-refused-unconfirmed = Confirmez d'abord votre adresse e-mail : ouvrez le lien du courriel que nous vous avons envoyé.
account-refused-disabled = Votre compte est suspendu ou désactivé : vous ne pouvez pas vous connecter.

## Inscription
account-sign-up-title = Créer un compte
account-sign-up-closed-text = Les inscriptions sont fermées sur ce serveur : aucun nouveau compte ne peut y être créé pour le moment.
account-invite-needed = Ce serveur n'accepte de nouveaux comptes que sur invitation. Ouvrez le lien d'invitation que vous avez reçu.
account-invite-invalid = Cette invitation est inconnue, épuisée ou expirée.
account-invite-notice = Vous avez été invité·e sur ce serveur : bienvenue !
account-approval-notice = Chaque nouveau compte est examiné par l'équipe de modération de ce serveur. Dites-lui pourquoi vous souhaitez nous rejoindre.
account-rules-title = Règles de ce serveur
account-username-label = Nom d'utilisateur
account-username-hint = Lettres, chiffres et tirets bas uniquement. Il ne pourra pas être modifié.
account-email-label = Adresse e-mail
account-password-hint = Au moins 8 caractères.
account-password-confirmation-label = Confirmez le mot de passe
account-password-mismatch = Les deux mots de passe ne sont pas identiques.
account-reason-label = Pourquoi souhaitez-vous nous rejoindre ?
account-reason-hint = L'équipe de modération le lit avant d'approuver votre compte.
account-captcha-legend = Prouvez que vous êtes une personne
account-captcha-alt = Cinq chiffres dessinés sur un fond brouillé
account-captcha-label = Les chiffres de l'image
account-agreement-label = J'ai lu les règles de ce serveur et je les accepte
account-sign-up-submit = S'inscrire
account-welcome = Bienvenue ! Votre compte est prêt.
account-pending-title = En attente d'approbation
account-pending-text = Merci ! Un·e modérateur·rice va examiner votre demande. Vous pourrez vous connecter une fois votre compte approuvé.
account-check-mail-title = Consultez vos courriels
account-check-mail-text = Nous vous avons envoyé un courriel contenant un lien : ouvrez-le pour confirmer votre adresse, puis connectez-vous.

## Confirmation de l'adresse e-mail
account-confirmed-title = Adresse confirmée
account-confirmed-text = Votre adresse e-mail est confirmée : vous pouvez maintenant vous connecter.
account-confirmation-unknown-title = Lien inconnu
account-confirmation-unknown-text = Ce lien de confirmation est inconnu ou a déjà servi.

## Réglages
account-settings-title = Réglages
account-settings-nav = Réglages
account-settings-profile = Profil
account-settings-preferences = Préférences
account-settings-password = Mot de passe
account-save = Enregistrer
account-display-name-label = Nom affiché
account-note-label = Biographie
account-note-hint = Texte brut, 500 caractères au plus. Les liens, mentions et mots-croisillons deviennent des liens.
account-fields-legend = Champs du profil
account-fields-hint = Jusqu'à quatre lignes étiquetées affichées sur votre profil (un site web, vos pronoms…).
account-field-name-label = Étiquette { $number }
account-field-value-label = Contenu { $number }
account-pictures-legend = Images
account-avatar-current = Votre avatar actuel
account-avatar-label = Nouvel avatar
account-avatar-hint = PNG, JPEG, GIF ou WebP ; recadré en carré de 400 × 400 pixels.
account-header-current = Votre image d'en-tête actuelle
account-header-label = Nouvelle image d'en-tête
account-header-hint = PNG, JPEG, GIF ou WebP ; redimensionnée à 1500 × 500 pixels.
account-options-legend = Options du compte
account-locked-label = Approuver les abonné·es manuellement
account-bot-label = Ce compte est automatisé (un robot)
account-discoverable-label = Suggérer ce compte et le faire figurer dans l'annuaire
account-profile-saved = Votre profil est enregistré.
account-current-password-label = Mot de passe actuel
account-new-password-label = Nouveau mot de passe
account-password-change-hint = Vos autres sessions et les applications que vous utilisez seront déconnectées ; ce navigateur reste connecté.
account-password-submit = Changer le mot de passe
account-password-changed = Votre mot de passe est changé. Vos autres sessions ont été déconnectées.
account-current-password-wrong = Le mot de passe actuel est incorrect.
account-language-label = Langue de l'interface
account-language-hint = La langue de ces pages lorsque vous êtes connecté·e.
account-language-unknown = Cette langue n'est pas disponible.
account-preferences-saved = Vos préférences sont enregistrées.

## La page d'autorisation OAuth
account-authorize-title = Autoriser { $app }
account-authorize-intro = { $app } demande à utiliser votre compte sur { $instance }.
account-authorize-website = Le site de l'application :
account-authorize-scopes = Ce que l'application pourra faire
account-authorize-as = Vous êtes connecté·e en tant que @{ $name }.
account-authorize-approve = Autoriser
account-authorize-sign-in-approve = Se connecter et autoriser
account-authorize-deny = Refuser
account-authorize-failed = Échec de l'autorisation
account-authorize-response-type = Seul response_type=code est pris en charge.
account-authorize-missing = client_id et redirect_uri sont obligatoires.
account-authorize-bad-redirect = L'URI de redirection n'est pas valide.
account-authorize-denied = Accès refusé
account-authorize-denied-text = L'application n'a pas reçu l'accès. Vous pouvez fermer cette fenêtre.
account-authorize-code-title = Code d'autorisation
account-authorize-code-text = Copiez ce code dans { $app } :
account-scope-read = lire les données de votre compte : messages, fils, notifications, listes, réglages
account-scope-write = publier, modifier et supprimer, et changer les données de votre compte en votre nom
account-scope-follow = suivre, ne plus suivre, bloquer et masquer des comptes
account-scope-push = recevoir des notifications push
account-scope-profile = savoir qui vous êtes (votre profil seulement)
account-scope-admin-read = lire les données de modération de tout le serveur (administration)
account-scope-admin-write = prendre des mesures de modération sur tout le serveur (administration)
account-scope-other = une permission de ce serveur

## Valeurs par défaut des publications (préférences)
account-posting-legend = Publications par défaut
account-posting-hint = Ce que reçoivent vos publications quand vous (ou votre application) ne choisissez pas.
account-posting-visibility-label = Visibilité par défaut
account-posting-language-label = Langue par défaut de vos publications
account-posting-language-none = Non précisée
account-posting-sensitive-label = Marquer mes médias comme sensibles par défaut
account-visibility-public = Public : tout le monde, sur les fils publics
account-visibility-unlisted = Non listé : tout le monde, hors des fils publics
account-visibility-private = Abonné·es seulement
account-visibility-local = Local : tout le monde sur ce serveur seulement
account-visibility-unknown = Cette visibilité ne peut pas servir par défaut.

## Mot de passe oublié
account-forgot-password = Mot de passe oublié ?
account-reset-title = Réinitialiser votre mot de passe
account-reset-intro = Saisissez l'adresse e-mail de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.
account-reset-submit = M'envoyer un lien
account-reset-sent = Si un compte utilise cette adresse, un e-mail avec un lien est en route. Le lien fonctionne une fois, pendant deux heures.
account-reset-unavailable = Ce serveur ne peut pas envoyer d'e-mails. Demandez à un administrateur de réinitialiser votre mot de passe.
account-reset-edit-title = Choisir un nouveau mot de passe
account-reset-edit-hint = Toutes vos sessions et applications seront déconnectées.
account-reset-unknown = Ce lien est inconnu, déjà utilisé ou expiré.
account-reset-again = Demander un nouveau lien
account-password-reset-done = Votre mot de passe est changé. Connectez-vous avec le nouveau.

## Connexion en deux étapes
account-settings-security = Sécurité
account-two-factor-sign-in-title = Authentification à deux facteurs
account-two-factor-sign-in-hint = Les six chiffres qu'affiche maintenant votre application d'authentification, ou l'un de vos codes de secours.
account-two-factor-code-or-recovery-label = Code de votre application, ou code de secours
account-two-factor-start-again = Recommencer la connexion
account-two-factor-expired = La connexion a pris trop de temps. Recommencez.
account-two-factor-code-invalid = Ce code est faux, expiré ou déjà utilisé.
account-two-factor-title = Authentification à deux facteurs
account-two-factor-off-text = Avec l'authentification à deux facteurs, la connexion demande aussi un code d'une application de votre téléphone (n'importe quelle application TOTP). Confirmez votre mot de passe pour la mettre en place.
account-two-factor-setup-submit = Mettre en place l'authentification à deux facteurs
account-two-factor-pending-text = Ajoutez ce compte à votre application d'authentification, puis saisissez le code qu'elle affiche pour activer l'authentification à deux facteurs. D'ici là, rien ne change.
account-two-factor-secret-label = La clé à saisir dans l'application :
account-two-factor-uri-label = Ou le lien, pour les applications qui savent le lire :
account-two-factor-code-label = Code de votre application
account-two-factor-enable-submit = Activer
account-two-factor-on-text = L'authentification à deux facteurs est active : la connexion et l'autorisation d'applications demandent un code.
account-two-factor-codes-left = { $count ->
    [one] Il reste un code de secours.
   *[other] Il reste { $count } codes de secours.
}
account-recovery-regenerate-title = Nouveaux codes de secours
account-recovery-regenerate-submit = Créer de nouveaux codes de secours
account-two-factor-disable-title = Désactiver l'authentification à deux facteurs
account-two-factor-disable-submit = Désactiver
account-two-factor-disabled = L'authentification à deux facteurs est désactivée.
account-recovery-codes-title = Vos codes de secours
account-recovery-codes-text = Gardez ces codes en lieu sûr : chacun permet de se connecter une fois sans votre application. Ils ne sont affichés que maintenant.
account-recovery-codes-done = Je les ai enregistrés

## Sessions et applications
account-security-tokens-title = Sessions et applications autorisées
account-security-tokens-hint = Tout ce qui peut utiliser votre compte en ce moment. Révoquer un accès le déconnecte.
account-security-web-session = Session web
account-security-current = ce navigateur
account-security-scopes = Permissions
account-security-created = Depuis le
account-security-last-used = Dernière utilisation
account-security-never = pas encore
account-security-revoke = Révoquer
account-security-revoke-current = Déconnecter ce navigateur
account-security-revoked = L'accès est révoqué.

## Déménager et partir
account-settings-migration = Déménagement
account-settings-delete = Supprimer le compte
account-migration-aliases-title = Déménager ici depuis un autre compte
account-migration-aliases-hint = Avant qu’un compte d’ailleurs puisse déménager ici, ajoutez-le comme alias de celui-ci. Puis lancez le déménagement depuis son serveur vers { $handle }.
account-migration-aliases-none = Aucun alias pour l’instant.
account-migration-alias-label = Adresse de l’ancien compte
account-migration-alias-add = Ajouter l’alias
account-migration-alias-remove = Retirer
account-migration-alias-added = L’alias est ajouté.
account-migration-alias-removed = L’alias est retiré.
account-migration-move-title = Déménager vers un autre compte
account-migration-move-hint = Ajoutez d’abord ce compte comme alias du nouveau, sur son serveur. Vos abonné·es sont alors invité·es à suivre le nouveau compte, et celui-ci indique où vous êtes parti·e ; il n’accepte plus de nouveaux abonnements. Les messages ne déménagent pas : téléchargez d’abord votre archive.
account-migration-target-label = Adresse du nouveau compte
account-migration-move-submit = Déménager vers ce compte
account-migration-moved = Le déménagement est fait : vos abonné·es sont prévenu·es.
account-migration-moved-text = Ce compte a déménagé vers
account-migration-not-found = Aucun compte n’a été trouvé à cette adresse.
account-migration-no-alias = Le nouveau compte n’indique pas encore celui-ci comme alias. Ajoutez l’alias sur son serveur, puis réessayez.
account-migration-target-moved = Ce compte a lui-même déménagé : déménagez plutôt vers sa nouvelle adresse.
account-migration-cooldown = Ce compte a déménagé il y a moins de 30 jours ; il ne peut pas encore déménager à nouveau.
account-migration-self = C’est ce compte-ci.
account-delete-title = Supprimer votre compte
account-delete-text = C’est irréversible. Une fois que vous confirmez :
account-delete-posts = vos messages, images et autres médias sont supprimés, et vous êtes déconnecté·e partout immédiatement ;
account-delete-federation = les serveurs de vos abonné·es et des comptes que vous suivez sont prévenus de supprimer aussi votre compte ;
account-delete-name = votre nom d’utilisateur reste réservé : personne ne pourra plus s’inscrire avec.
account-delete-move-instead = Déménager vers un autre compte garde vos abonné·es :
account-delete-confirmation-label = Tapez votre nom d’utilisateur ({ $username }) pour confirmer
account-delete-confirmation-hint = Cela garantit qu’il s’agit bien de ce compte.
account-delete-submit = Supprimer définitivement mon compte
account-delete-confirmation-wrong = Le nom d’utilisateur tapé n’est pas celui de ce compte.
account-delete-done = Votre compte est supprimé. Au revoir !

account-deleted-title = Compte supprimé
account-deleted-archives = Vos archives restent téléchargeables par ces liens jusqu’à la fin de la suppression (gardez cette page ouverte, ou enregistrez les fichiers maintenant) :
