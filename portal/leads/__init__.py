"""Enrollment-information requests: the form and the thank-you page."""
