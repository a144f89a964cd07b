"""Consent receipts in public: the published keys, the verify page, the kept forms, and their
commands."""
