//! Resolving record address codes to unit names.

use super::record::RecordAddress;

/// Fills in the names of an address's units from the gazetteer of its era.
/// Codes the gazetteer does not know keep `name: None`.
pub(crate) fn resolve_names(address: &mut RecordAddress) {
    // The gazetteer of both eras arrives with the administrative-units
    // module; until then codes stay unnamed.
    let _ = address;
}
