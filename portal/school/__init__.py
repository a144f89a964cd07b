"""The schools' own area under /school."""
