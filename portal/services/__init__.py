"""Use cases as plain functions: each takes explicit arguments and owns its commit."""
