//! Users and signing in: the `User` type, `me`, `users`, `login` and the ADMIN mutations.

use super::context::ContextExt;
use super::enums::Role;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::pagination::connection_type;
use crate::db::user::UserFilter;
use crate::domain;
use crate::error::AppError;
use crate::service::list::Total;
use crate::service::{auth, user as service};
use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, TimeZone, Utc};
use entity::user::Model;

/// A user account: a person or an integration partner's service account, in one organization
/// with one role.
#[derive(Clone)]
pub struct User(pub Model, SignedIn);

/// Whether this `User` is the one a `login` in this request just signed in: its own
/// organization is then shown although the request itself is anonymous.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SignedIn {
    No,
    ByThisRequest,
}

impl User {
    /// A user read through a scoped query.
    pub fn new(model: Model) -> Self {
        User(model, SignedIn::No)
    }
}

/// A user account: a person or an integration partner's service account, in one organization
/// with one role.
#[Object]
impl User {
    /// Global id, for `node(id)`.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::User, self.0.id)
    }

    /// Login name.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// Name shown in portals.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Role; what it allows is limited to the subtree of `organization`.
    async fn role(&self) -> Result<Option<Role>> {
        // A stored role is always one of the roles; anything else is damage, not "no role".
        let role = self
            .0
            .role
            .parse::<domain::Role>()
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
        Ok(Some(role.into()))
    }

    /// Whether this is a service account of an integration partner.
    async fn is_service_account(&self) -> bool {
        self.0.is_service_account
    }

    /// False once deactivated; a deactivated user's tokens stop working at once.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The organization the user belongs to: the root of what they may see.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        if self.1 == SignedIn::ByThisRequest && ctx.actor().is_err() {
            // The login payload: the organization the new token will see, as itself.
            let org = crate::db::organization::find_by_id(&ctx.state().db, self.0.organization_id)
                .await
                .map_err(AppError::from)?;
            let actor = crate::domain::Actor {
                user_id: self.0.id,
                role: self
                    .0
                    .role
                    .parse()
                    .map_err(|e: String| AppError::internal(anyhow::anyhow!(e)).extend())?,
                organization_id: self.0.organization_id,
                scope_path: org.as_ref().map(|o| o.path.clone()).unwrap_or_default(),
            };
            return Ok(org.and_then(|o| Organization::visible(&actor, o)));
        }
        super::organization::load_visible(ctx, self.0.organization_id).await
    }
}

/// A user's global id if that user belongs to the viewer's subtree, else `None` (who acted is
/// shown only to those who may see the actor).
pub async fn visible_user_id(ctx: &Context<'_>, user_id: i64) -> Result<Option<ID>> {
    let user = ctx
        .load_one::<super::loaders::UserByIdLoader, _>(user_id)
        .await?;
    let Some(user) = user else { return Ok(None) };
    let visible = super::organization::load_visible(ctx, user.organization_id)
        .await?
        .is_some();
    Ok(visible.then(|| ids::encode(NodeType::User, user.id)))
}

/// Counts the rows of a user connection.
pub struct UserCounter(Total<UserFilter>);

connection_type!(UserConnection, UserEdge, User, UserCounter, "users");

impl UserCounter {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.0.count(&ctx.state().db).await?)
    }
}

/// User queries.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user (`UNAUTHENTICATED` without a token).
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let actor = ctx.actor()?;
        Ok(User::new(
            service::get_visible(&ctx.state().db, actor, actor.user_id).await?,
        ))
    }

    /// One user of your subtree (ADMIN), or yourself.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the user.")] id: ID,
    ) -> Result<Option<User>> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::User, &id, "id")?;
        Ok(Some(User::new(
            service::get_visible(&ctx.state().db, actor, id).await?,
        )))
    }

    /// Users of a subtree (yours by default), in creation order (ADMIN).
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "Only users with this role.")] role: Option<Role>,
        #[graphql(
            desc = "Only usernames or display names containing this text as written (`%` and `_` are not wildcards)."
        )]
        search: Option<String>,
        #[graphql(desc = "Include deactivated users.", default = false)] include_inactive: bool,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<UserConnection> {
        let actor = ctx.actor()?;
        let only = service::UsersOnly {
            role: role.map(Into::into),
            search: super::args::search(search)?,
            include_inactive,
        };
        let (query, args) = ctx.list_query(under, first, after.as_deref(), only)?;
        let listed = service::list(&ctx.state().db, actor, query).await?;
        Ok(UserConnection::new(
            listed.page,
            &args,
            |u| u.id,
            |u| Some(User::new(u)),
            UserCounter(listed.total),
        ))
    }
}

/// Input of `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// Login name.
    pub username: String,
    /// Password.
    #[graphql(secret)]
    pub password: String,
}

/// Result of `login`.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: User,
}

