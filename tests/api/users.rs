//! Users: ADMIN creates and deactivates in scope; passwords change; audit.

use crate::helpers::code;
use serde_json::json;

const CREATE: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id username role organization { name } } } }";
const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }";

db_test!(admins_create_users_in_their_subtree_only, |app| {
    app.load_demo().await;
    let branch = app.org_id("星火科技有限公司党支部").await;
    let input = json!({ "input": { "organizationId": branch, "username": "xinghuo.org", "password": "a-long-password", "role": "ORGANIZER" } });
    assert_eq!(
        code(
            &app.exec(Some("street.organizer"), CREATE, input.clone())
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.exec(Some("univ.admin"), CREATE, input.clone()).await),
        "NOT_FOUND"
    );
    let d = app.ok(Some("street.admin"), CREATE, input.clone()).await;
    assert_eq!(
        d["createUser"]["user"]["organization"]["name"],
        "星火科技有限公司党支部"
    );
    assert_eq!(
        code(&app.exec(Some("street.admin"), CREATE, input).await),
        "CONFLICT"
    );
    let bad = json!({ "input": { "organizationId": branch, "username": "x", "password": "short", "role": "VIEWER" } });
    let r = app.exec(Some("street.admin"), CREATE, bad).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert_eq!(r["errors"][0]["extensions"]["field"], "username");
    let list = app
        .ok(
            Some("street.admin"),
            "{ users { totalCount edges { node { username } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["users"]["totalCount"], 5);
    let all = app
        .ok(
            Some("admin"),
            "{ users(role: ADMIN) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(all["users"]["totalCount"], 4);
    let id = d["createUser"]["user"]["id"].as_str().unwrap();
    let audit = fazhan::db::audit::for_subject(
        &app.state.db,
        "user",
        fazhan::graphql::ids::decode_any(id).unwrap().1,
    )
    .await
    .unwrap();
    assert_eq!(audit[0].action, "user.create");
    assert!(!audit[0].detail.contains("a-long-password"));
});

db_test!(
    users_change_their_own_password_and_admins_reset_others,
    |app| {
        app.load_demo().await;
        let change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { username } } }";
        let r = app
            .exec(
                Some("street.organizer"),
                change,
                json!({ "input": { "newPassword": "new-password-1" } }),
            )
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        let r = app.exec(Some("street.organizer"), change, json!({ "input": { "currentPassword": "wrong-one-here", "newPassword": "new-password-1" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "currentPassword");
        app.ok(Some("street.organizer"), change, json!({ "input": { "currentPassword": "demo-pass-2026", "newPassword": "new-password-1" } })).await;
        assert_eq!(
            code(
                &app.exec(
                    None,
                    LOGIN,
                    json!({ "u": "street.organizer", "p": "demo-pass-2026" })
                )
                .await
            ),
            "UNAUTHENTICATED"
        );
        app.ok(
            None,
            LOGIN,
            json!({ "u": "street.organizer", "p": "new-password-1" }),
        )
        .await;
        // An admin resets a password in scope without the current one; a non-admin cannot.
        let viewer = app.user_id("branch.viewer").await;
        let reset = json!({ "input": { "userId": viewer, "newPassword": "reset-password-1" } });
        assert_eq!(
            code(
                &app.exec(Some("street.organizer"), change, reset.clone())
                    .await
            ),
            "FORBIDDEN"
        );
        assert_eq!(
            code(&app.exec(Some("univ.admin"), change, reset.clone()).await),
            "NOT_FOUND"
        );
        app.ok(Some("street.admin"), change, reset).await;
        app.ok(
            None,
            LOGIN,
            json!({ "u": "branch.viewer", "p": "reset-password-1" }),
        )
        .await;
    }
);

db_test!(admins_deactivate_users_but_not_themselves, |app| {
    app.load_demo().await;
    let deactivate = "mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { active } } }";
    let me = app.user_id("street.admin").await;
    assert_eq!(
        code(
            &app.exec(Some("street.admin"), deactivate, json!({ "id": me }))
                .await
        ),
        "CONFLICT"
    );
    let other = app.user_id("univ.organizer").await;
    assert_eq!(
        code(
            &app.exec(Some("street.admin"), deactivate, json!({ "id": other }))
                .await
        ),
        "NOT_FOUND"
    );
    let d = app
        .ok(Some("univ.admin"), deactivate, json!({ "id": other }))
        .await;
    assert_eq!(d["deactivateUser"]["user"]["active"], false);
    assert_eq!(
        code(
            &app.exec(
                None,
                LOGIN,
                json!({ "u": "univ.organizer", "p": "demo-pass-2026" })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
});
