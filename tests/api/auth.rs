//! Signing in and the token plumbing over the real HTTP router.

use crate::fixtures::deactivate;
use crate::helpers::{TestApp, code};
use fazhan::auth::TokenKind;
use serde_json::{Value, json};

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token expiresAt user { username role } } }";
const ME: &str = "{ me { username role organization { name } } }";

/// Signs in anonymously as `username` with `password`; the raw response.
async fn login(app: &TestApp, username: &str, password: &str) -> Value {
    app.exec(None, LOGIN, json!({ "u": username, "p": password }))
        .await
}

db_test!(
    first_start_creates_the_root_and_an_admin_who_can_sign_in,
    |app| {
        let r = login(&app, "admin", "admin-password-1").await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
        let data = &r["data"];
        assert_eq!(data["login"]["user"]["role"], "ADMIN");
        let token = data["login"]["token"].as_str().unwrap();
        let (status, _, body) = app
            .post(Some(&format!("Bearer {token}")), ME, json!({}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["me"]["organization"]["name"], "省委组织部");
        // A second start on the same database creates nothing more.
        let again =
            fazhan::service::bootstrap::ensure_initialized(&app.state.db, &app.state.config)
                .await
                .unwrap();
        assert!(!again.created);
        let count = app
            .ok(
                Some("admin"),
                "{ organizations { totalCount } users { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(count["organizations"]["totalCount"], 1);
        assert_eq!(count["users"]["totalCount"], 1);
    }
);

db_test!(
    first_start_without_a_configured_password_generates_one,
    fazhan::Config {
        admin_password: None,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        // The harness bootstrapped without a password: a generated one was used, so the
        // default test password must not work.
        let r = login(&app, "admin", "admin-password-1").await;
        assert_eq!(code(&r), "UNAUTHENTICATED");
    }
);

db_test!(
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
    |app| {
        let wrong = login(&app, "admin", "not-the-password").await;
        let unknown = login(&app, "nobody", "not-the-password").await;
        assert_eq!(code(&wrong), "UNAUTHENTICATED");
        assert_eq!(
            wrong["errors"][0]["message"],
            unknown["errors"][0]["message"]
        );
    }
);

db_test!(
    repeated_failed_logins_are_rate_limited,
    fazhan::Config {
        login_attempts_per_minute: 3,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        for _ in 0..3 {
            let r = login(&app, "admin", "wrong-password").await;
            assert_eq!(code(&r), "UNAUTHENTICATED");
        }
        let r = login(&app, "admin", "admin-password-1").await;
        assert_eq!(code(&r), "RATE_LIMITED");
    }
);

db_test!(
    guesses_of_the_current_password_count_as_logins,
    fazhan::Config {
        login_attempts_per_minute: 3,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        app.load_demo().await;
        // A stolen token cannot try current passwords without limit; the guesses and logins
        // share one count per username.
        let change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { id } } }";
        let guess = |n: u32| json!({ "input": { "currentPassword": format!("guess-{n}"), "newPassword": "a-new-password-2026" } });
        let mut codes = vec![];
        for n in 0..4 {
            let r = app.exec(Some("univ.organizer"), change, guess(n)).await;
            codes.push(code(&r).to_string());
        }
        assert_eq!(
            codes,
            [
                "BAD_USER_INPUT",
                "BAD_USER_INPUT",
                "BAD_USER_INPUT",
                "RATE_LIMITED"
            ]
        );
        let r = login(&app, "univ.organizer", "demo-pass-2026").await;
        assert_eq!(code(&r), "RATE_LIMITED", "{r:#}");
    }
);

db_test!(
    without_a_token_only_login_and_public_metadata_answer,
    |app| {
        let (status, _, body) = app
            .post(None, "{ serviceInfo { name version } }", json!({}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["serviceInfo"]["name"], "fazhan");
        let (status, _, body) = app.post(None, ME, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(code(&body), "UNAUTHENTICATED");
        let (_, _, body) = app
            .post(None, "{ organizations { totalCount } }", json!({}))
            .await;
        assert_eq!(code(&body), "UNAUTHENTICATED");
    }
);

db_test!(
    bad_expired_and_tampered_tokens_are_401_never_anonymous,
    |app| {
        let good = app.token_for("admin").await;
        let mut tampered = good.clone();
        tampered.pop();
        tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
        let user = fazhan::db::user::find_by_username(&app.state.db, "admin")
            .await
            .unwrap()
            .unwrap();
        let expired = app
            .issue("admin", TokenKind::Login, chrono::Duration::hours(-1))
            .await
            .0;
        let foreign = fazhan::auth::JwtKeys::from_secret(b"some-other-secret-some-other")
            .issue(
                user.id,
                user.token_generation,
                TokenKind::Login,
                chrono::Duration::hours(1),
            )
            .unwrap()
            .0;
        for header in [
            format!("Bearer {tampered}"),
            format!("Bearer {expired}"),
            format!("Bearer {foreign}"),
            "Bearer not-a-token".to_string(),
            format!("Basic {good}"),
        ] {
            let (status, headers, body) = app
                .post(Some(&header), "{ serviceInfo { name } }", json!({}))
                .await;
            assert_eq!(status, 401, "{header}");
            assert_eq!(headers["www-authenticate"], "Bearer");
            assert_eq!(code(&body), "UNAUTHENTICATED");
            assert!(body.get("data").is_none());
        }
        let (status, _, body) = app
            .post(Some(&format!("Bearer {good}")), ME, json!({}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["me"]["username"], "admin");
    }
);

db_test!(a_deactivated_users_token_stops_working_at_once, |app| {
    app.load_demo().await;
    let token = app.token_for("branch.viewer").await;
    let (status, _, _) = app
        .post(Some(&format!("Bearer {token}")), ME, json!({}))
        .await;
    assert_eq!(status, 200);
    deactivate(&app, "street.admin", "branch.viewer").await;
    let (status, _, body) = app
        .post(Some(&format!("Bearer {token}")), ME, json!({}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
});

db_test!(
    service_tokens_from_the_command_line_are_long_lived_and_work,
    |app| {
        app.load_demo().await;
        let user = fazhan::db::user::find_by_username(&app.state.db, "partner.bot")
            .await
            .unwrap()
            .unwrap();
        assert!(user.is_service_account);
        let lifetime = chrono::Duration::days(365);
        let (token, exp) = app.issue("partner.bot", TokenKind::Service, lifetime).await;
        assert!(exp > chrono::Utc::now().timestamp() + 364 * 86_400);
        let (status, _, body) = app
            .post(Some(&format!("Bearer {token}")), ME, json!({}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["me"]["role"], "PARTNER");
    }
);
