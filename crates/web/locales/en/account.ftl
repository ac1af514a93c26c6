# The account pages.
