"""The career guides: content loaded from portal/content/, and the pages that show it."""
