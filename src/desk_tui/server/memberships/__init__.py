"""Membership plans, enrolments and monthly session credits (held by open sales, used when they complete)."""
