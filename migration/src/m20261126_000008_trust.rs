//! Trust: a token generation per user (bumped by password change, reset, deactivation, role or
//! organization change; a token carries the generation it was issued under), and the audit
//! chain (each audit row hashes its content with the previous row's hash; who acted in which
//! role, the outcome and the request id).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TokenGeneration,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    ActorRole,
    RequestId,
    Outcome,
    PrevHash,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::TokenGeneration)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        let columns = [
            ColumnDef::new(AuditEvents::ActorRole)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(AuditEvents::RequestId)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(AuditEvents::Outcome)
                .string()
                .not_null()
                .default("OK")
                .to_owned(),
            ColumnDef::new(AuditEvents::PrevHash)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(AuditEvents::Hash).string().null().to_owned(),
        ];
        for mut c in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditEvents::Table)
                        .add_column(&mut c)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for c in [
            AuditEvents::Hash,
            AuditEvents::PrevHash,
            AuditEvents::Outcome,
            AuditEvents::RequestId,
            AuditEvents::ActorRole,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditEvents::Table)
                        .drop_column(c)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::TokenGeneration)
                    .to_owned(),
            )
            .await
    }
}
