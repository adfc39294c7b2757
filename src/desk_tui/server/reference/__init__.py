"""Reference data: the organisation's settings, locations, staff, services and products."""
