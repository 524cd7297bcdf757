//! Public metadata, readable without a token.

use async_graphql::{Object, SimpleObject};

/// What this service is.
#[derive(SimpleObject)]
pub struct ServiceInfo {
    /// Service name.
    pub name: &'static str,
    /// Version of the running build.
    pub version: &'static str,
}

/// Public queries.
#[derive(Default)]
pub struct MetaQuery;

#[Object]
impl MetaQuery {
    /// Name and version of the service (no token needed).
    async fn service_info(&self) -> ServiceInfo {
        ServiceInfo {
            name: "fazhan",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}
