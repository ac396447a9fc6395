"""Pages of donations (filled below)."""

from portal.donations import bp, checks  # noqa: F401  (checks register with ledger-check)
