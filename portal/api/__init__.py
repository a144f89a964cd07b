"""The partner API: the program search as JSON."""
