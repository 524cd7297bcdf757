//! The GraphQL adapter: types convert domain rows, resolvers call one service function or
//! loader. The schema can be built without a database (for the SDL).

pub mod args;
pub mod audit;
pub mod candidate;
pub mod consultation;
pub mod context;
pub mod enums;
pub mod errors;
pub mod ids;
pub mod indicators;
pub mod integrity;
pub mod letter;
pub mod loaders;
pub mod local_rules;
pub mod member;
pub mod meta;
pub mod node;
pub mod organization;
pub mod pagination;
pub mod pipeline;
pub mod plan;
pub mod relation;
pub mod report;
pub mod run;
pub mod scalars;
pub mod text_limit;
pub mod user;
pub mod weights;

use crate::state::AppState;
use async_graphql::{MergedObject, MergedSubscription, SDLExportOptions, Schema, SchemaBuilder};

/// All queries.
// In the order a root field is looked for, the fields portals read most first: async-graphql
// nests the merged objects, each level a future that holds the next, and a field's lookup moves
// every level's future on its way down (a few kilobytes each; a street's case page passed seven
// levels). The committed SDL sorts the fields; introspection (GraphiQL's explorer) lists the root
// fields in this order, which means nothing to a client. (Not a `///` comment: those are the
// API's documentation.)
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    candidate::CandidateQuery,
    organization::OrganizationQuery,
    indicators::IndicatorQuery,
    meta::MetaQuery,
    user::UserQuery,
    local_rules::LocalRulesQuery,
    member::MemberQuery,
    letter::LetterQuery,
    plan::PlanQuery,
    report::ReportQuery,
    audit::AuditQuery,
    integrity::IntegrityQuery,
);

/// All mutations.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    user::UserMutation,
    organization::OrganizationMutation,
    local_rules::LocalRulesMutation,
    member::MemberMutation,
    pipeline::PipelineMutation,
    letter::LetterMutation,
    plan::PlanMutation,
    report::ReportMutation,
    integrity::IntegrityMutation,
    relation::RelationMutation,
    consultation::ConsultationMutation,
);

/// All subscriptions.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(letter::LetterSubscription, report::ReportSubscription);

/// The service's schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema's types only: no data, no limits (for the SDL).
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
}

/// The schema with its data, loaders and the configured limits.
pub fn build_schema(state: &AppState) -> AppSchema {
    let config = &state.config;
    let builder = schema_builder()
        .data(state.clone())
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity);
    loaders::register(
        builder,
        &state.db,
        std::time::Duration::from_millis(config.loader_delay_ms),
    )
    .finish()
}

/// The SDL of the public API, as committed in `schema.graphql`.
pub fn export_sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}
