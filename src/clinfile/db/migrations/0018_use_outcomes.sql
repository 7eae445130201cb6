-- Whether each use the consent rules allowed was then made.
--
-- A use is recorded when the rules allow it, before its files are written or
-- its pictures sent; a process stopped dead in between (kill -9, a power cut)
-- leaves a use allowed that never went anywhere. `outcome` is set once the
-- files are written or the archive answers: 'sent', or 'not made' when
-- writing or sending failed. A use still without one was allowed but is not
-- known to be sent, and a withdrawal lists it apart.
--
-- Uses recorded before outcomes were kept count as sent: nearly every one
-- was, and a practice asked to chase a copy that never left loses a phone
-- call, while one never told of a copy that did leave loses the patient's
-- trust.
ALTER TABLE image_uses ADD COLUMN outcome TEXT CHECK (outcome IN ('sent', 'not made'));
UPDATE image_uses SET outcome = 'sent';
CREATE INDEX image_uses_consent ON image_uses (consent_id, purpose);
