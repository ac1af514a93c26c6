# Shared by every page: the layout, errors, and how a post is shown.

nav-skip = Skip to content
nav-label = Main
nav-home = Home
nav-notifications = Notifications
nav-local = Local
nav-federated = Federated
nav-bubble = Bubble
nav-search = Search
nav-lists = Lists
nav-profile = Profile
nav-settings = Settings
nav-admin = Administration
nav-sign-out = Sign out
nav-sign-in = Sign in
nav-sign-up = Sign up
nav-explore = Explore
nav-about = About
nav-moderated-servers = Moderated servers
footer-powered = Powered by Rhizome
footer-language = Language:

error-back-home = Back to the front page
error-not-found = Not found
error-not-found-text = There is nothing here, or you may not see it.
error-forbidden = Not allowed
error-forbidden-text = You are not allowed to do this.
error-expired-form = This form has expired
error-expired-form-text = Go back, reload the page and send the form again.
error-invalid = That did not work
error-invalid-text = Something in what you sent needs fixing:
error-internal = Something went wrong
error-internal-text = Something went wrong on our side. Try again in a moment.
error-too-many-requests = Too many requests
error-too-many-requests-text = You did that too often. Wait a moment, then try again.

visibility-label = Visibility
visibility-public = Public
visibility-unlisted = Unlisted
visibility-private = Followers only
visibility-direct = Mentioned people only
visibility-local = Local only

status-boosted-by = { $name } boosted
status-edited = edited
status-reply-to = Reply to { $handle }
status-reply = Reply to a post
status-filtered = Filtered: { $filter }
status-show-more = Show more
status-sensitive-media = Sensitive media: show
status-attachment = Attachment
status-open-quoted = Open the quoted post
status-reactions = Reactions

poll-label = Poll
poll-voters = { $count ->
    [one] { $count } person voted
   *[other] { $count } people voted
}
poll-closed = Closed
poll-closes = Closes { $at }
poll-vote = Vote

count-posts = { $count ->
    [one] { $count } post
   *[other] { $count } posts
}
count-replies = { $count ->
    [one] { $count } reply
   *[other] { $count } replies
}
count-boosts = { $count ->
    [one] { $count } boost
   *[other] { $count } boosts
}
count-favourites = { $count ->
    [one] { $count } favourite
   *[other] { $count } favourites
}
count-followers = { $count ->
    [one] { $count } follower
   *[other] { $count } followers
}
count-following = { $count } following

action-reply = Reply
action-boost = Boost
action-unboost = Undo boost
action-quote = Quote
action-favourite = Favourite
action-unfavourite = Undo favourite
action-bookmark = Bookmark
action-unbookmark = Remove bookmark
action-react = React
action-react-label = Emoji reaction
action-unreact = Take back your reaction
action-edit = Edit
action-delete = Delete
action-report = Report
action-delete-confirm = Delete this post?

pagination-older = Older posts
pagination-newer = Newer posts
