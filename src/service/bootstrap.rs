//! First start: the root organization, the `admin` user, and the signing secret.

use super::user::{CreateUser, create_in};
use crate::config::{Config, Environment};
use crate::db::{self, organization::NewOrganization};
use crate::domain::Role;
use crate::domain::organization::{OrganizationKind, Sector};
use crate::error::{AppError, AppResult};
use entity::organization;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

const DEV_SECRET_KEY: &str = "dev_jwt_secret";

/// What the first start created, to tell the operator once.
pub struct Bootstrap {
    /// Set when the admin password was generated (print it once).
    pub generated_admin_password: Option<String>,
    pub created: bool,
}

/// On an empty database, creates the root organization (省委组织部) and the `admin` user.
pub async fn ensure_initialized(db: &DatabaseConnection, config: &Config) -> AppResult<Bootstrap> {
    if organization::Entity::find().count(db).await? > 0 {
        return Ok(Bootstrap {
            generated_admin_password: None,
            created: false,
        });
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.clone(), None),
        None => {
            let p = random_hex(12);
            (p.clone(), Some(p))
        }
    };
    let txn = crate::db::begin_write(db).await?;
    let root = db::organization::insert(
        &txn,
        NewOrganization {
            parent: None,
            name: "省委组织部".into(),
            code: None,
            kind: OrganizationKind::ProvincialOrganizationDepartment
                .as_str()
                .into(),
            sector: Sector::PartyOrgan.as_str().into(),
            is_two_new: false,
            can_approve: false,
            can_pre_review: false,
            member_count: 0,
        },
    )
    .await?;
    txn.commit().await?;
    create_in(
        db,
        None,
        root,
        CreateUser {
            organization_id: 0,
            username: "admin".into(),
            display_name: Some("系统管理员 (Administrator)".into()),
            password,
            role: Role::Admin,
            is_service_account: false,
        },
    )
    .await?;
    Ok(Bootstrap {
        generated_admin_password: generated,
        created: true,
    })
}

/// The token-signing secret: `JWT_SECRET`, or in development one generated once and kept in
/// the database (with a warning). Production refuses to start without `JWT_SECRET`.
pub async fn jwt_secret(db: &DatabaseConnection, config: &Config) -> AppResult<String> {
    if let Some(s) = &config.jwt_secret {
        if config.environment == Environment::Production && s.len() < 32 {
            return Err(AppError::internal(anyhow::anyhow!(
                "JWT_SECRET must be at least 32 bytes in production"
            )));
        }
        return Ok(s.clone());
    }
    if config.environment == Environment::Production {
        return Err(AppError::internal(anyhow::anyhow!(
            "JWT_SECRET is required when FAZHAN_ENV=production"
        )));
    }
    if let Some(s) = db::setting::get(db, DEV_SECRET_KEY).await? {
        return Ok(s);
    }
    tracing::warn!(
        "JWT_SECRET is not set: generated a development secret and stored it in the database; set JWT_SECRET in production"
    );
    let secret = random_hex(32);
    db::setting::insert(db, DEV_SECRET_KEY, &secret).await?;
    Ok(secret)
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
