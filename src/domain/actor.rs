//! Who is acting: a signed-in user with a role, scoped to the subtree of their organization.

use super::organization::path_contains;
use super::role::{Permission, Role};

/// The acting user. The HTTP layer's viewer converts into it, so the domain never imports auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub organization_id: i64,
    /// Materialized path of the actor's organization: the root of everything they may see.
    pub scope_path: String,
}

impl Actor {
    /// Whether the organization at `path` lies in the actor's subtree (their own included).
    pub fn can_see(&self, path: &str) -> bool {
        path_contains(&self.scope_path, path)
    }

    /// Whether the actor's role grants `permission` (scope is checked separately).
    pub fn may(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(path: &str) -> Actor {
        Actor {
            user_id: 1,
            role: Role::Admin,
            organization_id: 5,
            scope_path: path.into(),
        }
    }

    #[test]
    fn sees_own_subtree_only() {
        let a = actor("/1/5/");
        assert!(a.can_see("/1/5/"));
        assert!(a.can_see("/1/5/9/"));
        assert!(!a.can_see("/1/"));
        assert!(!a.can_see("/1/50/"));
        assert!(!a.can_see("/1/6/"));
    }
}
