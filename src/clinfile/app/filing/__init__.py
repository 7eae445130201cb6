"""Filing images into a patient's record: kinds, body sites, episodes, corrections, retention."""
