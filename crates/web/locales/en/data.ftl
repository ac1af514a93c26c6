# "Your data" in the settings: exports, imports and full archives.

data-title = Your data
data-settings-nav = Your data
data-back = Back to your data

## Exports
data-export-title = Export
data-export-hint = Download your data as CSV files in Mastodon's formats, which other servers import.
data-export-following = Accounts you follow
data-export-followers = Your followers
data-export-lists = Lists
data-export-blocks = Blocked accounts
data-export-mutes = Muted accounts
data-export-domain-blocks = Blocked domains
data-export-bookmarks = Bookmarks

## Imports
data-import-title = Import
data-import-hint = Bring in a CSV file exported from this or another server. Accounts on other servers are looked up; this can take a while.
data-import-type-label = What the file holds
data-import-type-choose = Choose…
data-kind-following = Accounts to follow
data-kind-blocking = Accounts to block
data-kind-muting = Accounts to mute
data-kind-domain-blocking = Domains to block
data-kind-bookmarks = Bookmarks
data-kind-lists = Lists
data-import-mode-legend = Mode
data-mode-merge = Merge
data-mode-merge-hint = Keep what you have and add what the file holds.
data-mode-overwrite = Overwrite
data-mode-overwrite-hint = Replace what you have with what the file holds: anything the file does not name is removed.
data-import-file-label = File
data-import-file-hint = A CSV file of at most 4 MB.
data-import-submit = Import
data-import-started = The import has started. Its progress is shown below.
data-import-no-type = Choose what the file holds.
data-import-no-file = Choose a file to import.
data-imports-title = Your imports
data-imports-none = You have not imported anything yet.
data-import-finished = Finished
data-import-in-progress = In progress
data-import-page-title = Import
data-created = Started
data-state = State
data-progress = Progress
data-progress-count = { $done } of { $total }
data-failed-rows = Rows that failed
data-failed-count = { $count ->
    [one] One row failed
   *[other] { $count } rows failed
}
data-failures-none = Every row was applied.
data-failure-row = Row
data-failure-data = Content
data-failure-error = Reason

## Archives
data-archive-title = Full archive
data-archive-hint = A zip of your profile, all your posts with their media, your favourites and your bookmarks, in the format Mastodon uses. You may ask for one a day; each is kept for a week.
data-archive-submit = Ask for an archive
data-archive-requested = Your archive is being prepared. Come back to this page to download it.
data-archive-too-soon = You already asked for an archive less than a day ago.
data-archives-none = You have no archive yet.
data-archive-pending = Waiting
data-archive-running = Being prepared
data-archive-ready = Ready
data-archive-failed = Failed
data-archive-download = Download
data-size-kb = { $size } KB
data-size-mb = { $size } MB
data-size-gb = { $size } GB
