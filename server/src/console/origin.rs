//! Forms sent from other sites are refused (cross-site request forgery).
//!
//! The session cookie is `SameSite=Strict`, which modern browsers honour;
//! the browsers of an office may be older. So every console form must also
//! come from this server's own pages: its `Origin` (or, from a browser too
//! old to send one, its `Referer`) names the host the request was sent to.
//! A form with neither is refused as well, since this server's pages always
//! send one (their referrer policy is `same-origin`). Behind a reverse
//! proxy, the proxy must pass the `Host` header through.

use super::session::lang_of;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

/// Let reads through; let a form through only from this server's pages.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) || sent_here(request.headers()) {
        return next.run(request).await;
    }
    let (parts, _) = request.into_parts();
    let lang = lang_of(&parts);
    tracing::warn!(path = %parts.uri.path(), "a console form from another site was refused");
    super::pages::Message::answer(
        StatusCode::FORBIDDEN,
        lang,
        lang.t("cross-site"),
        parts.uri.path(),
        None,
    )
}

/// Whether the request's origin (or referrer) is the host it was sent to.
fn sent_here(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Uri>().ok());
    // `Origin: null` (a sandboxed or privacy-stripped sender) has no host.
    from.as_ref()
        .and_then(Uri::authority)
        .is_some_and(|a| a.as_str().eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_this_hosts_pages_may_send_a_form() {
        let host = (header::HOST, "127.0.0.1:8080");
        let here = [host.clone(), (header::ORIGIN, "http://127.0.0.1:8080")];
        assert!(sent_here(&headers(&here)));
        let old_browser = [
            host.clone(),
            (header::REFERER, "http://127.0.0.1:8080/console/cases/x"),
        ];
        assert!(sent_here(&headers(&old_browser)));
        for from in [
            (header::ORIGIN, "http://evil.example"),
            (header::ORIGIN, "http://127.0.0.1:8081"),
            (header::ORIGIN, "null"),
            (header::REFERER, "http://127.0.0.1.evil.example/console"),
            (header::REFERER, "/console/cases/x"),
        ] {
            assert!(
                !sent_here(&headers(&[host.clone(), from.clone()])),
                "{from:?}"
            );
        }
        assert!(!sent_here(&headers(&[host])), "neither header");
        let no_host = [(header::ORIGIN, "http://127.0.0.1:8080")];
        assert!(!sent_here(&headers(&no_host)));
    }
}
