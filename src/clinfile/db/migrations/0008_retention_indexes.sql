-- What retention asks of one patient, answered from indexes.
--
-- A record's last entry is the latest of its filings and of the corrections
-- moving images into or out of it; with the time beside the patient in each
-- index, each of these is one step down an index rather than a read of every
-- filing in the vault.
DROP INDEX filed_images_patient;
CREATE INDEX filed_images_patient ON filed_images (patient_id, filed_at);
DROP INDEX filing_corrections_from;
CREATE INDEX filing_corrections_from ON filing_corrections (from_patient_id, corrected_at);
DROP INDEX filing_corrections_to;
CREATE INDEX filing_corrections_to ON filing_corrections (to_patient_id, corrected_at);
