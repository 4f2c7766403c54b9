"""One library function per user-facing operation; the CLI, the ribbon and the month close call these."""
