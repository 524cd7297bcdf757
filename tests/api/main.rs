//! The integration-test binary: every test runs on a fresh, migrated SQLite database, and again
//! on a fresh PostgreSQL schema when `TEST_DATABASE_URL` is set.

#[macro_use]
mod helpers;
mod audit;
mod auth;
mod counts;
mod crash;
mod fixtures;
mod http_spec;
mod imports;
mod indicators;
mod integrity;
mod letters;
mod limits;
mod matrix;
mod organizations;
mod persisted;
mod pipeline;
mod plan_documents;
mod plans;
mod replicas;
mod schema;
mod seed;
mod statements;
mod tokens;
mod trust;
mod users;
