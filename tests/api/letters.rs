//! Request letters across subtrees: every state, due dates, vote arithmetic, visibility, the
//! admission gate, transfers, overdue, and a subscriber on a real WebSocket.

use crate::fixtures::{Case, case_at_meeting_for, deactivate, id_card, person, to_activist};
use crate::helpers::{JsonPath, TestApp, code};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateLetterInput!) { createLetter(input: $input) { letter { id version status } } }";
const SEND: &str = "mutation($input: LetterDateInput!) { sendLetter(input: $input) { letter { id version status sentOn } } }";
pub(crate) const RECEIVE: &str = "mutation($input: LetterDateInput!) { receiveLetter(input: $input) { letter { id version status receivedOn dueOn } } }";
const REPLY: &str = "mutation($input: ReplyLetterInput!) { replyLetter(input: $input) { letter { id version status reply { decision late expected yes } } } }";
const LETTER: &str = "query($id: ID!) { letter(id: $id) { status senderName receiverName candidate { id } subject { name idCardNumber unit stage } reply { decision late } } }";

/// A township in another county with a village branch, and an organizer there.
pub(crate) async fn village(app: &TestApp) -> String {
    let city = app.org_id("示例市委组织部").await;
    let create = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }";
    let county = app.ok(Some("admin"), create, json!({ "input": { "parentId": city, "name": "外县县委组织部", "kind": "COUNTY_ORGANIZATION_DEPARTMENT", "sector": "PARTY_ORGAN" } })).await;
    let county = county["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let town = app.ok(Some("admin"), create, json!({ "input": { "parentId": county, "name": "青山镇党委", "kind": "TOWNSHIP_COMMITTEE", "sector": "PARTY_ORGAN" } })).await;
    let town = town["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.ok(Some("admin"), create, json!({ "input": { "parentId": town, "name": "青山村党支部", "kind": "BRANCH", "sector": "VILLAGE", "memberCount": 23 } })).await;
    let v = v["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }";
    app.ok(Some("admin"), user, json!({ "input": { "organizationId": town, "username": "town.organizer", "password": "town-password-1", "role": "ORGANIZER" } })).await;
    v
}

pub(crate) fn migrant(name: &str, seq: u32, outflow: &str) -> Value {
    let mut p = person(name, &id_card("1994-04-04", seq), "1994-04-04");
    p["isMigrant"] = json!(true);
    p["occupations"] = json!(["MIGRANT_WORKER"]);
    p["outflowOrganizationId"] = json!(outflow);
    p
}

pub(crate) async fn sent_letter(
    app: &TestApp,
    kind: &str,
    candidate: &str,
    receiver: &str,
) -> (String, i64) {
    let d = app.ok(Some("street.organizer"), CREATE, json!({ "input": { "kind": kind, "candidateId": candidate, "receiverOrganizationId": receiver, "questions": "请就其在村期间的政治表现、遵纪守法情况出具意见", "senderContact": "李组织员 13900000000", "requestedReplyOn": "2023-12-10" } })).await;
    let l = &d["createLetter"]["letter"];
    assert_eq!(l["status"], "DRAFT");
    let id = l["id"].as_str().unwrap().to_string();
    let d = app
        .ok(
            Some("street.organizer"),
            SEND,
            json!({ "input": { "id": id, "expectedVersion": 1, "on": "2023-11-15" } }),
        )
        .await;
    (id, d["sendLetter"]["letter"]["version"].as_i64().unwrap())
}

db_test!(
    a_development_opinion_letter_goes_through_every_state_and_gates_admission,
    |app| {
        app.load_demo().await;
        let village = village(&app).await;
        let (meeting, _) = case_at_meeting_for(&app, migrant("刘强", 60, &village), 60).await;
        let case = meeting.id.clone();
        let vote = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
        // The gate: a migrant in a two-new organization needs an agreed letter first.
        let r = meeting.step(&app, "2023-11-21", vote.clone()).await;
        assert_eq!(r["errors"][0]["extensions"]["rule"], "L1");
        let (letter, v) = sent_letter(&app, "DEVELOPMENT_OPINION", &case, &village).await;
        // The receiver's side sees it in the inbox, with what it carries but not the case.
        let inbox = app
            .ok(
                Some("town.organizer"),
                "{ letters(mailbox: INBOX) { totalCount edges { node { id status } } } }",
                json!({}),
            )
            .await;
        assert_eq!(inbox["letters"]["totalCount"], 1);
        let seen = app
            .ok(Some("town.organizer"), LETTER, json!({ "id": letter }))
            .await;
        assert_eq!(seen["letter"]["subject"]["name"], "刘强");
        assert_eq!(
            seen["letter"]["subject"]["idCardNumber"],
            id_card("1994-04-04", 60).as_str()
        );
        assert_eq!(seen["letter"]["subject"]["unit"], "星火科技有限公司党支部");
        assert!(seen["letter"]["candidate"].is_null());
        assert_eq!(seen["letter"]["senderName"], "星火科技有限公司党支部");
        // A third organization sees nothing.
        assert_eq!(
            code(
                &app.exec(Some("univ.organizer"), LETTER, json!({ "id": letter }))
                    .await
            ),
            "NOT_FOUND"
        );
        let third = app.ok(Some("univ.organizer"), "{ letters(mailbox: INBOX) { totalCount } out: letters(mailbox: OUTBOX) { totalCount } }", json!({})).await;
        assert_eq!(
            third.ints_at(&["letters.totalCount", "out.totalCount"]),
            [Some(0), Some(0)]
        );
        // Only the receiving side registers receipt; a month end moves the due date into February.
        assert_eq!(
            code(
                &app.exec(
                    Some("street.organizer"),
                    RECEIVE,
                    json!({ "input": { "id": letter, "expectedVersion": v, "on": "2024-01-20" } })
                )
                .await
            ),
            "FORBIDDEN"
        );
        let d = app
            .ok(
                Some("town.organizer"),
                RECEIVE,
                json!({ "input": { "id": letter, "expectedVersion": v, "on": "2024-01-20" } }),
            )
            .await;
        assert_eq!(d["receiveLetter"]["letter"]["dueOn"], "2024-02-04");
        let v = d["receiveLetter"]["letter"]["version"].as_i64().unwrap();
        // Expected 16: 8 yes disagrees.
        let reply = |yes: u32, on: &str, version: i64| json!({ "input": { "id": letter, "expectedVersion": version, "repliedOn": on, "votingBody": "GENERAL_MEETING", "vote": { "expected": 16, "present": 12, "yes": yes, "no": 12 - yes }, "meetingOn": "2024-01-30", "text": "经村党支部党员大会讨论" } });
        let d = app
            .ok(Some("town.organizer"), REPLY, reply(8, "2024-02-01", v))
            .await;
        assert_eq!(d["replyLetter"]["letter"]["reply"]["decision"], "DISAGREED");
        assert_eq!(d["replyLetter"]["letter"]["reply"]["late"], false);
        // A replied letter cannot be withdrawn or replied again; the gate still holds.
        let w = "mutation($input: WithdrawLetterInput!) { withdrawLetter(input: $input) { letter { status } } }";
        let v2 = d["replyLetter"]["letter"]["version"].as_i64().unwrap();
        assert_eq!(code(&app.exec(Some("street.organizer"), w, json!({ "input": { "id": letter, "expectedVersion": v2, "on": "2024-02-02", "reason": "x" } })).await), "CONFLICT");
        let r = meeting.step(&app, "2024-02-10", vote.clone()).await;
        assert_eq!(r["errors"][0]["extensions"]["rule"], "L1");
        // A second letter, 9 yes agrees, answered late: accepted and marked late.
        let (letter2, v) = sent_letter(&app, "DEVELOPMENT_OPINION", &case, &village).await;
        let d = app
            .ok(
                Some("town.organizer"),
                RECEIVE,
                json!({ "input": { "id": letter2, "expectedVersion": v, "on": "2023-12-20" } }),
            )
            .await;
        assert_eq!(d["receiveLetter"]["letter"]["dueOn"], "2024-01-04");
        let v = d["receiveLetter"]["letter"]["version"].as_i64().unwrap();
        let mut r2 = reply(9, "2024-01-05", v);
        r2["input"]["id"] = json!(letter2);
        r2["input"]["meetingOn"] = json!("2024-01-03");
        let d = app.ok(Some("town.organizer"), REPLY, r2).await;
        assert_eq!(d["replyLetter"]["letter"]["reply"]["decision"], "AGREED");
        assert_eq!(d["replyLetter"]["letter"]["reply"]["late"], true);
        let r = meeting.step(&app, "2024-01-10", vote).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        let counts = app
            .ok(
                Some("street.organizer"),
                "{ letterCounts(mailbox: OUTBOX) { replied draft overdue } }",
                json!({}),
            )
            .await;
        assert_eq!(counts["letterCounts"]["replied"], 2);
    }
);

db_test!(
    an_approver_may_override_the_letter_requirement_with_a_reason,
    |app| {
        app.load_demo().await;
        let village = village(&app).await;
        let (mut meeting, _) = case_at_meeting_for(&app, migrant("马力", 61, &village), 61).await;
        let refused = json!({ "letterOverride": { "reason": "x" } });
        let r = meeting.step(&app, "2023-11-20", refused).await;
        assert_eq!(code(&r), "FORBIDDEN");
        let reason = "流出地党组织已撤销，经街道党工委研究同意";
        let allowed = json!({ "letterOverride": { "reason": reason } });
        let r = meeting
            .step_as(&app, "street.approver", "2023-11-20", allowed)
            .await;
        assert!(r.get("errors").is_none(), "{r:#}");
        meeting.version += 1;
        let vote = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
        meeting.advance(&app, "2023-11-21", vote).await;
    }
);

db_test!(
    overdue_letters_are_listed_announced_once_and_in_the_alerts,
    |app| {
        app.load_demo().await;
        let village = village(&app).await;
        let case = case_at_meeting_for(&app, migrant("秦川", 62, &village), 62)
            .await
            .0
            .id;
        let (letter, v) = sent_letter(&app, "POLITICAL_REVIEW", &case, &village).await;
        app.ok(
            Some("town.organizer"),
            RECEIVE,
            json!({ "input": { "id": letter, "expectedVersion": v, "on": "2023-11-20" } }),
        )
        .await;
        let q = "query($on: Date) { letters(mailbox: INBOX, status: OVERDUE, asOf: $on) { totalCount } }";
        assert_eq!(
            app.ok(Some("town.organizer"), q, json!({ "on": "2023-12-05" }))
                .await["letters"]["totalCount"],
            0
        );
        assert_eq!(
            app.ok(Some("town.organizer"), q, json!({ "on": "2023-12-06" }))
                .await["letters"]["totalCount"],
            1
        );
        let mut rx = app.state.letter_events.subscribe_letters();
        assert_eq!(
            fazhan::service::letter::sweep_overdue(
                &app.state.db,
                &app.state.letter_events,
                "2023-12-06".parse().unwrap()
            )
            .await
            .unwrap(),
            1
        );
        assert_eq!(
            fazhan::service::letter::sweep_overdue(
                &app.state.db,
                &app.state.letter_events,
                "2023-12-07".parse().unwrap()
            )
            .await
            .unwrap(),
            0
        );
        // On PostgreSQL the events come back through LISTEN, the letter's receipt (recorded
        // before the subscription) possibly still on its way: wait for the overdue one, then
        // for no second one.
        let mut next_overdue = async || loop {
            let e = rx.recv().await.unwrap();
            if e.kind == fazhan::domain::letter::LetterEventKind::Overdue {
                break e;
            }
        };
        let e = tokio::time::timeout(std::time::Duration::from_secs(5), next_overdue())
            .await
            .expect("the overdue letter is announced");
        assert_eq!(e.kind, fazhan::domain::letter::LetterEventKind::Overdue);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(300), next_overdue())
                .await
                .is_err(),
            "announced once"
        );
        let alerts = app.ok(Some("town.organizer"), "{ alerts(asOf: \"2023-12-06\", withinDays: 0) { kind dueOn overdue letter { id } } }", json!({})).await;
        assert_eq!(alerts["alerts"][0]["kind"], "LETTER_REPLY_DUE");
        assert_eq!(alerts["alerts"][0]["dueOn"], "2023-12-05");
        assert_eq!(alerts["alerts"][0]["letter"]["id"], letter.as_str());
        let counts = app
            .ok(
                Some("edu.analyst"),
                "{ letterCounts(mailbox: INBOX) { received } }",
                json!({}),
            )
            .await;
        assert_eq!(counts["letterCounts"]["received"], 0);
    }
);

