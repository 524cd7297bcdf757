//! Login limits: per client address, per username, and a budget of password checks (argon2)
//! for the whole process, each with bounded memory.
//!
//! Order of checks for one `login`: the username's length (before any limiter sees it), the
//! client address, the username, then the process-wide budget. Only a login that passes all four
//! runs argon2, so neither aliases, batches, many usernames nor many addresses can make the
//! service spend more than `budget` password checks a second.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Longest username accepted (longer ones are refused before any limiter stores them).
pub const MAX_USERNAME_CHARS: usize = 64;

/// Most keys a keyed limiter holds; past it, idle keys are dropped, and if none are idle the
/// attempt is refused (memory stays bounded whatever the attacker sends).
const MAX_KEYS: usize = 100_000;

/// Why a login attempt was refused before its password was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    /// The username is longer than [`MAX_USERNAME_CHARS`].
    UsernameTooLong,
    /// Too many attempts from this client address, for this username, or in the whole process.
    RateLimited,
}

/// The login limiters of one process.
pub struct LoginLimits {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    per_username: DefaultKeyedRateLimiter<String>,
    budget: DefaultDirectRateLimiter,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("non-zero")
}

fn admit<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> bool {
    if limiter.len() >= MAX_KEYS {
        limiter.retain_recent();
        limiter.shrink_to_fit();
        if limiter.len() >= MAX_KEYS {
            return false;
        }
    }
    limiter.check_key(key).is_ok()
}

impl LoginLimits {
    /// `per_username` and `per_address` attempts a minute; `budget` password checks a second
    /// for the whole process.
    pub fn new(per_username: u32, per_address: u32, budget: u32) -> Self {
        LoginLimits {
            per_address: RateLimiter::keyed(Quota::per_minute(nz(per_address))),
            per_username: RateLimiter::keyed(Quota::per_minute(nz(per_username))),
            budget: RateLimiter::direct(Quota::per_second(nz(budget))),
        }
    }

    /// Whether an attempt may check its password now.
    pub fn admit(&self, address: Option<IpAddr>, username: &str) -> Result<(), LoginRefusal> {
        if username.chars().count() > MAX_USERNAME_CHARS {
            return Err(LoginRefusal::UsernameTooLong);
        }
        if let Some(a) = address
            && !admit(&self.per_address, &a)
        {
            return Err(LoginRefusal::RateLimited);
        }
        if !admit(&self.per_username, &username.to_string()) {
            return Err(LoginRefusal::RateLimited);
        }
        self.budget.check().map_err(|_| LoginRefusal::RateLimited)
    }

    /// Drops the keys whose limits have fully recovered (run now and then).
    pub fn forget_idle(&self) {
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
        self.per_username.retain_recent();
        self.per_username.shrink_to_fit();
    }

    /// Keys held (addresses, usernames), for tests and metrics.
    pub fn keys_held(&self) -> (usize, usize) {
        (self.per_address.len(), self.per_username.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_long_username_is_refused_before_any_limiter_keeps_it() {
        let l = LoginLimits::new(10, 10, 100);
        let long = "x".repeat(MAX_USERNAME_CHARS + 1);
        assert_eq!(
            l.admit(ip("10.0.0.1"), &long),
            Err(LoginRefusal::UsernameTooLong)
        );
        assert_eq!(l.keys_held(), (0, 0));
    }

    #[test]
    fn one_address_cannot_try_many_usernames() {
        let l = LoginLimits::new(10, 5, 1000);
        for i in 0..5 {
            assert!(l.admit(ip("10.0.0.1"), &format!("user{i}")).is_ok());
        }
        assert_eq!(
            l.admit(ip("10.0.0.1"), "user99"),
            Err(LoginRefusal::RateLimited)
        );
        // Another address is not affected.
        assert!(l.admit(ip("10.0.0.2"), "user99").is_ok());
    }

    #[test]
    fn one_username_cannot_be_tried_from_many_addresses() {
        let l = LoginLimits::new(3, 100, 1000);
        for i in 0..3 {
            assert!(l.admit(ip(&format!("10.0.0.{i}")), "admin").is_ok());
        }
        assert_eq!(
            l.admit(ip("10.0.0.9"), "admin"),
            Err(LoginRefusal::RateLimited)
        );
    }

    #[test]
    fn the_process_budget_bounds_password_checks() {
        let l = LoginLimits::new(1000, 1000, 4);
        let admitted = (0..50)
            .filter(|i| {
                l.admit(ip(&format!("10.0.1.{i}")), &format!("u{i}"))
                    .is_ok()
            })
            .count();
        assert_eq!(admitted, 4);
    }
}
