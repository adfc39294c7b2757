"""Sales: the checkout cart, membership benefits, holds, payments and the receipt."""