db_test!(
    a_sweep_in_pages_announces_every_overdue_letter_once,
    |app| {
        app.load_demo().await;
        let village = village(&app).await;
        let case = case_at_meeting_for(&app, migrant("苏河", 60, &village), 60)
            .await
            .0
            .id;
        let mut letters = vec![];
        for kind in ["POLITICAL_REVIEW", "DEVELOPMENT_OPINION"] {
            let (letter, v) = sent_letter(&app, kind, &case, &village).await;
            app.ok(
                Some("town.organizer"),
                RECEIVE,
                json!({ "input": { "id": letter, "expectedVersion": v, "on": "2023-11-20" } }),
            )
            .await;
            letters.push(fazhan::graphql::ids::decode_any(&letter).unwrap().1);
        }
        let mut rx = app.state.letter_events.subscribe_letters();
        let sweep = |page| {
            fazhan::service::letter::sweep_overdue_in_pages(
                &app.state.db,
                &app.state.letter_events,
                "2023-12-06".parse().unwrap(),
                page,
            )
        };
        // Pages of one: two full pages, then an empty one.
        assert_eq!(sweep(1).await.unwrap(), 2);
        assert_eq!(sweep(1).await.unwrap(), 0, "each letter once");
        let mut announced = vec![];
        while announced.len() < 2 {
            let e = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
                .await
                .expect("every overdue letter is announced")
                .unwrap();
            if e.kind == fazhan::domain::letter::LetterEventKind::Overdue {
                announced.push(e.letter_id);
            }
        }
        announced.sort_unstable();
        letters.sort_unstable();
        assert_eq!(announced, letters);
    }
);

