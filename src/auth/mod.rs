//! Authentication: password hashing, token signing and checking, and the request's viewer.
//! Enforcement of roles and scopes lives in `domain` (the permission matrix) and `service`.

pub mod jwt;
pub mod limits;
pub mod password;
pub mod viewer;

pub use jwt::{Claims, JwtKeys, TokenKind};
pub use viewer::Viewer;
