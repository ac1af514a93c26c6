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
