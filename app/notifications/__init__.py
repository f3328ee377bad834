"""In-app notifications (and e-mail through a configured SMTP server, off by default)."""
