"""Lead delivery to schools: the signed webhook event, the email, the guarded HTTP client, and
the worker that sends what the outbox holds (`flask --app wsgi deliver`)."""
