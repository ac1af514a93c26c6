# The admin pages.

admin-area = Administration
admin-nav-label = Administration
admin-nav-dashboard = Dashboard
admin-nav-users = Users
admin-nav-reports = Reports
admin-nav-domains = Domain blocks
admin-nav-federation = Federation
admin-nav-log = Moderation log
admin-nav-settings = Instance settings
admin-pages-label = Pages
admin-page-prev = Previous page
admin-page-next = Next page
admin-page-of = Page { $page } of { $pages }

admin-flash-done = Done.
admin-flash-approved = The registration is approved.
admin-flash-rejected = The registration is rejected and the account deleted.
admin-flash-role = The role is changed.
admin-flash-resolved = The report is resolved.
admin-flash-domain-blocked = The domain is blocked.
admin-flash-domain-updated = The domain block is changed.
admin-flash-domain-unblocked = The domain block is removed.
admin-flash-domain-allowed = The domain is allowed.
admin-flash-domain-disallowed = The domain is no longer allowed.
admin-flash-settings-saved = The settings are saved.

admin-dashboard-title = Dashboard
admin-dashboard-users = { $count ->
    [one] local user
   *[other] local users
}
admin-dashboard-pending = { $count ->
    [one] registration waiting for approval
   *[other] registrations waiting for approval
}
admin-dashboard-reports = { $count ->
    [one] open report
   *[other] open reports
}
admin-dashboard-instances = { $count ->
    [one] known server
   *[other] known servers
}
admin-dashboard-failing = { $count ->
    [one] server failing deliveries
   *[other] servers failing deliveries
}
admin-dashboard-queued = { $count ->
    [one] delivery waiting
   *[other] deliveries waiting
}
admin-dashboard-more = More

admin-role-user = User
admin-role-moderator = Moderator
admin-role-admin = Admin
admin-remote = Remote account

admin-state-pending = Awaiting approval
admin-state-active = Active
admin-state-silenced = Limited
admin-state-suspended = Suspended
admin-state-disabled = Login disabled
admin-state-sensitized = Media marked sensitive

admin-users-title = Users
admin-users-filter-state = State:
admin-users-filter-origin = Origin:
admin-users-filter-all = All
admin-users-origin-all = Everywhere
admin-users-origin-local = Local
admin-users-origin-remote = Remote
admin-users-staff-only = Staff only
admin-users-search-label = Search by name or e-mail
admin-users-search = Search
admin-users-count = { $count ->
    [one] { $count } account
   *[other] { $count } accounts
}
admin-users-account = Account
admin-users-role = Role
admin-users-state = State
admin-users-joined = Joined

admin-user-profile = Public profile
admin-user-remote-profile = Profile on its own server
admin-user-email = E-mail
admin-user-reason = Reason given to join
admin-user-locale = Language
admin-user-last-sign-in = Last sign-in
admin-user-ips = Addresses
admin-user-actions = Moderation
admin-user-cannot-act = You cannot act on this account: it is yours, or it belongs to another staff member and only admins act on staff.
admin-user-pending-text = This person asked to join and waits for a decision.
admin-user-approve = Approve the registration
admin-user-reject = Reject the registration
admin-user-reject-confirm = Reject this registration and delete the account?
admin-user-action-legend = Action
admin-user-action-warn = Warn (recorded in the moderation log)
admin-user-action-sensitive = Mark their media sensitive
admin-user-action-silence = Limit: hide from public timelines and people who do not follow them
admin-user-action-suspend = Suspend: hide everything and end their sessions
admin-user-action-disable = Disable login
admin-user-action-text = Why (kept in the moderation log)
admin-user-action-hint = Suspending a local account deletes it on the servers that know it.
admin-user-action-notify = Tell them (a notification with your text)
admin-user-action-submit = Apply
admin-user-unsilence = Lift the limit
admin-user-unsuspend = Lift the suspension
admin-user-unsensitive = Stop marking media sensitive
admin-user-enable = Enable login
admin-user-role-label = Role
admin-user-role-submit = Change the role
admin-user-reports = Reports about this account
admin-user-no-reports = Nobody has reported this account.
admin-user-history = Moderation history

admin-category-spam = Spam
admin-category-legal = Legal issue
admin-category-violation = Rule violation
admin-category-other = Other

admin-reports-title = Reports
admin-reports-open = Open
admin-reports-resolved = Resolved
admin-reports-count = { $count ->
    [one] { $count } report
   *[other] { $count } reports
}
admin-reports-report = Report
admin-report-title = Report #{ $id }
admin-report-state = State
admin-report-open = Open
admin-report-resolved = Resolved
admin-report-target = Reported account
admin-report-reporter = Reported by
admin-report-remote = from another server
admin-report-filed = Filed
admin-report-forwarded = forwarded to its server
admin-report-category = Category
admin-report-rules = Rules broken
admin-report-comment = Comment
admin-report-no-comment = No comment.
admin-report-assigned = Assigned to
admin-report-nobody = Nobody
admin-report-posts = { $count ->
    [one] { $count } post
   *[other] { $count } posts
}
admin-report-assign = Assign to me
admin-report-unassign = Unassign
admin-report-posts-title = Reported posts
admin-report-no-posts = No post is attached, or they were deleted.
admin-report-decide = Decision
admin-report-resolve-legend = Resolve with
admin-resolve-none = No action
admin-resolve-sensitive = Mark the posts sensitive
admin-resolve-delete = Delete the posts
admin-resolve-silence = Limit the account
admin-resolve-suspend = Suspend the account
admin-report-note-label = Note (kept in the moderation log)
admin-report-resolve = Resolve
admin-report-reopen = Reopen
admin-report-history = Notes and history
admin-report-add-note = New note
admin-report-add-note-submit = Add the note

