//! Rate limits (限流), with `governor`'s GCRA limiters.
//!
//! - Login: failed attempts are counted per login name and per IP; once a
//!   name or an IP has used its allowance, every attempt (even with the
//!   right password) is answered 429 with `Retry-After` until it refills.
//!   Successful logins are not counted, so a whole street's phones behind
//!   one NAT can log in.
//! - Every login, registration and setup attempt also counts against a
//!   generous per-IP flood limit.
//! - Sync: per device and per IP.

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allowances, adjustable per deployment.
#[derive(Debug, Clone)]
pub struct Quotas {
    /// Failed logins per name: burst, then one per this period.
    pub login_failures_per_name: (u32, Duration),
    /// Failed logins per IP.
    pub login_failures_per_ip: (u32, Duration),
    /// Login, registration and setup attempts per IP.
    pub auth_attempts_per_ip: (u32, Duration),
    /// Sync requests per device.
    pub sync_per_device: (u32, Duration),
    /// Sync requests per IP.
    pub sync_per_ip: (u32, Duration),
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            login_failures_per_name: (5, Duration::from_secs(12)),
            login_failures_per_ip: (20, Duration::from_secs(3)),
            auth_attempts_per_ip: (200, Duration::from_millis(100)),
            sync_per_device: (200, Duration::from_millis(20)),
            sync_per_ip: (6000, Duration::from_micros(300)),
        }
    }
}

fn limiter<K: Hash + Eq + Clone>((burst, every): (u32, Duration)) -> DefaultKeyedRateLimiter<K> {
    let burst = NonZeroU32::new(burst.max(1)).expect("non-zero");
    let quota = Quota::with_period(every.max(Duration::from_nanos(1)))
        .expect("non-zero period")
        .allow_burst(burst);
    RateLimiter::keyed(quota)
}

/// A limiter that only counts failures, and blocks a key until it refills.
struct Failures<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    blocked: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq + Clone> Failures<K> {
    fn new(q: (u32, Duration)) -> Self {
        Failures {
            limiter: limiter(q),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, key: &K) -> Result<(), ApiError> {
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        blocked.retain(|_, until| *until > now);
        match blocked.get(key) {
            Some(until) => Err(ApiError::TooManyRequests(secs(*until - now))),
            None => Ok(()),
        }
    }

    fn failed(&self, key: &K) {
        if let Err(not_until) = self.limiter.check_key(key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            blocked.insert(key.clone(), Instant::now() + wait);
        }
    }
}

fn secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The server's limiters.
pub struct Limits {
    names: Failures<String>,
    ips: Failures<IpAddr>,
    attempts: DefaultKeyedRateLimiter<IpAddr>,
    sync_device: DefaultKeyedRateLimiter<String>,
    sync_ip: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

fn keyed<K: Hash + Eq + Clone>(l: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), ApiError> {
    l.check_key(key).map_err(|not_until| {
        ApiError::TooManyRequests(secs(
            not_until.wait_time_from(DefaultClock::default().now()),
        ))
    })
}

impl Limits {
    /// Limiters with these allowances.
    pub fn new(q: &Quotas) -> Limits {
        Limits {
            names: Failures::new(q.login_failures_per_name),
            ips: Failures::new(q.login_failures_per_ip),
            attempts: limiter(q.auth_attempts_per_ip),
            sync_device: limiter(q.sync_per_device),
            sync_ip: limiter(q.sync_per_ip),
        }
    }

    /// Before a login, registration or setup attempt from `ip` for `name`.
    pub fn before_login(&self, ip: IpAddr, name: &str) -> Result<(), ApiError> {
        keyed(&self.attempts, &ip)?;
        self.ips.check(&ip)?;
        self.names.check(&name.to_owned())
    }

    /// After a failed attempt.
    pub fn login_failed(&self, ip: IpAddr, name: &str) {
        self.ips.failed(&ip);
        self.names.failed(&name.to_owned());
    }

    /// Before a sync from `device` at `ip`.
    pub fn before_sync(&self, ip: IpAddr, device: &str) -> Result<(), ApiError> {
        keyed(&self.sync_ip, &ip)?;
        keyed(&self.sync_device, &device.to_owned())
    }

    /// Forget keys that have refilled (called now and then).
    pub fn shrink(&self) {
        self.attempts.retain_recent();
        self.sync_device.retain_recent();
        self.sync_ip.retain_recent();
        self.names.limiter.retain_recent();
        self.ips.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_logins_block_a_name_and_successes_do_not_count() {
        let l = Limits::new(&Quotas {
            login_failures_per_name: (3, Duration::from_secs(60)),
            ..Quotas::default()
        });
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..50 {
            l.before_login(ip, "ok").unwrap();
        }
        for _ in 0..3 {
            l.before_login(ip, "victim").unwrap();
            l.login_failed(ip, "victim");
        }
        l.before_login(ip, "victim").unwrap();
        l.login_failed(ip, "victim");
        let e = l.before_login(ip, "victim").unwrap_err();
        assert!(
            matches!(e, ApiError::TooManyRequests(s) if s > 0 && s <= 60),
            "{e:?}"
        );
        l.before_login(ip, "someone.else").unwrap();
    }
}
