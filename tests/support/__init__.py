"""What the tests (and the benchmarks) share: factories of rows, form scraping, settings, the
lead-form journey, servers on loopback (gunicorn, scratch PostgreSQL databases), hostile input,
and the HTML checks."""
