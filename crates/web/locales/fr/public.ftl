# Les pages publiques.

## Page d’accueil
public-landing-about = Un serveur Rhizome : un lieu du Fédivers. Inscrivez-vous ici, ou suivez ses membres depuis n’importe quel serveur ou application compatible avec Mastodon.
public-landing-signed-in = Connecté·e en tant que { $name }.
public-landing-go-home = Aller à votre fil d’accueil
public-landing-latest = Derniers messages de ce serveur
public-landing-explore = Voir tous les messages locaux
public-landing-about-link = À propos de ce serveur
public-timeline-empty = Aucun message public pour l’instant.
public-rules = Règles
public-rules-none = Ce serveur n’a pas publié de règles.
public-sign-up = Créer un compte
public-sign-in = Se connecter

## Inscriptions
public-registrations-open = Les inscriptions sont ouvertes : tout le monde peut créer un compte.
public-registrations-approval = Les inscriptions sont soumises à validation : dites pourquoi vous voulez nous rejoindre, une personne de la modération examinera votre demande.
public-registrations-invite = Les inscriptions se font sur invitation : demandez un lien d’invitation à un membre.
public-registrations-closed = Les inscriptions sont fermées.

## Explorer
public-explore-title = Messages locaux de { $name }
public-explore-heading = Messages locaux
public-explore-intro = Les messages publics des membres de { $name }, du plus récent au plus ancien.
public-pagination = Pages
public-pagination-newest = Revenir aux messages les plus récents

## À propos
public-about-title = À propos de { $name }
public-about-contact = Contact
public-about-no-contact = Aucune adresse de contact n’est publiée.
public-about-registrations = Inscriptions
public-about-size = Taille
public-about-users = { $count ->
    [one] { $count } membre
   *[other] { $count } membres
}
public-about-more-link = Serveurs modérés
public-about-more-title = Règles et serveurs modérés de { $name }

## Plus d’informations : les serveurs que celui-ci modère
public-mrf-title = Serveurs modérés
public-mrf-server = Serveur
public-mrf-reason = Motif
public-mrf-none = Aucun serveur n’est modéré.
public-mrf-unpublished = Ce serveur ne publie pas ses décisions de modération.
public-mrf-policies = Règles de filtrage appliquées : { $policies }
public-mrf-reject = Suspendus : rien n’est échangé avec ces serveurs
public-mrf-accept = Seuls ces serveurs communiquent avec celui-ci
public-mrf-federated-timeline-removal = Limités : leurs messages restent hors des fils publics
public-mrf-followers-only = Leurs messages n’atteignent ici que leurs abonné·es
public-mrf-media-removal = Leurs fichiers médias ne sont pas affichés
public-mrf-media-nsfw = Leurs médias sont marqués comme sensibles
public-mrf-report-removal = Leurs signalements ne sont pas acceptés
public-mrf-avatar-removal = Leurs photos de profil ne sont pas affichées
public-mrf-banner-removal = Leurs bannières ne sont pas affichées
public-mrf-reject-deletes = Leurs suppressions ne sont pas appliquées

## Profils
public-avatar-alt = Photo de profil de { $name }
public-profile-locked = Approuve ses abonné·es
public-profile-bot = Compte automatisé
public-profile-follows-you = Vous suit
public-profile-edit = Modifier le profil
public-profile-remote = Ce compte est hébergé sur un autre serveur ; voici ce que ce serveur en connaît.
public-profile-remote-link = Voir le profil d’origine
public-profile-joined = inscrit·e le { $date }
public-profile-tabs = Messages de ce compte
public-tab-posts = Messages
public-tab-with-replies = Messages et réponses
public-tab-media = Médias
public-profile-pinned = Messages épinglés
public-profile-posts = Messages
public-profile-no-posts = Aucun message à afficher.
public-field-verified = Lien vérifié : la page renvoie vers ce profil
public-follow = Suivre
public-follow-request = Demander à suivre
public-unfollow = Ne plus suivre
public-cancel-request = Annuler la demande d’abonnement
public-suspended-text = Ce compte a été suspendu : son profil et ses messages ne sont plus affichés.

## Messages
public-status-title = Message de { $name }
public-status-quoted-title = { $name } : « { $text } »
public-status-heading = Message de { $name }
public-thread-ancestors = Plus tôt dans la discussion
public-thread-replies = Réponses

## Mots-clés et flux
public-tag-description = Messages publics avec le mot-clé #{ $tag } connus de { $name }.
public-tag-empty = Aucun message public avec ce mot-clé pour l’instant.
public-tag-feed-title = Messages avec le mot-clé #{ $tag }
public-feed-title = Messages de { $name }
public-feed-entry-title = Message de { $name }
public-feed-atom = Flux Atom
public-feed-rss = Flux RSS
public-profile-moved = { $name } a déménagé vers
