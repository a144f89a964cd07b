"""Enrollment-information requests: the form, the thank-you page and the privacy page."""
