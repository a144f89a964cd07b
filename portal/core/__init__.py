"""Site-wide pieces: health check and error pages."""
