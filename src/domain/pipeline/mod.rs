//! The candidate pipeline (DOMAIN.md §3): 5 stages, 25 steps, their preconditions as pure
//! functions, and the case state folded from the full-process record (全程纪实).

pub mod alerts;
pub mod check;
pub mod dates;
pub mod id_card;
pub mod model;
pub mod person;
pub mod review;
pub mod rules;
pub mod state;

#[cfg(test)]
mod tests;
