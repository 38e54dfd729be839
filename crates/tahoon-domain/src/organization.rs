//! Organizations (tenants) and what their access keys may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Standard organizations are billed for usage; charity organizations spend a session balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationKind {
    Standard,
    Charity,
}

/// What an access key (and the tokens issued for it) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    ReadOnly,
    FullAccess,
}

impl Role {
    pub fn can_mutate(self) -> bool {
        matches!(self, Role::FullAccess)
    }
}

macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),* }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str { match self { $($ty::$variant => $text),* } }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $( _ if s.eq_ignore_ascii_case($text) => Ok($ty::$variant), )*
                    _ => Err(format!("expected one of: {}", [$($text),*].join(", "))),
                }
            }
        }
    };
}

text_enum!(OrganizationKind { Standard => "standard", Charity => "charity" });
text_enum!(Role { ReadOnly => "ReadOnly", FullAccess => "FullAccess" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        for k in [OrganizationKind::Standard, OrganizationKind::Charity] {
            assert_eq!(k.as_str().parse::<OrganizationKind>().unwrap(), k);
        }
        for r in [Role::ReadOnly, Role::FullAccess] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert_eq!("fullaccess".parse::<Role>().unwrap(), Role::FullAccess);
        assert!("admin".parse::<Role>().is_err());
    }
}
