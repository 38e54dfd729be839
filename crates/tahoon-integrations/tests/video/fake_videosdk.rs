//! The fake VideoSDK lives in the crate's test support (`tahoon_integrations::testing`), which the
//! server's API tests share.

pub use tahoon_integrations::testing::videosdk::*;
