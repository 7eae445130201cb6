"""Privacy incidents: a picture sent to the wrong person, recorded, linked, reported."""
