"""The recommender that pairs published needs with helpers (see DESIGN.md §5).

A library with no Flask and no SQL: it reads the CSV exchange format or in-memory arrays, with a
scikit-learn style ``fit`` / ``recommend`` interface. Built in its own issue.
"""
