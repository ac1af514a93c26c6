# Partagé par toutes les pages : la mise en page, les erreurs et l’affichage d’un message.

nav-skip = Aller au contenu
nav-label = Principale
nav-home = Accueil
nav-notifications = Notifications
nav-local = Local
nav-federated = Fédéré
nav-bubble = Bulle
nav-search = Recherche
nav-lists = Listes
nav-profile = Profil
nav-settings = Paramètres
nav-admin = Administration
nav-sign-out = Se déconnecter
nav-sign-in = Se connecter
nav-sign-up = S’inscrire
nav-explore = Explorer
nav-about = À propos
nav-moderated-servers = Serveurs modérés
footer-powered = Propulsé par Rhizome
footer-language = Langue :

error-back-home = Retour à l’accueil
error-not-found = Introuvable
error-not-found-text = Il n’y a rien ici, ou vous ne pouvez pas le voir.
error-forbidden = Non autorisé
error-forbidden-text = Vous n’avez pas le droit de faire cela.
error-expired-form = Ce formulaire a expiré
error-expired-form-text = Revenez en arrière, rechargez la page et envoyez de nouveau le formulaire.
error-invalid = Cela n’a pas fonctionné
error-invalid-text = Une partie de ce que vous avez envoyé doit être corrigée :
error-internal = Une erreur est survenue
error-internal-text = Une erreur est survenue de notre côté. Réessayez dans un instant.
error-too-many-requests = Trop de requêtes
error-too-many-requests-text = Vous avez fait cela trop souvent. Patientez un instant, puis réessayez.

visibility-label = Visibilité
visibility-public = Public
visibility-unlisted = Non listé
visibility-private = Abonné·es seulement
visibility-direct = Personnes mentionnées seulement
visibility-local = Local seulement

status-boosted-by = { $name } a partagé
status-edited = modifié
status-reply-to = Réponse à { $handle }
status-reply = Réponse à un message
status-filtered = Filtré : { $filter }
status-show-more = Afficher plus
status-sensitive-media = Média sensible : afficher
status-attachment = Pièce jointe
status-open-quoted = Ouvrir le message cité
status-reactions = Réactions

poll-label = Sondage
poll-voters = { $count ->
    [one] { $count } personne a voté
   *[other] { $count } personnes ont voté
}
poll-closed = Terminé
poll-closes = Se termine le { $at }
poll-vote = Voter

count-posts = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
count-replies = { $count ->
    [one] { $count } réponse
   *[other] { $count } réponses
}
count-boosts = { $count ->
    [one] { $count } partage
   *[other] { $count } partages
}
count-favourites = { $count ->
    [one] { $count } favori
   *[other] { $count } favoris
}
count-followers = { $count ->
    [one] { $count } abonné·e
   *[other] { $count } abonné·es
}
count-following = { $count } abonnements

action-reply = Répondre
action-boost = Partager
action-unboost = Annuler le partage
action-quote = Citer
action-favourite = Ajouter aux favoris
action-unfavourite = Retirer des favoris
action-bookmark = Ajouter aux signets
action-unbookmark = Retirer des signets
action-react = Réagir
action-react-label = Réaction emoji
action-unreact = Retirer votre réaction
action-edit = Modifier
action-delete = Supprimer
action-report = Signaler
action-delete-confirm = Supprimer ce message ?

pagination-older = Messages plus anciens
pagination-newer = Messages plus récents
