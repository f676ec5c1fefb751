"""The JSON API: public case endpoints for the Get Started page and partner endpoints."""
