# The admin pages.
