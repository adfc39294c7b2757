"""Cards: packages sold to customers, their append-only ledger and the balances derived from it."""
