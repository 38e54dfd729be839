//! `tahoon bench`: seeds a benchmark data set and measures the service over real HTTP beside the
//! ceilings measured in the same run (docs/benchmarks.md).

pub mod booking;
pub mod ceilings;
pub mod client;
pub mod load;
pub mod measure;
pub mod plan;
pub mod report;
pub mod run;
pub mod seed;
pub mod server;
pub mod workload;
