"""The site's own pages: about, the advertising disclosure, contact, privacy and terms."""
