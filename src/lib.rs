//! fazhan: the GraphQL data-exchange service for the development of new Party members (发展党员).
//!
//! Layers (each module's first line states its dependency rule): `domain` (pure rules) ←
//! `db` (SeaORM) ← `service` (use cases, transactions) ← `graphql` (adapter) ← `http` (transport)
//! ← `app` (wiring) ← `cli` (commands).

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod seed;
pub mod service;
pub mod state;
pub mod telemetry;

pub use config::Config;
pub use state::AppState;
