# The account pages: sign-in, sign-up, settings, the OAuth consent page.

## Sign-in and sign-out
account-sign-in-title = Sign in
account-login-label = Username or e-mail address
account-password-label = Password
account-sign-in-submit = Sign in
account-no-account = No account yet?
account-sign-up-link = Sign up
account-have-account = Already have an account?
account-signed-out = You are signed out.
account-refused-credentials = The username or the password is wrong.
account-refused-pending = Your account is waiting for a moderator's approval. You will be able to sign in once it is approved.
account-refused-unconfirmed = Confirm your e-mail address first: open the link in the mail we sent you.
account-refused-disabled = Your account is suspended or disabled: you cannot sign in.

## Sign-up
account-sign-up-title = Create an account
account-sign-up-closed-text = Registrations are closed on this server: no new accounts can be created here for now.
account-invite-needed = This server accepts new accounts by invitation only. Open the invite link you received.
account-invite-invalid = This invite is unknown, used up or expired.
account-invite-notice = You were invited to this server: welcome!
account-approval-notice = A moderator reviews every new account on this server. Tell them why you want to join.
account-rules-title = Rules of this server
account-username-label = Username
account-username-hint = Letters, digits and underscores only. It cannot be changed later.
account-email-label = E-mail address
account-password-hint = At least 8 characters.
account-password-confirmation-label = Password again
account-password-mismatch = The two passwords are not the same.
account-reason-label = Why do you want to join?
account-reason-hint = Moderators read this before approving your account.
account-captcha-legend = Prove you are a person
account-captcha-alt = Five digits drawn over a noisy background
account-captcha-label = The digits in the picture
account-agreement-label = I have read and agree to the rules of this server
account-sign-up-submit = Sign up
account-welcome = Welcome! Your account is ready.
account-pending-title = Waiting for approval
account-pending-text = Thank you! A moderator will review your request. You will be able to sign in once your account is approved.
account-check-mail-title = Check your mail
account-check-mail-text = We sent you a mail with a link: open it to confirm your address, then sign in.

## E-mail confirmation
account-confirmed-title = Address confirmed
account-confirmed-text = Your e-mail address is confirmed: you can sign in now.
account-confirmation-unknown-title = Unknown link
account-confirmation-unknown-text = This confirmation link is unknown or was used already.

## Settings
account-settings-title = Settings
account-settings-nav = Settings
account-settings-profile = Profile
account-settings-preferences = Preferences
account-settings-password = Password
account-save = Save changes
account-display-name-label = Display name
account-note-label = Bio
account-note-hint = Plain text, up to 500 characters. Links, mentions and hashtags become links.
account-fields-legend = Profile fields
account-fields-hint = Up to four labelled lines shown on your profile (a website, pronouns…).
account-field-name-label = Label { $number }
account-field-value-label = Content { $number }
account-pictures-legend = Pictures
account-avatar-current = Your current avatar
account-avatar-label = New avatar
account-avatar-hint = PNG, JPEG, GIF or WebP; cropped to a square of 400 × 400 pixels.
account-header-current = Your current header picture
account-header-label = New header picture
account-header-hint = PNG, JPEG, GIF or WebP; resized to 1500 × 500 pixels.
account-options-legend = Account options
account-locked-label = Approve followers by hand
account-bot-label = This is an automated account (a bot)
account-discoverable-label = Suggest this account to others and list it in the directory
account-profile-saved = Your profile is saved.
account-current-password-label = Current password
account-new-password-label = New password
account-password-change-hint = Your other sessions and the apps you use will be signed out; this browser stays signed in.
account-password-submit = Change the password
account-password-changed = Your password is changed. Your other sessions were signed out.
account-current-password-wrong = The current password is wrong.
account-language-label = Interface language
account-language-hint = The language of these pages when you are signed in.
account-language-unknown = This language is not available.
account-preferences-saved = Your preferences are saved.

## The OAuth consent page
account-authorize-title = Authorize { $app }
account-authorize-intro = { $app } asks to use your account on { $instance }.
account-authorize-website = The app's website:
account-authorize-scopes = What the app will be able to do
account-authorize-as = You are signed in as @{ $name }.
account-authorize-approve = Approve
account-authorize-sign-in-approve = Sign in and approve
account-authorize-deny = Deny
account-authorize-failed = Authorization failed
account-authorize-response-type = Only response_type=code is supported.
account-authorize-missing = client_id and redirect_uri are required.
account-authorize-bad-redirect = The redirect URI is invalid.
account-authorize-denied = Access denied
account-authorize-denied-text = The app was not given access. You may close this window.
account-authorize-code-title = Authorization code
account-authorize-code-text = Copy this code into { $app }:
account-scope-read = read your account's data: posts, timelines, notifications, lists, settings
account-scope-write = post, edit and delete, and change your account's data on your behalf
account-scope-follow = follow, unfollow, block and mute accounts
account-scope-push = receive push notifications
account-scope-profile = know who you are (your profile only)
account-scope-admin-read = read moderation data of the whole server (administrators)
account-scope-admin-write = take moderation actions on the whole server (administrators)
account-scope-other = a permission of this server

