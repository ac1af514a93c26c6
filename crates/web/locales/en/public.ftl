# The public pages.

## Landing page
public-landing-about = A Rhizome server: a place on the Fediverse. Join it here, or follow its people from any Mastodon-compatible server or app.
public-landing-signed-in = Signed in as { $name }.
public-landing-go-home = Go to your home timeline
public-landing-latest = Latest posts from this server
public-landing-explore = See all local posts
public-landing-about-link = About this server
public-timeline-empty = No public posts yet.
public-rules = Rules
public-rules-none = This server has not published rules.
public-sign-up = Create an account
public-sign-in = Sign in

## Registrations
public-registrations-open = Registrations are open: anyone may create an account.
public-registrations-approval = Registrations need approval: say why you want to join, and a moderator will review your request.
public-registrations-invite = Registrations are by invitation only: ask a member for an invite link.
public-registrations-closed = Registrations are closed.

## Explore
public-explore-title = Local posts on { $name }
public-explore-heading = Local posts
public-explore-intro = The public posts of people on { $name }, newest first.
public-pagination = Pages
public-pagination-newest = Back to the newest posts

## About
public-about-title = About { $name }
public-about-contact = Contact
public-about-no-contact = No contact address is published.
public-about-registrations = Registrations
public-about-size = Size
public-about-users = { $count ->
    [one] { $count } user
   *[other] { $count } users
}
public-about-more-link = Moderated servers
public-about-more-title = Rules and moderated servers of { $name }

## About more: the servers this one moderates
public-mrf-title = Moderated servers
public-mrf-server = Server
public-mrf-reason = Reason
public-mrf-none = No server is moderated.
public-mrf-unpublished = This server does not publish its moderation decisions.
public-mrf-policies = Policies in force: { $policies }
public-mrf-reject = Suspended: nothing is exchanged with these servers
public-mrf-accept = Only these servers federate with this one
public-mrf-federated-timeline-removal = Limited: their posts stay off the public timelines
public-mrf-followers-only = Their posts reach their followers here only
public-mrf-media-removal = Their media files are not shown
public-mrf-media-nsfw = Their media are marked sensitive
public-mrf-report-removal = Their reports are not accepted
public-mrf-avatar-removal = Their avatars are not shown
public-mrf-banner-removal = Their banners are not shown
public-mrf-reject-deletes = Their deletions are not applied

## Profiles
public-avatar-alt = Profile picture of { $name }
public-profile-locked = Approves followers
public-profile-bot = Automated account
public-profile-follows-you = Follows you
public-profile-edit = Edit profile
public-profile-remote = This account lives on another server; this is what this server knows of it.
public-profile-remote-link = See the original profile
public-profile-joined = joined { $date }
public-profile-tabs = Posts of this account
public-tab-posts = Posts
public-tab-with-replies = Posts and replies
public-tab-media = Media
public-profile-pinned = Pinned posts
public-profile-posts = Posts
public-profile-no-posts = No posts to show.
public-field-verified = Verified link: the page links back to this profile
public-follow = Follow
public-follow-request = Request to follow
public-unfollow = Unfollow
public-cancel-request = Cancel follow request
public-suspended-text = This account has been suspended: its profile and posts are no longer shown.

## Posts
public-status-title = Post by { $name }
public-status-quoted-title = { $name }: “{ $text }”
public-status-heading = Post by { $name }
public-thread-ancestors = Earlier in the thread
public-thread-replies = Replies

## Hashtags and feeds
public-tag-description = Public posts tagged #{ $tag } known to { $name }.
public-tag-empty = No public posts with this hashtag yet.
public-tag-feed-title = Posts tagged #{ $tag }
public-feed-title = Posts by { $name }
public-feed-entry-title = Post by { $name }
public-feed-atom = Atom feed
public-feed-rss = RSS feed
public-profile-moved = { $name } has moved to
