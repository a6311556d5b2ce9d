"""The chat page: handlers, layout and serving, escaped HTML, logins."""
