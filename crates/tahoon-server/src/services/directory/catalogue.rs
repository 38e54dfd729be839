//! The filter catalogue as listings name it: every entry, and each by kind and id.

use std::collections::HashMap;
use tahoon_domain::catalogue::{CatalogueItem, CatalogueKind};

/// The catalogue grouped by kind, for naming ids in responses.
pub struct CatalogueIndex {
    pub items: Vec<CatalogueItem>,
    pub by_kind: HashMap<(CatalogueKind, i64), CatalogueItem>,
}

impl CatalogueIndex {
    pub fn new(items: Vec<CatalogueItem>) -> CatalogueIndex {
        let by_kind = items.iter().map(|i| ((i.kind, i.id), i.clone())).collect();
        CatalogueIndex { items, by_kind }
    }
}
