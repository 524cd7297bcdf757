//! Organizations: role × operation × scope, nothing leaks outside a subtree, moves keep paths
//! consistent, the approval-authority rule, deactivation, audit.

use crate::helpers::code;
use serde_json::{Value, json};

const COUNT: &str = "{ organizations { totalCount } }";
const CREATE: &str = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id name kind canApprove canPreReview isTwoNew depth parent { name } } } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on Organization { name } } }";

db_test!(each_demo_role_sees_exactly_its_subtree, |app| {
    app.load_demo().await;
    for (user, expected) in [
        ("admin", 18),
        ("city.admin", 10),
        ("street.admin", 8),
        ("street.organizer", 8),
        ("street.approver", 8),
        ("branch.viewer", 1),
        ("edu.analyst", 7),
        ("univ.admin", 6),
        ("univ.organizer", 6),
        ("partner.bot", 10),
    ] {
        let data = app.ok(Some(user), COUNT, json!({})).await;
        assert_eq!(data["organizations"]["totalCount"], expected, "{user}");
    }
});

db_test!(lists_page_with_cursors_and_filter_by_kind_and_name, |app| {
    app.load_demo().await;
    let q = "query($after: String, $kind: OrganizationKind, $search: String) { organizations(first: 3, after: $after, kind: $kind, search: $search) { totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let mut names = vec![];
    let mut after = serde_json::Value::Null;
    loop {
        let d = app
            .ok(Some("street.admin"), q, json!({ "after": after }))
            .await;
        let c = &d["organizations"];
        names.extend(
            c["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_string()),
        );
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], "和平街道党工委");
    let d = app
        .ok(Some("street.admin"), q, json!({ "kind": "BRANCH" }))
        .await;
    assert_eq!(d["organizations"]["totalCount"], 6);
    let d = app
        .ok(Some("street.admin"), q, json!({ "search": "有限公司" }))
        .await;
    assert_eq!(d["organizations"]["totalCount"], 2);
});

db_test!(a_search_matches_percent_and_underscore_as_written, |app| {
    app.load_demo().await;
    let q = "query($s: String!) { organizations(search: $s) { totalCount } users(search: $s) { totalCount } }";
    // LIKE's wildcards: `%` would match every name and `_` any one character.
    for s in ["%", "_", "%%", "和平_道", "\\"] {
        let d = app.ok(Some("street.admin"), q, json!({ "s": s })).await;
        assert_eq!(d["organizations"]["totalCount"], 0, "{s}");
        assert_eq!(d["users"]["totalCount"], 0, "{s}");
    }
    let d = app
        .ok(Some("street.admin"), q, json!({ "s": "和平街道" }))
        .await;
    assert!(d["organizations"]["totalCount"].as_i64().unwrap() >= 1);
    let street = app.org_id("和平街道党工委").await;
    let create = "mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { name } } }";
    app.ok(
        Some("street.admin"),
        create,
        json!({ "i": { "parentId": street, "name": "百分之100%_党支部", "kind": "BRANCH", "sector": "NON_PUBLIC_ENTERPRISE", "memberCount": 5 } }),
    )
    .await;
    for s in ["100%_", "%_党", "0%"] {
        let d = app.ok(Some("street.admin"), q, json!({ "s": s })).await;
        assert_eq!(d["organizations"]["totalCount"], 1, "{s}");
    }
    crate::fixtures::applicant(&app, "和平社区第一党支部", "卫琳", "2000-03-15", 18).await;
    let cases = "query($s: String!) { candidates(search: $s) { totalCount } }";
    for (s, expected) in [("_", 0), ("%", 0), ("卫_", 0), ("卫琳", 1)] {
        let d = app
            .ok(Some("street.organizer"), cases, json!({ "s": s }))
            .await;
        assert_eq!(d["candidates"]["totalCount"], expected, "{s}");
    }
});

