"""The admin area: sign-in, leads, exports, listings and the dashboard, all under /admin."""