admin-domains-title = Domain blocks
admin-domains-intro = Blocks apply to whole servers; their public reasons are published with the list of moderated servers.
admin-domains-none = No domain is blocked.
admin-domains-domain = Domain
admin-domains-domain-hint = For example example.org, or *.example.org for all its subdomains.
admin-domains-severity = Severity
admin-domains-severity-hint = Suspend refuses everything from the server; limit keeps its posts off public timelines; none applies only the options below.
admin-severity-suspend = Suspend
admin-severity-silence = Limit
admin-severity-noop = None
admin-domains-options = Options
admin-domains-reject-media = Reject media files
admin-domains-reject-reports = Reject reports
admin-domains-obfuscate = Hide part of the domain in the public list
admin-domains-obfuscated = Partly hidden in public
admin-domains-public-comment = Public reason
admin-domains-public-hint = Shown to everyone with the list of moderated servers.
admin-domains-private-comment = Private comment
admin-domains-reasons = Reasons
admin-domains-actions = Actions
admin-domains-edit = Edit
admin-domains-remove = Unblock
admin-domains-remove-confirm = Remove the block on { $domain }?
admin-domains-add = Block a domain
admin-domains-add-submit = Block
admin-domains-error-blank = The domain is missing.
admin-domains-error-exists = { $domain } is blocked already: change its block instead.
admin-domain-edit-title = Block on { $domain }
admin-domain-edit-since = Blocked since { $date }.
admin-domain-edit-submit = Save the block
admin-domain-edit-back = Back to the domain blocks
admin-allows-title = Allowed domains
admin-allows-intro = Allowing a domain switches federation to allow-list mode: every server not on this list is then refused.
admin-allows-add = Allow
admin-allows-remove = Stop allowing

admin-settings-title = Instance settings
admin-settings-pinned-intro = Some settings are set by the server's environment: they are shown but cannot be changed here.
admin-settings-pinned = Set by the environment: change it in the server's configuration.
admin-settings-name = Instance name
admin-settings-description = Description
admin-settings-email = Contact e-mail
admin-settings-rules = Rules
admin-settings-rules-hint = One rule per line.
admin-settings-registrations = Registrations
admin-settings-public-timelines = Visitors may read the public timelines
admin-settings-public-timelines-hint = Without an account, people can then read the local and federated timelines and hashtags, here and through apps. Profiles and posts stay public either way.
admin-mode-open = Open: anyone may sign up
admin-mode-approval = Approval: a moderator approves each sign-up
admin-mode-invite = Invitation only
admin-mode-closed = Closed
admin-settings-save = Save the settings
admin-settings-error-mode = Choose one of the registration modes offered.

admin-federation-title = Federation health
admin-federation-intro = Every server this one knows, the ones that fail deliveries first. Failed deliveries are tried again for about a day.
admin-federation-none = No other server is known yet.
admin-federation-server = Server
admin-federation-state = State
admin-federation-last-success = Last delivery
admin-federation-last-failure = Last failure
admin-federation-failures = Failures in a row
admin-federation-queued = Waiting deliveries
admin-federation-failing = Failing
admin-federation-since = since { $date }
admin-federation-ok = Reachable
admin-federation-unknown = No delivery yet
admin-federation-never = Never

admin-log-title = Moderation log
admin-log-empty = Nothing has been recorded yet.
admin-log-when = When
admin-log-who = Who
admin-log-action = Action
admin-log-target = About
admin-log-text = Note
admin-log-system = The server
admin-log-newest = Newest entries
admin-log-older = Older entries

admin-action-warn = Warned
admin-action-sensitive = Marked sensitive
admin-action-disable = Disabled login
admin-action-silence = Limited
admin-action-suspend = Suspended
admin-action-enable = Enabled login
admin-action-unsilence = Lifted the limit
admin-action-unsuspend = Lifted the suspension
admin-action-unsensitive = Stopped marking sensitive
admin-action-approve = Approved
admin-action-reject = Rejected
admin-action-delete = Deleted
admin-action-assign = Assigned
admin-action-resolve = Resolved
admin-action-reopen = Reopened
admin-action-note = Noted
admin-action-note_delete = Deleted a note
admin-action-role = Changed the role
admin-action-tag = Tagged
admin-action-untag = Untagged
admin-action-create = Created
admin-action-update = Changed
admin-action-destroy = Removed

admin-target-account = account
admin-target-report = report
admin-target-status = post
admin-target-domain_block = domain block
admin-target-domain_allow = domain allow
admin-target-email_domain_block = e-mail domain block
admin-target-canonical_email_block = e-mail block
admin-target-ip_block = IP block