db_test!(only_admins_create_and_only_inside_their_subtree, |app| {
    app.load_demo().await;
    let street = app.org_id("和平街道党工委").await;
    let univ = app.org_id("示例大学党委").await;
    let input = |parent: &str| json!({ "input": { "parentId": parent, "name": "新建企业党支部", "kind": "BRANCH", "sector": "NON_PUBLIC_ENTERPRISE", "memberCount": 5 } });
    for user in [
        "street.organizer",
        "street.approver",
        "branch.viewer",
        "edu.analyst",
        "partner.bot",
    ] {
        let r = app.exec(Some(user), CREATE, input(&street)).await;
        assert_eq!(code(&r), "FORBIDDEN", "{user}");
    }
    let r = app.exec(Some("univ.admin"), CREATE, input(&street)).await;
    assert_eq!(code(&r), "NOT_FOUND");
    let d = app.ok(Some("street.admin"), CREATE, input(&street)).await;
    let org = &d["createOrganization"]["organization"];
    assert_eq!(org["parent"]["name"], "和平街道党工委");
    assert_eq!(org["isTwoNew"], true);
    assert_eq!(org["canApprove"], false);
    assert_eq!(org["depth"], 4);
    let audit = fazhan::db::audit::for_subject(
        &app.state.db,
        "organization",
        decode(org["id"].as_str().unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "organization.create");
    // A university admin creates under their own university.
    let d = app.ok(Some("univ.admin"), CREATE, json!({ "input": { "parentId": univ, "name": "化学学院党委", "kind": "SECOND_LEVEL_COMMITTEE", "sector": "UNIVERSITY", "canApprove": true } })).await;
    assert_eq!(d["createOrganization"]["organization"]["canApprove"], true);
    assert_eq!(
        d["createOrganization"]["organization"]["canPreReview"],
        true
    );
});

db_test!(
    a_general_branch_or_a_committee_under_a_street_may_never_approve,
    |app| {
        app.load_demo().await;
        let street = app.org_id("和平街道党工委").await;
        let univ = app.org_id("示例大学党委").await;
        let r = app.exec(Some("admin"), CREATE, json!({ "input": { "parentId": univ, "name": "某党总支", "kind": "GENERAL_BRANCH", "sector": "UNIVERSITY", "canApprove": true } })).await;
        assert_eq!(code(&r), "RULE_VIOLATION");
        assert_eq!(r["errors"][0]["extensions"]["rule"], "A1");
        assert_eq!(
            r["errors"][0]["extensions"]["details"]["kind"],
            "GENERAL_BRANCH"
        );
        let r = app.exec(Some("admin"), CREATE, json!({ "input": { "parentId": street, "name": "某企业党委", "kind": "ENTERPRISE_COMMITTEE", "sector": "NON_PUBLIC_ENTERPRISE", "canApprove": true } })).await;
        assert_eq!(code(&r), "RULE_VIOLATION");
        assert_eq!(
            r["errors"][0]["extensions"]["details"]["parentKind"],
            "STREET_WORKING_COMMITTEE"
        );
        // Without asking, it is created with no approval authority.
        let d = app.ok(Some("admin"), CREATE, json!({ "input": { "parentId": street, "name": "某企业党委", "kind": "ENTERPRISE_COMMITTEE", "sector": "NON_PUBLIC_ENTERPRISE" } })).await;
        assert_eq!(d["createOrganization"]["organization"]["canApprove"], false);
        // A branch is a leaf.
        let branch = app.org_id("和平社区第一党支部").await;
        let r = app.exec(Some("admin"), CREATE, json!({ "input": { "parentId": branch, "name": "x党小组", "kind": "BRANCH", "sector": "COMMUNITY" } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        assert_eq!(r["errors"][0]["extensions"]["field"], "parentId");
    }
);

db_test!(
    nothing_outside_the_subtree_leaks_through_lookups_or_nested_fields,
    |app| {
        app.load_demo().await;
        let univ = app.org_id("示例大学党委").await;
        let missing =
            fazhan::graphql::ids::encode(fazhan::graphql::ids::NodeType::Organization, 999_999).0;
        let outside = app
            .exec(Some("street.admin"), NODE, json!({ "id": univ }))
            .await;
        let absent = app
            .exec(Some("street.admin"), NODE, json!({ "id": missing }))
            .await;
        assert_eq!(code(&outside), "NOT_FOUND");
        assert_eq!(
            outside["errors"][0]["message"],
            absent["errors"][0]["message"]
        );
        assert_eq!(outside["data"], absent["data"]);
        // A row has one id: the street's own id written with a leading zero names nothing.
        let street = app.org_id("和平街道党工委").await;
        let (_, n) = fazhan::graphql::ids::decode_any(&street).unwrap();
        use base64::Engine as _;
        let padded =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Organization:0{n}"));
        let r = app
            .exec(Some("street.admin"), NODE, json!({ "id": padded }))
            .await;
        assert_eq!(r["data"]["node"], Value::Null, "{r:#}");
        assert!(!r["errors"].as_array().unwrap().is_empty(), "{r:#}");
        let q = "query($id: ID!) { organization(id: $id) { name } }";
        assert_eq!(
            code(
                &app.exec(Some("street.admin"), q, json!({ "id": univ }))
                    .await
            ),
            "NOT_FOUND"
        );
        // Listing under an organization outside the subtree is NOT_FOUND too.
        let r = app
            .exec(
                Some("street.admin"),
                "query($u: ID) { organizations(under: $u) { totalCount } }",
                json!({ "u": univ }),
            )
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
        // Nested fields stop at the root of the viewer's subtree.
        let branch = app.org_id("和平社区第一党支部").await;
        let q = "query($id: ID!) { organization(id: $id) { parent { name parent { name parent { name } } } ancestors { name } } }";
        let d = app
            .ok(Some("street.admin"), q, json!({ "id": branch }))
            .await;
        let o = &d["organization"];
        assert_eq!(o["parent"]["name"], "和平社区党委");
        assert_eq!(o["parent"]["parent"]["name"], "和平街道党工委");
        assert!(o["parent"]["parent"]["parent"].is_null());
        let ancestors: Vec<&str> = o["ancestors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(ancestors, ["和平街道党工委", "和平社区党委"]);
        // The branch viewer sees only the branch.
        let d = app
            .ok(Some("branch.viewer"), q, json!({ "id": branch }))
            .await;
        assert!(d["organization"]["parent"].is_null());
        assert_eq!(d["organization"]["ancestors"], json!([]));
        // Users of another subtree are not found either, and non-admins list no users.
        let other = app.user_id("univ.admin").await;
        let r = app
            .exec(Some("street.admin"), NODE, json!({ "id": other }))
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
        let r = app
            .exec(
                Some("street.organizer"),
                "{ users { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
    }
);

db_test!(moving_an_organization_moves_its_whole_subtree, |app| {
    app.load_demo().await;
    let community = app.org_id("和平社区党委").await;
    let district = app.org_id("示例区委组织部").await;
    let mv = "mutation($id: ID!, $to: ID!) { moveOrganization(input: {id: $id, newParentId: $to}) { organization { depth parent { name } } } }";
    // A user inside the moved subtree: their scope is read (and kept) before the move.
    let own = "{ organizations { totalCount } }";
    let visible = |d: Value| d["organizations"]["totalCount"].clone();
    assert_eq!(
        visible(app.ok(Some("branch.viewer"), own, json!({})).await),
        1
    );
    let d = app
        .ok(
            Some("city.admin"),
            mv,
            json!({ "id": community, "to": district }),
        )
        .await;
    // … and follows it at once: the kept scope was dropped with the move.
    assert_eq!(
        visible(app.ok(Some("branch.viewer"), own, json!({})).await),
        1
    );
    assert_eq!(
        d["moveOrganization"]["organization"]["parent"]["name"],
        "示例区委组织部"
    );
    assert_eq!(d["moveOrganization"]["organization"]["depth"], 3);
    // The children moved along: their ancestors and depths follow, the old street lost them.
    let branch = app.org_id("和平社区第一党支部").await;
    let q = "query($id: ID!) { organization(id: $id) { depth ancestors { name } } }";
    let d = app.ok(Some("city.admin"), q, json!({ "id": branch })).await;
    assert_eq!(d["organization"]["depth"], 4);
    let names: Vec<&str> = d["organization"]["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["示例市委组织部", "示例区委组织部", "和平社区党委"]);
    assert_eq!(
        app.ok(Some("street.admin"), COUNT, json!({})).await["organizations"]["totalCount"],
        5
    );
    let under = "query($u: ID) { organizations(under: $u) { totalCount } }";
    assert_eq!(
        app.ok(Some("city.admin"), under, json!({ "u": district }))
            .await["organizations"]["totalCount"],
        9
    );
    // No cycles, not the viewer's own root, not out of scope.
    let r = app
        .exec(
            Some("city.admin"),
            mv,
            json!({ "id": district, "to": branch }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let street = app.org_id("和平街道党工委").await;
    let r = app
        .exec(
            Some("street.admin"),
            mv,
            json!({ "id": street, "to": district }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let xinghuo = app.org_id("星火科技有限公司党支部").await;
    let r = app
        .exec(
            Some("street.admin"),
            mv,
            json!({ "id": xinghuo, "to": district }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let city = app.org_id("示例市委组织部").await;
    let r = app
        .exec(
            Some("city.admin"),
            mv,
            json!({ "id": city, "to": district }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let audit = fazhan::db::audit::for_subject(&app.state.db, "organization", decode(&community))
        .await
        .unwrap();
    assert_eq!(audit.last().unwrap().action, "organization.move");
});

db_test!(
    deactivation_needs_an_empty_organization_and_hides_it,
    |app| {
        app.load_demo().await;
        let deactivate = "mutation($id: ID!) { deactivateOrganization(input: {id: $id, reason: \"合并\"}) { organization { active } } }";
        let community = app.org_id("和平社区党委").await;
        let r = app
            .exec(Some("street.admin"), deactivate, json!({ "id": community }))
            .await;
        assert_eq!(code(&r), "CONFLICT");
        let branch = app.org_id("和平社区第二党支部").await;
        let d = app
            .ok(Some("street.admin"), deactivate, json!({ "id": branch }))
            .await;
        assert_eq!(d["deactivateOrganization"]["organization"]["active"], false);
        assert_eq!(
            app.ok(Some("street.admin"), COUNT, json!({})).await["organizations"]["totalCount"],
            7
        );
        let all = app
            .ok(
                Some("street.admin"),
                "{ organizations(includeInactive: true) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(all["organizations"]["totalCount"], 8);
        let q = "query($id: ID!) { organization(id: $id) { children { totalCount } all: children(includeInactive: true) { totalCount } } }";
        let d = app
            .ok(Some("street.admin"), q, json!({ "id": community }))
            .await;
        assert_eq!(d["organization"]["children"]["totalCount"], 1);
        assert_eq!(d["organization"]["all"]["totalCount"], 2);
        // The branch of a user cannot be deactivated while the user is active.
        let viewer_branch = app.org_id("和平社区第一党支部").await;
        let r = app
            .exec(
                Some("street.admin"),
                deactivate,
                json!({ "id": viewer_branch }),
            )
            .await;
        assert_eq!(code(&r), "CONFLICT");
    }
);

db_test!(updates_recheck_the_rules_and_are_audited, |app| {
    app.load_demo().await;
    let cs = app.org_id("计算机学院党委").await;
    let update = "mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { name canApprove memberCount } } }";
    let d = app
        .ok(
            Some("univ.admin"),
            update,
            json!({ "input": { "id": cs, "canApprove": true, "memberCount": 320 } }),
        )
        .await;
    assert_eq!(d["updateOrganization"]["organization"]["canApprove"], true);
    assert_eq!(d["updateOrganization"]["organization"]["memberCount"], 320);
    let fl = app.org_id("外国语学院党总支").await;
    let r = app
        .exec(
            Some("univ.admin"),
            update,
            json!({ "input": { "id": fl, "canApprove": true } }),
        )
        .await;
    assert_eq!(code(&r), "RULE_VIOLATION");
    let r = app
        .exec(
            Some("univ.admin"),
            update,
            json!({ "input": { "id": fl, "memberCount": -1 } }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert_eq!(r["errors"][0]["extensions"]["field"], "memberCount");
    let audit = fazhan::db::audit::for_subject(&app.state.db, "organization", decode(&cs))
        .await
        .unwrap();
    assert_eq!(audit.last().unwrap().action, "organization.update");
});

db_test!(nested_children_are_batched_and_paged_per_parent, |app| {
    app.load_demo().await;
    let q = "{ organizations(kind: VILLAGE_COMMUNITY_COMMITTEE) { edges { node { children(first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } } } } }";
    let d = app.ok(Some("admin"), q, json!({})).await;
    let c = &d["organizations"]["edges"][0]["node"]["children"];
    assert_eq!(c["totalCount"], 2);
    assert_eq!(c["edges"][0]["node"]["name"], "和平社区第一党支部");
    assert_eq!(c["pageInfo"]["hasNextPage"], true);
    let community = app.org_id("和平社区党委").await;
    let q = "query($id: ID!, $after: String) { organization(id: $id) { children(first: 1, after: $after) { edges { node { name } } pageInfo { hasNextPage } } } }";
    let d = app
        .ok(
            Some("admin"),
            q,
            json!({ "id": community, "after": c["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        d["organization"]["children"]["edges"][0]["node"]["name"],
        "和平社区第二党支部"
    );
    assert_eq!(
        d["organization"]["children"]["pageInfo"]["hasNextPage"],
        false
    );
});

fn decode(id: &str) -> i64 {
    fazhan::graphql::ids::decode_any(id).unwrap().1
}
