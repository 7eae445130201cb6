"""The words of the consent form, written for a patient to read (around a Year 8 level).

The guidance in ``shared/seeds`` says what a patient must understand before
agreeing. AMA: "Make sure the patient understands the reasons for taking the
image, how it will be used, and to whom it will be shown." Avant: discuss
"why you want to take the image, how the image will be used, who the image
will be shared with and why"; "even if the image appears to be de-identified,
it is always prudent to obtain patient consent"; use for education or
research needs "the patient's specific consent for that purpose". The form
also says how images are stored and that consent can be withdrawn, as the
design asks. Short sentences, everyday words, "we" and "you".
"""

from __future__ import annotations

from clinfile.app.consent.vocabulary import Purpose

TITLE = "Consent for clinical photographs"

INTRODUCTION = (
    "We would like to take, keep or use photographs of part of your body or of your health "
    "papers. This form explains what that means. Please read it and ask us about anything "
    "that is not clear. Then tick <b>Yes</b> or <b>No</b> for each use below."
)

#: (heading, text) pairs: why, how used, who sees, storage, names, withdrawal.
EXPLANATIONS = (
    ("Why we take photographs",
     "A photo shows things that are hard to describe in words, like the size and colour of "
     "a wound, rash or skin spot. Photos taken over time show us if it is getting better."),
    ("How we use them",
     "The photos become part of your health record, like your other notes. We use them to "
     "plan and check your care. We use them for anything else only if you say yes below."),
    ("Who will see them",
     "Only the people listed for each use you agree to. For your care, that is usually the "
     "doctors, nurses and staff looking after you, and any specialist we send you to."),
    ("How we keep them safe",
     "Photos are kept in a locked (encrypted) system at the practice, not on personal phones "
     "and not in online storage. Each time someone opens, prints or sends one, it is recorded."),
    ("Your name and details",
     "For teaching, research or publishing we remove your name and details. Someone who knows "
     "you might still recognise you, so we always ask you first."),
    ("You can change your mind",
     "Saying no will not change your care. You can say yes to some uses and no to others. "
     "You can take back your consent at any time: tell us, and we will stop that use from "
     "then on. Photos already shown or published may not be able to be taken back."),
)

PURPOSE_TEXT = {
    Purpose.CLINICAL_CARE: (
        "For my care",
        "Keep the photos in my health record and use them to look after me."),
    Purpose.EDUCATION: (
        "For teaching",
        "Show the photos, without my name, to teach doctors, nurses and students."),
    Purpose.RESEARCH: (
        "For research",
        "Use the photos, without my name, in approved medical research."),
    Purpose.PUBLICATION: (
        "For publishing",
        "Publish the photos, without my name, in a journal, book, website, talk or social "
        "media. Once published they may not be able to be removed."),
}

PATIENT_STATEMENT = (
    "I have read this form, or someone has read it to me. I have been able to ask questions. "
    "I agree to the uses I have ticked <b>Yes</b>, and I know I can change my mind."
)
SUBSTITUTE_NOTE = (
    "If you are signing for the patient (for example as a parent, guardian or attorney), "
    "write how you are related to them."
)
CLINICIAN_STATEMENT = (
    "I have explained why the photos are taken, how they will be used, who will see them, "
    "how they are stored, and that consent can be withdrawn."
)
INTERPRETER_STATEMENT = "I interpreted this form and the discussion for the patient."

ASK_US = ("Questions? Ask your doctor, nurse or the front desk. You can ask for a free "
          "interpreter.")

FOR_THE_PRACTICE = (
    "For the practice: when signed, scan or photograph this page into the Clinfile drop "
    "folder. The code matches it to the consent record."
)
BLANK_FOR_THE_PRACTICE = (
    "For the practice: record this consent in Clinfile, then attach the scan of this signed "
    "form to it."
)
