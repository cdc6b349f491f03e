//! The refresh and logout requests of PROTOCOL.md §4, byte for byte, and the refresh answer.

use super::options::SessionOptions;
use crate::core::error::{Error, Result};
use crate::core::json::{self, Value};
use crate::core::text;
use crate::core::transport::{HttpRequest, HttpResponse, Method};

/// `POST {baseURL}{sessionsEndpoint}` with the tokens known now; without `apiClientConfig`, the
/// original's `INVALID` error.
pub fn refresh_request(
    options: &SessionOptions,
    access_token: Option<&str>,
    refresh_token: Option<&str>,
) -> Result<HttpRequest> {
    Ok(token_request(
        options.refresh_url()?,
        options,
        access_token,
        refresh_token,
    ))
}

/// `POST {baseURL}{logoutEndpoint}`, same headers and body shape as the refresh.
pub fn logout_request(
    options: &SessionOptions,
    access_token: Option<&str>,
    refresh_token: Option<&str>,
) -> Result<HttpRequest> {
    Ok(token_request(
        options.logout_url()?,
        options,
        access_token,
        refresh_token,
    ))
}

fn token_request(
    url: String,
    options: &SessionOptions,
    access_token: Option<&str>,
    refresh_token: Option<&str>,
) -> HttpRequest {
    let mut request = HttpRequest::new(Method::Post, url)
        .header("Content-Type", "application/json")
        .timeout_ms(Some(options.request_timeout_ms()))
        .parse_json();
    if let Some(at) = access_token.filter(|t| !t.is_empty()) {
        request = request.header("Authorization", text::cat(&["Bearer ", at]));
    }
    request.body(token_body(refresh_token))
}

/// `{"refresh_token":"<rt>"}` (as `JSON.stringify` writes it), or `{}` without a refresh token.
pub fn token_body(refresh_token: Option<&str>) -> String {
    match refresh_token.filter(|t| !t.is_empty()) {
        Some(rt) => {
            let mut body = String::with_capacity(rt.len() + 20);
            body.push_str("{\"refresh_token\":");
            json::write_str(&mut body, rt);
            body.push('}');
            body
        }
        None => "{}".to_owned(),
    }
}

/// A successful refresh answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshAnswer {
    /// The new access token (never empty).
    pub access_token: String,
    /// The new refresh token, if the server sent a non-empty one.
    pub refresh_token: Option<String>,
    /// The encrypted `session_data` JSON text, if the server sent it.
    pub session_data: Option<String>,
}

/// Parses a 2xx refresh answer `{access_token, refresh_token, session_data}`. Not JSON, not an
/// object, or no non-empty string `access_token` → `Error::MalformedResponse`.
///
/// `session_data` is normally a JSON string holding the ECIES object; an object in its place is
/// accepted and re-serialised.
pub fn parse_refresh_answer(response: &HttpResponse) -> Result<RefreshAnswer> {
    let value = response.body_json().map_err(|e| {
        let mut message = String::from("refresh answer (HTTP ");
        text::push_dec(&mut message, u64::from(response.status));
        message.push_str(") is not JSON: ");
        message.push_str(&e.message());
        message.push_str("; body: ");
        message.push_str(&excerpt(&response.body));
        Error::MalformedResponse(message)
    })?;
    let Value::Object(_) = *value else {
        return Err(Error::MalformedResponse(text::cat(&[
            "refresh answer is not a JSON object: ",
            &excerpt(&response.body_text()),
        ])));
    };
    let access_token = match value.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return Err(Error::MalformedResponse(
                "refresh answer has no access_token".to_owned(),
            ))
        }
    };
    let refresh_token = match value.get("refresh_token") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let session_data = match value.get("session_data") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(v @ Value::Object(_)) => Some(v.to_json()),
        _ => None,
    };
    Ok(RefreshAnswer {
        access_token,
        refresh_token,
        session_data,
    })
}

/// The first 200 characters of `body`, for error messages.
pub(crate) fn excerpt(body: &str) -> String {
    const MAX: usize = 200;
    match body.char_indices().nth(MAX) {
        Some((cut, _)) => text::cat(&[&body[..cut], "…"]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            status_text: "OK".to_owned(),
            headers: vec![],
            body: body.to_owned(),
            json: None,
            held: None,
        }
    }

    #[test]
    fn an_answer_the_transport_parsed_reads_as_its_text_does() {
        let text = r#"{"access_token":"a1","refresh_token":"r1","session_data":"{\"iv\":\"00\"}"}"#;
        let parsed = HttpResponse {
            body: String::new(),
            json: Some(Box::new(json::parse(text).unwrap())),
            ..ok("")
        };
        assert_eq!(
            parse_refresh_answer(&parsed).unwrap(),
            parse_refresh_answer(&ok(text)).unwrap()
        );
        let not_an_object = HttpResponse {
            json: Some(Box::new(json::parse("[1]").unwrap())),
            ..ok("")
        };
        assert_eq!(
            parse_refresh_answer(&not_an_object).unwrap_err().message(),
            "malformed response: refresh answer is not a JSON object: [1]"
        );
    }

    #[test]
    fn body_shapes() {
        assert_eq!(token_body(Some("r1")), r#"{"refresh_token":"r1"}"#);
        assert_eq!(token_body(Some("a\"b")), r#"{"refresh_token":"a\"b"}"#);
        assert_eq!(token_body(Some("")), "{}");
        assert_eq!(token_body(None), "{}");
    }

    #[test]
    fn parses_answers() {
        let a = parse_refresh_answer(&ok(
            r#"{"access_token":"a","refresh_token":"r","session_data":"{}"}"#,
        ));
        assert_eq!(
            a,
            Ok(RefreshAnswer {
                access_token: "a".into(),
                refresh_token: Some("r".into()),
                session_data: Some("{}".into()),
            })
        );
        let b = parse_refresh_answer(&ok(r#"{"access_token":"a","refresh_token":""}"#));
        assert_eq!(
            b.map(|b| (b.refresh_token, b.session_data)),
            Ok((None, None))
        );
        let c = parse_refresh_answer(&ok(r#"{"access_token":"a","session_data":{"iv":"00"}}"#));
        assert_eq!(
            c.map(|c| c.session_data),
            Ok(Some(r#"{"iv":"00"}"#.to_owned()))
        );
        for bad in [
            "",
            "<html>",
            "[]",
            r#"{"access_token":""}"#,
            r#"{"access_token":1}"#,
        ] {
            assert!(matches!(
                parse_refresh_answer(&ok(bad)),
                Err(Error::MalformedResponse(_))
            ));
        }
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let long = "é".repeat(300);
        assert_eq!(excerpt(&long).chars().count(), 201);
        assert_eq!(excerpt("short"), "short");
    }
}
