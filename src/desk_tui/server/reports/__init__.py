"""Reports over the cards ledger: liability, cards expiring soon, the card-transaction export."""
