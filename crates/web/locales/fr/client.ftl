# The client pages.
