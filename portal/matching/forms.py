"""Forms of the matching area; the rules re-check everything they accept."""

from flask_wtf import FlaskForm


class InviteForm(FlaskForm):
    """Inviting a helper is one button: the form carries only the CSRF token."""


class DismissForm(FlaskForm):
    """"Not interested" in a recommended need is one button: the form carries only the CSRF token."""
