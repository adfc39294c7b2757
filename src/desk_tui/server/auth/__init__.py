"""Sign-in: PINs, bearer tokens bound to a location, roles and the login rate limit."""
