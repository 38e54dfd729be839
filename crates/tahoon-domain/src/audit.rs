//! The audit trail's hash chain: each entry's hash covers its content and the previous hash, so
//! editing or deleting a row breaks the chain at that row.

use crate::ids::{Id, OrganizationId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the audited attempt succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "success" => Some(Outcome::Success),
            "failure" => Some(Outcome::Failure),
            _ => None,
        }
    }
}

/// What is recorded about one event. No secrets and no personal data go in `details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent {
    /// Stored, and hashed, to the microsecond.
    pub occurred_at: Timestamp,
    pub organization_id: Option<OrganizationId>,
    /// Who acted: `org:<id>`, `key:<id>`, `operator`, `cli`, or `anonymous`.
    pub actor: String,
    /// What happened, dotted: `token.issued`, `auth.failed`, …
    pub action: String,
    pub outcome: Outcome,
    pub request_id: Option<String>,
    pub source_ip: Option<String>,
    /// A JSON object with event-specific facts.
    pub details: String,
}

impl AuditContent {
    /// SHA-256 over the previous hash and an unambiguous (JSON) encoding of every field: the
    /// instant as microseconds since the Unix epoch and the organization as its row id, as stored.
    pub fn chain_hash(&self, seq: i64, prev_hash: &str) -> String {
        let encoded = serde_json::to_string(&(
            seq,
            prev_hash,
            self.occurred_at.as_microsecond(),
            self.organization_id.map(Id::get),
            &self.actor,
            &self.action,
            self.outcome.as_str(),
            &self.request_id,
            &self.source_ip,
            &self.details,
        ))
        .expect("tuples of plain values serialize");
        hex::encode(Sha256::digest(encoded.as_bytes()))
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error("audit entry {seq}: its previous hash does not match entry before it (a row was removed or reordered)")]
    Unlinked { seq: i64 },
}

impl ChainBreak {
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Edited { seq } | ChainBreak::Unlinked { seq } => *seq,
        }
    }
}

/// Walks the chain incrementally, one entry at a time, in `seq` order.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    last_hash: String,
    last_seq: i64,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier { last_hash: GENESIS_HASH.to_string(), last_seq: 0, checked: 0 }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.prev_hash != self.last_hash {
            return Err(ChainBreak::Unlinked { seq: entry.seq });
        }
        if entry.content.chain_hash(entry.seq, &entry.prev_hash) != entry.hash {
            return Err(ChainBreak::Edited { seq: entry.seq });
        }
        self.last_hash = entry.hash.clone();
        self.last_seq = entry.seq;
        self.checked += 1;
        Ok(())
    }

    /// The last entry checked and its hash (`None` before the first): the chain's head, which an
    /// operator keeps elsewhere to prove later that nothing before it changed or went missing.
    pub fn head(&self) -> Option<(i64, &str)> {
        (self.checked > 0).then_some((self.last_seq, self.last_hash.as_str()))
    }
    pub fn checked(&self) -> u64 {
        self.checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let content = AuditContent {
                    occurred_at: Timestamp::from_microsecond(1_700_000_000_000_000 + seq).unwrap(),
                    organization_id: Some(Id::new(1)),
                    actor: "org:1".into(),
                    action: "token.issued".into(),
                    outcome: Outcome::Success,
                    request_id: Some(format!("req-{seq}")),
                    source_ip: Some("127.0.0.1".into()),
                    details: "{}".into(),
                };
                let hash = content.chain_hash(seq, &prev);
                let e = AuditEntry { seq, content, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> Result<(), ChainBreak> {
        let mut v = ChainVerifier::default();
        entries.iter().try_for_each(|e| v.check(e))
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
    }

    #[test]
    fn edited_row_is_named() {
        let mut entries = chain(5);
        entries[2].content.action = "token.revoked".into();
        assert_eq!(verify(&entries), Err(ChainBreak::Edited { seq: 3 }));
    }

    #[test]
    fn removed_row_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(verify(&entries), Err(ChainBreak::Unlinked { seq: 3 }));
    }

    #[test]
    fn rehashed_edit_still_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[1].content.outcome = Outcome::Failure;
        entries[1].hash = entries[1].content.chain_hash(2, &entries[1].prev_hash.clone());
        assert_eq!(verify(&entries), Err(ChainBreak::Unlinked { seq: 3 }));
    }
}
