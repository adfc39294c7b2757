"""Package templates: the catalogue of prepaid packages, courses and bundles that cards are sold from."""
