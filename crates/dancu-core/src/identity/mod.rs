//! The citizen identity model: personal ID numbers, CMND, passports, tax
//! codes, birth dates of any precision, gender and names.
//!
//! Every type is parsed, never validated after the fact: fields are private,
//! and `FromStr`, `Display` and serde all go through one parser.

mod birth_date;
mod documents;
mod gender;
mod id_number;
mod mask;
mod name;
mod personal_id;
mod registration;
mod scan;
#[rustfmt::skip]
mod tables;

pub use birth_date::{BirthDate, BirthDateError, DateAgreement, Precision};
pub use documents::{CMND_LAST_VALID_DAY, Cmnd, DocumentError, Passport, TaxCode};
pub use gender::{Gender, GenderCode, GenderError};
pub use id_number::{IdKind, IdNumber, IdNumberError, UnclassifiedError};
pub use mask::{Masked, Redacted, RedactedForm, mask_numbers, mask_phrase};
pub use name::{FullName, MAX_NAME_CHARS, NameAgreement, NameError, fold};
pub use personal_id::{PersonalId, PersonalIdError};
pub use registration::{ProvinceRegistration, Registration};
