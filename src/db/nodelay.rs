//! `TCP_NODELAY` on the service's connections to PostgreSQL.
//!
//! sqlx 0.9.0 stopped setting `TCP_NODELAY` on the sockets it opens (transact-rs/sqlx#4335;
//! fixed upstream by #4336, not in a release this project can take yet). Without it, Nagle's
//! algorithm holds back a small write while an earlier one is unacknowledged, and the server
//! delays its acknowledgement by up to 40 ms: a `COPY`'s last segment and its `CopyDone`, or a
//! message split into several TLS records, waited 40–50 ms each time (strace of a 100,000-row
//! import over TLS, sqlx's default: PostgreSQL idle in transaction and the service waiting on
//! its socket, both at once; 16,196 rows/s before, 32,729–38,387 after; without TLS the
//! difference was within the machine's spread; docs/BENCHMARK.md round ten). libpq, and sqlx
//! before 0.9, always set it.
//!
//! sqlx gives no access to a connection's socket, so each time the pool opens a connection the
//! process's own descriptors are looked through (Linux, `/proc/self/fd`) and every TCP socket
//! connected to the database's port gets `TCP_NODELAY`. Elsewhere it does nothing. Remove this
//! when sqlx sets the option again.

/// Sets `TCP_NODELAY` on every TCP socket of this process connected to `port` (the database's)
/// that does not have it yet; returns how many it set.
#[cfg(target_os = "linux")]
pub fn on_connections_to(port: u16) -> usize {
    let mut set = 0;
    each_tcp_socket(|socket| {
        let to_database = socket
            .peer_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .is_some_and(|a| a.port() == port);
        if to_database
            && socket.tcp_nodelay().is_ok_and(|on| !on)
            && socket.set_tcp_nodelay(true).is_ok()
        {
            set += 1;
        }
        true
    });
    set
}

/// Elsewhere: nothing (see the module's documentation).
#[cfg(not(target_os = "linux"))]
pub fn on_connections_to(_port: u16) -> usize {
    0
}

/// Whether the TCP socket of this process bound to the local `port` has `TCP_NODELAY` (`None`
/// when there is none, or not on Linux): what the tests check a database connection by, found
/// from the server's side with `inet_client_port()`.
pub fn nodelay_of_local_port(port: u16) -> Option<bool> {
    let mut found = None;
    #[cfg(target_os = "linux")]
    each_tcp_socket(|socket| {
        let local = socket.local_addr().ok().and_then(|a| a.as_socket());
        if local.is_some_and(|a| a.port() == port) {
            found = socket.tcp_nodelay().ok();
        }
        found.is_none()
    });
    #[cfg(not(target_os = "linux"))]
    let _ = port;
    found
}

/// Calls `visit` with each TCP socket this process holds, until it returns false.
#[cfg(target_os = "linux")]
fn each_tcp_socket(mut visit: impl FnMut(&socket2::SockRef<'_>) -> bool) {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if !std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
        {
            continue;
        }
        // SAFETY: `fd` was open a moment ago and is only borrowed here (never closed: `SockRef`
        // does not own it). Another thread may close it, or the number may be reused, in the
        // meantime: then the calls on it fail (`EBADF`, or `ENOTSOCK` when the number now
        // names a file), or meet another socket, which is looked at (and changed) only as what
        // it is: at worst another TCP connection gets `TCP_NODELAY` too, which is harmless.
        let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&borrowed);
        let tcp = socket.r#type().is_ok_and(|t| t == socket2::Type::STREAM)
            && socket
                .local_addr()
                .is_ok_and(|a| a.is_ipv4() || a.is_ipv6());
        if tcp && !visit(&socket) {
            return;
        }
    }
}
