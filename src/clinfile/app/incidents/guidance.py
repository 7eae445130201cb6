"""What the professional guidance says about a picture sent to the wrong person.

Quoted from the AMA guide on clinical images and personal mobile devices
(the project's ``seeds/``), so the window and the printed summary say what
the guidance says, in its words, and no more.
"""

BREACH = ("If the clinical image is sent to the wrong person, patient privacy has been "
          "breached. In these circumstances, you should seek advice from hospital management "
          "or your medical defence organisation.")
SOURCE = "AMA guide to taking clinical images with personal mobile devices"