## Posting defaults (preferences)
account-posting-legend = Posting defaults
account-posting-hint = What your posts get when you (or your app) do not choose.
account-posting-visibility-label = Default visibility
account-posting-language-label = Default language of your posts
account-posting-language-none = Not set
account-posting-sensitive-label = Mark my media as sensitive by default
account-visibility-public = Public: everyone, on public timelines
account-visibility-unlisted = Unlisted: everyone, but off public timelines
account-visibility-private = Followers only
account-visibility-local = Local: everyone on this server only
account-visibility-unknown = This visibility cannot be a default.

## Forgotten password
account-forgot-password = Forgot your password?
account-reset-title = Reset your password
account-reset-intro = Type the e-mail address of your account: we will mail you a link to choose a new password.
account-reset-submit = Mail me a link
account-reset-sent = If an account uses this address, a mail with a link is on its way. The link works for two hours, once.
account-reset-unavailable = This server cannot send mail. Ask an administrator to reset your password.
account-reset-edit-title = Choose a new password
account-reset-edit-hint = Every session and app of yours will be signed out.
account-reset-unknown = This link is unknown, used already or expired.
account-reset-again = Ask for a new link
account-password-reset-done = Your password is changed. Sign in with the new one.

## Two-factor sign-in
account-settings-security = Security
account-two-factor-sign-in-title = Two-factor authentication
account-two-factor-sign-in-hint = The six digits your authenticator app shows now, or one of your recovery codes.
account-two-factor-code-or-recovery-label = Code from your app, or a recovery code
account-two-factor-start-again = Start signing in again
account-two-factor-expired = Signing in took too long. Start again.
account-two-factor-code-invalid = This code is wrong, expired or used already.
account-two-factor-title = Two-factor authentication
account-two-factor-off-text = With two-factor authentication, signing in also needs a code from an app on your phone (any TOTP app). Confirm your password to set it up.
account-two-factor-setup-submit = Set up two-factor authentication
account-two-factor-pending-text = Add this account to your authenticator app, then type the code it shows to turn two-factor authentication on. Until then nothing changes.
account-two-factor-secret-label = The key to type into the app:
account-two-factor-uri-label = Or the link, for apps that read one:
account-two-factor-code-label = Code from your app
account-two-factor-enable-submit = Turn on
account-two-factor-on-text = Two-factor authentication is on: signing in and authorizing apps ask for a code.
account-two-factor-codes-left = { $count ->
    [one] One recovery code left.
   *[other] { $count } recovery codes left.
}
account-recovery-regenerate-title = New recovery codes
account-recovery-regenerate-submit = Make new recovery codes
account-two-factor-disable-title = Turn two-factor authentication off
account-two-factor-disable-submit = Turn off
account-two-factor-disabled = Two-factor authentication is off.
account-recovery-codes-title = Your recovery codes
account-recovery-codes-text = Keep these codes somewhere safe: each lets you sign in once without your app. They are shown only now.
account-recovery-codes-done = I saved them

## Sessions and apps
account-security-tokens-title = Sessions and authorized apps
account-security-tokens-hint = Everything that can use your account now. Revoking one signs it out.
account-security-web-session = Web session
account-security-current = this browser
account-security-scopes = Permissions
account-security-created = Since
account-security-last-used = Last used
account-security-never = not yet
account-security-revoke = Revoke
account-security-revoke-current = Sign this browser out
account-security-revoked = The access is revoked.

## Moving and leaving
account-settings-migration = Moving
account-settings-delete = Delete account
account-migration-aliases-title = Moving here from another account
account-migration-aliases-hint = Before an account elsewhere can move here, list it as an alias of this one. Then move it from its own server to { $handle }.
account-migration-aliases-none = No aliases yet.
account-migration-alias-label = Address of the old account
account-migration-alias-add = Add the alias
account-migration-alias-remove = Remove
account-migration-alias-added = The alias is added.
account-migration-alias-removed = The alias is removed.
account-migration-move-title = Moving to another account
account-migration-move-hint = First list this account as an alias of the new one, on its server. Your followers are then asked to follow the new account, and this one shows where you went; it takes no new followers. Posts do not move: download your archive first.
account-migration-target-label = Address of the new account
account-migration-move-submit = Move to this account
account-migration-moved = The move is done: your followers are told.
account-migration-moved-text = This account has moved to
account-migration-not-found = No account was found at that address.
account-migration-no-alias = The new account does not list this one as an alias yet. Add the alias on its server, then try again.
account-migration-target-moved = That account has itself moved: move to where it went instead.
account-migration-cooldown = This account moved less than 30 days ago; it cannot move again yet.
account-migration-self = That is this account.
account-delete-title = Delete your account
account-delete-text = This cannot be undone. Once you confirm:
account-delete-posts = your posts, pictures and other media are deleted, and you are signed out everywhere at once;
account-delete-federation = the servers of your followers and of those you follow are told to delete your account too;
account-delete-name = your username is kept reserved: nobody can sign up with it again.
account-delete-move-instead = Moving to another account keeps your followers:
account-delete-confirmation-label = Type your username ({ $username }) to confirm
account-delete-confirmation-hint = This makes sure you meant this account.
account-delete-submit = Delete my account for good
account-delete-confirmation-wrong = The username you typed is not this account's.
account-delete-done = Your account is deleted. Goodbye!

account-deleted-title = Account deleted
account-deleted-archives = Your archives stay downloadable from these links until the deletion is complete (keep this page open, or save the files now):
