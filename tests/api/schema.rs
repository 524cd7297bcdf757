//! The committed SDL equals the code's, and every type, field, argument and enum value of the
//! public API has a description.

use serde_json::Value;

#[test]
fn schema_graphql_is_up_to_date() {
    let sdl = fazhan::graphql::export_sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != sdl {
        std::fs::write(path, &sdl).unwrap();
        panic!("schema.graphql was not up to date: it has been rewritten, review and commit it");
    }
}

#[tokio::test]
async fn every_type_field_and_argument_is_described() {
    let schema = fazhan::graphql::schema_builder().finish();
    let query = r#"{ __schema { types { name kind description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description } } } }"#;
    let r = serde_json::to_value(schema.execute(query).await).unwrap();
    let mut missing = vec![];
    let blank = |v: &Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    for t in r["data"]["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if blank(&t["description"]) {
            missing.push(name.to_string());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if blank(&a["description"]) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"]));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if blank(&v["description"]) {
                missing.push(format!("{name}.{}", v["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}
