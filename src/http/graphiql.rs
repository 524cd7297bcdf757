//! GraphiQL for browsers, served with its assets from the binary (no CDN: the service runs on
//! intranets). Assets: GraphiQL 3.9.0, React 18.3.1 (MIT, licenses beside them in
//! `assets/graphiql/`).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const GRAPHIQL_JS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.css");
const REACT_JS: &[u8] = include_bytes!("../../assets/graphiql/react.production.min.js");
const REACT_DOM_JS: &[u8] = include_bytes!("../../assets/graphiql/react-dom.production.min.js");

/// The GraphiQL page: queries go to `/graphql`, subscriptions to `/graphql/ws`.
pub fn page() -> Html<&'static str> {
    Html(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="robots" content="noindex">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>fazhan GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.production.min.js"></script>
  <script src="/graphiql/react-dom.production.min.js"></script>
  <script src="/graphiql/graphiql.min.js"></script>
  <script>
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: scheme + location.host + '/graphql/ws' });
    const defaultQuery = '# 1. Sign in (demo: street.admin / demo-pass-2026), then put the token in the Headers tab:\n' +
      '#    {"Authorization": "Bearer <token>"}\n' +
      'mutation { login(input: {username: "street.admin", password: "demo-pass-2026"}) { token expiresAt } }\n\n' +
      '# 2. Then, for example:\n# { me { username role organization { name } } }\n';
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true, isHeadersEditorEnabled: true })
    );
  </script>
</body>
</html>"#,
    )
}

/// `GET /graphiql/{file}`: the bundled assets, cached for a day.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, mime) = match file.as_str() {
        "graphiql.min.js" => (GRAPHIQL_JS, "application/javascript; charset=utf-8"),
        "graphiql.min.css" => (GRAPHIQL_CSS, "text/css; charset=utf-8"),
        "react.production.min.js" => (REACT_JS, "application/javascript; charset=utf-8"),
        "react-dom.production.min.js" => (REACT_DOM_JS, "application/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