db_test!(
    an_accepted_transfer_moves_the_case_and_keeps_the_cultivation_start,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("星火科技有限公司党支部").await;
        let univ_branch = app.org_id("计算机学院研究生党支部").await;
        let p = person("林远", &id_card("2000-02-02", 63), "2000-02-02");
        let mut moving = Case::submit(&app, &branch, p, "2023-01-05").await;
        to_activist(&app, &mut moving, "2023-01-20", "2023-07-10").await;
        let case = moving.id;
        // A case is kept by a branch: a transfer to a committee is refused when drafted.
        let committee = app.org_id("示例大学党委").await;
        let r = app.exec(Some("street.organizer"), CREATE, json!({ "input": { "kind": "ACTIVIST_TRANSFER", "candidateId": case, "receiverOrganizationId": committee, "questions": "转接", "senderContact": "李组织员" } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
        assert_eq!(
            r["errors"][0]["extensions"]["field"],
            "receiverOrganizationId"
        );
        // Refused first: nothing moves.
        let (l1, v) = sent_letter(&app, "ACTIVIST_TRANSFER", &case, &univ_branch).await;
        let d = app
            .ok(
                Some("univ.organizer"),
                RECEIVE,
                json!({ "input": { "id": l1, "expectedVersion": v, "on": "2023-11-16" } }),
            )
            .await;
        let v = d["receiveLetter"]["letter"]["version"].as_i64().unwrap();
        let no = json!({ "input": { "id": l1, "expectedVersion": v, "repliedOn": "2023-11-20", "accepted": false, "text": "暂不接收" } });
        app.ok(Some("univ.organizer"), REPLY, no).await;
        let q = "query($id: ID!) { candidate(id: $id) { activistOn organization { name } } }";
        assert_eq!(
            app.ok(Some("street.organizer"), q, json!({ "id": case }))
                .await["candidate"]["organization"]["name"],
            "星火科技有限公司党支部"
        );
        // Accepted: the case moves to the university branch with its activist date.
        let (l2, v) = sent_letter(&app, "ACTIVIST_TRANSFER", &case, &univ_branch).await;
        let d = app
            .ok(
                Some("univ.organizer"),
                RECEIVE,
                json!({ "input": { "id": l2, "expectedVersion": v, "on": "2023-11-22" } }),
            )
            .await;
        let v = d["receiveLetter"]["letter"]["version"].as_i64().unwrap();
        let yes = json!({ "input": { "id": l2, "expectedVersion": v, "repliedOn": "2023-11-25", "accepted": true, "text": "同意接收，继续培养" } });
        app.ok(Some("univ.organizer"), REPLY, yes).await;
        let moved = app
            .ok(Some("univ.organizer"), q, json!({ "id": case }))
            .await;
        assert_eq!(
            moved["candidate"]["organization"]["name"],
            "计算机学院研究生党支部"
        );
        assert_eq!(moved["candidate"]["activistOn"], "2023-07-10");
        assert_eq!(
            code(
                &app.exec(Some("street.organizer"), q, json!({ "id": case }))
                    .await
            ),
            "NOT_FOUND"
        );
        app.assert_counts_consistent().await;
    }
);

db_test!(
    a_subscriber_receives_inbox_events_over_a_real_websocket,
    |app| {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        app.load_demo().await;
        let village = village(&app).await;
        let case = case_at_meeting_for(&app, migrant("钟声", 64, &village), 64)
            .await
            .0
            .id;
        let (letter, v) = sent_letter(&app, "DEVELOPMENT_OPINION", &case, &village).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(axum::serve(listener, app.router.clone()).into_future());
        let mut ws = crate::tokens::connect_ws(addr).await;
        let token = app.token_for("street.organizer").await;
        ws.send(Message::text(
            json!({ "type": "connection_init", "payload": { "token": token } }).to_string(),
        ))
        .await
        .unwrap();
        let ack: Value =
            serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
        assert_eq!(ack["type"], "connection_ack");
        ws.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { letterEvents { kind letter { id status dueOn } } }" } }).to_string())).await.unwrap();
        // Give the subscription a moment to register, then the receiver registers receipt.
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        app.ok(
            Some("town.organizer"),
            RECEIVE,
            json!({ "input": { "id": letter, "expectedVersion": v, "on": "2023-11-20" } }),
        )
        .await;
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        let msg: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        assert_eq!(msg["type"], "next", "{msg:#}");
        assert_eq!(msg["payload"]["data"]["letterEvents"]["kind"], "RECEIVED");
        assert_eq!(
            msg["payload"]["data"]["letterEvents"]["letter"]["id"],
            letter.as_str()
        );
        assert_eq!(
            msg["payload"]["data"]["letterEvents"]["letter"]["dueOn"],
            "2023-12-05"
        );
        // A subscriber deactivated while subscribed hears nothing more, even within the
        // socket's periodic re-check: every event re-checks its token first.
        let street = app.org_id("和平街道党工委").await;
        app.ok(Some("admin"), "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }", json!({ "input": { "organizationId": street, "username": "ws.viewer", "password": "ws-viewer-pass-1", "role": "VIEWER" } })).await;
        let token2 = app.token_for("ws.viewer").await;
        let (mut ws2, acked) = crate::tokens::open_ws(addr, &token2).await;
        assert!(acked);
        ws2.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { letterEvents { kind letter { subject { name } } } }" } }).to_string())).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        deactivate(&app, "admin", "ws.viewer").await;
        let current: Value = app
            .ok(
                Some("street.organizer"),
                "query($id: ID!) { letter(id: $id) { version } }",
                json!({ "id": letter }),
            )
            .await;
        let w = "mutation($input: WithdrawLetterInput!) { withdrawLetter(input: $input) { letter { status } } }";
        app.ok(Some("street.organizer"), w, json!({ "input": { "id": letter, "expectedVersion": current["letter"]["version"], "on": "2023-11-21", "reason": "撤回" } })).await;
        // The organizer (still active) hears the withdrawal; the deactivated viewer does not.
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(msg.to_text().unwrap().contains("WITHDRAWN"), "{msg:?}");
        let heard = tokio::time::timeout(std::time::Duration::from_secs(3), async {
            while let Some(Ok(m)) = ws2.next().await {
                if let Message::Text(t) = m
                    && t.contains("WITHDRAWN")
                {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        assert!(!heard, "a deactivated subscriber heard a letter event");
        // A bad token is refused at connection_init.
        let (_, acked) = crate::tokens::open_ws(addr, "nope").await;
        assert!(!acked, "a bad token was acknowledged");
        server.abort();
    }
);

db_test!(
    only_the_persons_own_outflow_or_residence_organization_opens_the_gate,
    |app| {
        app.load_demo().await;
        let village = village(&app).await;
        // Another village of the same township: it answers, but it is not the person's.
        let town = app.org_id("青山镇党委").await;
        let create = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }";
        let other = app.ok(Some("admin"), create, json!({ "input": { "parentId": town, "name": "白水村党支部", "kind": "BRANCH", "sector": "VILLAGE", "memberCount": 19 } })).await;
        let other = other["createOrganization"]["organization"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (meeting, _) = case_at_meeting_for(&app, migrant("王芳", 61, &village), 61).await;
        let case = meeting.id.clone();
        let vote = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
        // An agreed letter from a village that is not the person's own: the gate holds.
        agreed_letter(&app, &case, &other).await;
        let r = meeting.step(&app, "2023-12-01", vote.clone()).await;
        assert_eq!(r["errors"][0]["extensions"]["rule"], "L1", "{r:#}");
        // The person's own outflow village agrees: the meeting is recorded.
        agreed_letter(&app, &case, &village).await;
        let r = meeting.step(&app, "2023-12-01", vote).await;
        assert!(r.get("errors").is_none(), "{r:#}");
    }
);

/// A development-opinion letter from the street to `receiver`, received and agreed there.
async fn agreed_letter(app: &TestApp, case: &str, receiver: &str) {
    let (letter, v) = sent_letter(app, "DEVELOPMENT_OPINION", case, receiver).await;
    let d = app
        .ok(
            Some("town.organizer"),
            RECEIVE,
            json!({ "input": { "id": letter, "expectedVersion": v, "on": "2023-11-20" } }),
        )
        .await;
    let v = d["receiveLetter"]["letter"]["version"].as_i64().unwrap();
    let d = app.ok(Some("town.organizer"), REPLY, json!({ "input": { "id": letter, "expectedVersion": v, "repliedOn": "2023-11-25", "votingBody": "GENERAL_MEETING", "vote": { "expected": 16, "present": 12, "yes": 10, "no": 2 }, "meetingOn": "2023-11-24", "text": "同意" } })).await;
    assert_eq!(d["replyLetter"]["letter"]["reply"]["decision"], "AGREED");
}
