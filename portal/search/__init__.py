"""The sponsored program search."""
