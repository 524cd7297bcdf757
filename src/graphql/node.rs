//! Relay `node(id)`: any object by its global id, with the same scope rules as its own query.

use super::candidate::Candidate;
use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::letter::Letter;
use super::member::Member;
use super::organization::Organization;
use super::user::User;
use crate::error::AppError;
use crate::service;
use async_graphql::{Context, ID, Interface, Object, Result};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id of the object."))]
pub enum Node {
    Organization(Organization),
    User(User),
    Candidate(Candidate),
    Member(Member),
    Letter(Letter),
}

/// The `node` query.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global id. What is outside your subtree is `NOT_FOUND`, the
    /// same as what does not exist.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> Result<Option<Node>> {
        let actor = ctx.actor()?;
        let db = &ctx.state().db;
        match ids::decode_any(&id) {
            Some((NodeType::Organization, n)) => Ok(Some(Node::Organization(
                Organization::visible_or_not_found(
                    actor,
                    service::organization::get_visible(db, actor, n).await?,
                )?,
            ))),
            Some((NodeType::User, n)) => Ok(Some(Node::User(User::new(
                service::user::get_visible(db, actor, n).await?,
            )))),
            Some((NodeType::Candidate, n)) => {
                let part = super::candidate::person_part(ctx);
                let lane = &ctx.state().lane;
                Ok(Some(Node::Candidate(Candidate::looked_up(
                    service::pipeline::get_visible_with_person(db, lane, actor, n, part).await?,
                ))))
            }
            Some((NodeType::Member, n)) => Ok(Some(Node::Member(Member(
                service::member::get_visible(db, actor, n).await?,
            )))),
            Some((NodeType::Letter, n)) => Ok(Some(Node::Letter(
                service::letter::get_visible(db, actor, n).await?.into(),
            ))),
            Some((
                NodeType::PipelineEvent
                | NodeType::GuidancePlan
                | NodeType::Report
                | NodeType::PersonRelation
                | NodeType::Consultation,
                _,
            ))
            | None => Err(AppError::NotFound("node").into()),
        }
    }
}
