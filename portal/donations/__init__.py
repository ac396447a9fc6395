"""Donations: gifts into funds and towards needs, and their receipts."""
