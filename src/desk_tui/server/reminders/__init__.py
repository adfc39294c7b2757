"""Reminder e-mails: cards about to expire with units left, membership months due; one per event."""
