"""What the filing desk needs from the services that is not a rule of its own."""
