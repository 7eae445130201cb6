"""The filing desk: the inbox, the preview, the patient, the consent, and File."""
