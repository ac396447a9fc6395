"""The real-parts Stripe test bed: localstripe (the Stripe API fake, run in its own venv) behind a
small stand-in that answers Checkout Sessions, serves a pay page and signs webhook events.
README.md ("Payments in tests") says what it covers and what it does not."""