/// Input of `createUser`.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// The user's organization, inside your subtree.
    pub organization_id: ID,
    /// Login name: 3–64 letters, digits, `.`, `_` or `-`.
    pub username: String,
    /// Name shown in portals (default: the username).
    pub display_name: Option<String>,
    /// Initial password, at least 10 characters.
    #[graphql(secret)]
    pub password: String,
    /// Role.
    pub role: Role,
    /// Whether this is an integration partner's service account.
    #[graphql(default = false)]
    pub is_service_account: bool,
}

/// Result of `createUser`.
#[derive(SimpleObject)]
pub struct CreateUserPayload {
    /// The new user.
    pub user: User,
}

/// Input of `changePassword`.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// Whose password: omit for your own (then `currentPassword` is required); an ADMIN may
    /// reset the password of a user in their subtree.
    pub user_id: Option<ID>,
    /// Your current password, when changing your own.
    #[graphql(secret)]
    pub current_password: Option<String>,
    /// The new password, at least 10 characters.
    #[graphql(secret)]
    pub new_password: String,
}

/// Result of `changePassword`.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// The user whose password changed.
    pub user: User,
}

/// Input of `deactivateUser`.
#[derive(InputObject)]
pub struct DeactivateUserInput {
    /// The user, in your subtree, not yourself.
    pub id: ID,
}

/// Result of `deactivateUser`.
#[derive(SimpleObject)]
pub struct DeactivateUserPayload {
    /// The deactivated user.
    pub user: User,
}

/// Sign-in and user mutations.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Signs in with a username and password; returns a bearer token. Repeated failures for one
    /// username are `RATE_LIMITED`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Credentials.")] input: LoginInput,
    ) -> Result<LoginPayload> {
        // One `login` per operation: aliases (`a: login … b: login …`) cannot multiply the
        // password checks a single request costs.
        // A transport that does not say who is asking (no `RequestInfo`) gets no login at all.
        // A socket is opened with a token: it signs no one in (one socket, one login each,
        // would otherwise be a login without the HTTP path's limits on who asks).
        if ctx.data_opt::<super::context::SocketToken>().is_some() {
            return Err(AppError::bad_input(
                "login",
                "请通过HTTP登录",
                "log in over HTTP; a WebSocket is opened with a token",
            )
            .extend());
        }
        let info = ctx.data_opt::<super::context::RequestInfo>();
        let earlier = info.map_or(1, |i| {
            i.logins.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        });
        if earlier > 0 {
            return Err(AppError::bad_input(
                "login",
                "每个操作只能登录一次",
                "one login per operation",
            )
            .extend());
        }
        let address = info.and_then(|i| i.client_address);
        let r = auth::login(ctx.state(), address, &input.username, input.password).await?;
        Ok(LoginPayload {
            token: r.token,
            expires_at: Utc
                .timestamp_opt(r.expires_at, 0)
                .single()
                .unwrap_or_else(Utc::now),
            user: User(r.user, SignedIn::ByThisRequest),
        })
    }

    /// Creates a user in an organization of your subtree (ADMIN).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new user.")] input: CreateUserInput,
    ) -> Result<CreateUserPayload> {
        let actor = ctx.actor()?;
        let user = service::create(
            &ctx.state().db,
            actor,
            service::CreateUser {
                organization_id: ids::decode(
                    NodeType::Organization,
                    &input.organization_id,
                    "organizationId",
                )?,
                username: input.username,
                display_name: input.display_name,
                password: input.password,
                role: input.role.into(),
                is_service_account: input.is_service_account,
            },
        )
        .await?;
        Ok(CreateUserPayload {
            user: User::new(user),
        })
    }

    /// Changes your own password, or (ADMIN) resets one in your subtree.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose password, and the new one.")] input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload> {
        let actor = ctx.actor()?;
        let user_id = input
            .user_id
            .map(|id| ids::decode(NodeType::User, &id, "userId"))
            .transpose()?;
        let checks = service::CurrentPasswordChecks {
            limits: &ctx.state().login_limits,
            address: ctx
                .data_opt::<super::context::RequestInfo>()
                .and_then(|i| i.client_address),
        };
        let user = service::change_password(
            &ctx.state().db,
            actor,
            checks,
            user_id,
            input.current_password,
            input.new_password,
        )
        .await?;
        // The user's older tokens are revoked: forget the cached generation at once.
        ctx.state().users_changed();
        Ok(ChangePasswordPayload {
            user: User::new(user),
        })
    }

    /// Deactivates a user of your subtree (ADMIN); their tokens stop working at once.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user to deactivate.")] input: DeactivateUserInput,
    ) -> Result<DeactivateUserPayload> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::User, &input.id, "id")?;
        let user = service::deactivate(&ctx.state().db, actor, id).await?;
        ctx.state().users_changed();
        Ok(DeactivateUserPayload {
            user: User::new(user),
        })
    }
}
