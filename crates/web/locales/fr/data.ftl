# « Vos données » dans les réglages : exports, imports et archives complètes.

data-title = Vos données
data-settings-nav = Vos données
data-back = Retour à vos données

## Exports
data-export-title = Exporter
data-export-hint = Téléchargez vos données en fichiers CSV aux formats de Mastodon, que les autres serveurs savent importer.
data-export-following = Comptes que vous suivez
data-export-followers = Vos abonnés
data-export-lists = Listes
data-export-blocks = Comptes bloqués
data-export-mutes = Comptes masqués
data-export-domain-blocks = Domaines bloqués
data-export-bookmarks = Signets

## Imports
data-import-title = Importer
data-import-hint = Apportez un fichier CSV exporté de ce serveur ou d'un autre. Les comptes d'autres serveurs sont recherchés ; cela peut prendre un moment.
data-import-type-label = Contenu du fichier
data-import-type-choose = Choisissez…
data-kind-following = Comptes à suivre
data-kind-blocking = Comptes à bloquer
data-kind-muting = Comptes à masquer
data-kind-domain-blocking = Domaines à bloquer
data-kind-bookmarks = Signets
data-kind-lists = Listes
data-import-mode-legend = Mode
data-mode-merge = Fusionner
data-mode-merge-hint = Garder ce que vous avez et ajouter ce que contient le fichier.
data-mode-overwrite = Remplacer
data-mode-overwrite-hint = Remplacer ce que vous avez par le contenu du fichier : tout ce que le fichier ne nomme pas est retiré.
data-import-file-label = Fichier
data-import-file-hint = Un fichier CSV de 4 Mo au plus.
data-import-submit = Importer
data-import-started = L'import a commencé. Sa progression s'affiche ci-dessous.
data-import-no-type = Choisissez le contenu du fichier.
data-import-no-file = Choisissez un fichier à importer.
data-imports-title = Vos imports
data-imports-none = Vous n'avez encore rien importé.
data-import-finished = Terminé
data-import-in-progress = En cours
data-import-page-title = Import
data-created = Commencé le
data-state = État
data-progress = Progression
data-progress-count = { $done } sur { $total }
data-failed-rows = Lignes en échec
data-failed-count = { $count ->
    [one] Une ligne en échec
   *[other] { $count } lignes en échec
}
data-failures-none = Toutes les lignes ont été appliquées.
data-failure-row = Ligne
data-failure-data = Contenu
data-failure-error = Raison

## Archives
data-archive-title = Archive complète
data-archive-hint = Un fichier zip de votre profil, de tous vos messages avec leurs médias, de vos favoris et de vos signets, au format de Mastodon. Vous pouvez en demander une par jour ; chacune est conservée une semaine.
data-archive-submit = Demander une archive
data-archive-requested = Votre archive est en préparation. Revenez sur cette page pour la télécharger.
data-archive-too-soon = Vous avez déjà demandé une archive il y a moins d'un jour.
data-archives-none = Vous n'avez pas encore d'archive.
data-archive-pending = En attente
data-archive-running = En préparation
data-archive-ready = Prête
data-archive-failed = Échec
data-archive-download = Télécharger
data-size-kb = { $size } Ko
data-size-mb = { $size } Mo
data-size-gb = { $size } Go
