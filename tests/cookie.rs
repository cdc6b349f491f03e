//! Cookie strings (PROTOCOL.md §2): building, parsing, encoding and the typed rejections.
#![cfg(not(target_arch = "wasm32"))]

use wasm_session_manager::core::cookie::{
    decode_uri_component, encode_uri_component, find_cookie, CookieOptions, SameSite,
    MAX_COOKIE_BYTES,
};
use wasm_session_manager::Error;

fn opts(
    path: &str,
    domain: &str,
    same_site: Option<SameSite>,
    secure: bool,
    max_age: i64,
) -> CookieOptions {
    CookieOptions {
        path: path.into(),
        domain: domain.into(),
        same_site,
        secure,
        max_age,
    }
}

#[test]
fn set_string_attribute_presence_table() {
    let cases = [
        (
            CookieOptions::default(),
            "k=v; Path=/; SameSite=Strict; Secure; Max-Age=2592000",
        ),
        (opts("", "", None, false, 0), "k=v"),
        (
            opts("/app", "example.com", Some(SameSite::Lax), false, 60),
            "k=v; Path=/app; Domain=example.com; SameSite=Lax; Max-Age=60",
        ),
        (
            opts("/", "", Some(SameSite::None), true, 0),
            "k=v; Path=/; SameSite=None; Secure",
        ),
        (
            opts("/", "", Some(SameSite::Strict), true, -5),
            "k=v; Path=/; SameSite=Strict; Secure",
        ),
    ];
    for (o, want) in cases {
        assert_eq!(o.set_string("k", "v").unwrap(), want, "{o:?}");
    }
}

#[test]
fn remove_string_keeps_path_and_domain_only() {
    assert_eq!(
        CookieOptions::default().remove_string("w3a:refresh_token"),
        "w3a:refresh_token=; Path=/; Max-Age=0"
    );
    let o = opts("/x", "example.com", Some(SameSite::Lax), true, 10);
    assert_eq!(
        o.remove_string("k"),
        "k=; Path=/x; Domain=example.com; Max-Age=0"
    );
}

#[test]
fn value_is_encoded_and_key_is_not() {
    let s = CookieOptions::default()
        .set_string("w3a:refresh_token", "a;b=c d/é")
        .unwrap();
    assert!(
        s.starts_with("w3a:refresh_token=a%3Bb%3Dc%20d%2F%C3%A9; Path=/"),
        "{s}"
    );
}

#[test]
fn encode_matches_encode_uri_component() {
    let cases = [
        ("", ""),
        ("abcXYZ019", "abcXYZ019"),
        ("-_.!~*'()", "-_.!~*'()"),
        (" ;=,/?:@&+$#", "%20%3B%3D%2C%2F%3F%3A%40%26%2B%24%23"),
        ("é", "%C3%A9"),
        ("😀", "%F0%9F%98%80"),
        ("%", "%25"),
    ];
    for (raw, enc) in cases {
        assert_eq!(encode_uri_component(raw), enc);
        assert_eq!(decode_uri_component(enc).as_deref(), Some(raw));
    }
}

#[test]
fn decode_rejects_what_js_throws_on() {
    for bad in ["%", "%2", "%zz", "%C3", "%FF%FE", "a%E0%A4%A"] {
        assert_eq!(decode_uri_component(bad), None, "{bad:?}");
    }
}

#[test]
fn find_cookie_table() {
    let header =
        "a=1; w3a:refresh_token=tok%3Den; w3a:refresh_token_x=2;  spaced = 3 ;bad=%E0%A4%A; empty=";
    assert_eq!(find_cookie(header, "a").as_deref(), Some("1"));
    assert_eq!(
        find_cookie(header, "w3a:refresh_token").as_deref(),
        Some("tok=en")
    );
    assert_eq!(
        find_cookie(header, "w3a:refresh_token_x").as_deref(),
        Some("2")
    );
    // names are matched after trimming the part, then split on the first '='
    assert_eq!(find_cookie(header, "spaced "), Some(" 3".into()));
    assert_eq!(find_cookie(header, "spaced"), None);
    assert_eq!(
        find_cookie(header, "bad"),
        None,
        "malformed value reads as null"
    );
    assert_eq!(find_cookie(header, "empty").as_deref(), Some(""));
    assert_eq!(find_cookie(header, "missing"), None);
    assert_eq!(find_cookie("", "a"), None);
    assert_eq!(find_cookie("noequals; a=2", "noequals"), None);
    assert_eq!(find_cookie("x=a=b=c", "x").as_deref(), Some("a=b=c"));
}

#[test]
fn same_site_none_needs_secure() {
    let o = opts("/", "", Some(SameSite::None), false, 10);
    assert_eq!(o.validate(), Err(Error::CookieInsecureSameSiteNone));
    assert_eq!(
        o.set_string("k", "v"),
        Err(Error::CookieInsecureSameSiteNone)
    );
    assert_eq!(Error::CookieInsecureSameSiteNone.code(), "COOKIE_INSECURE");
}

#[test]
fn oversized_cookie_is_a_typed_error() {
    // The limit of PROTOCOL.md §2, written out rather than read from the constant under test.
    assert_eq!(MAX_COOKIE_BYTES, 4096);
    let o = CookieOptions::default();
    let fits = "v".repeat(MAX_COOKIE_BYTES - 2);
    assert!(o.set_string("k", &fits).is_ok());
    let over = "v".repeat(MAX_COOKIE_BYTES - 1);
    match o.set_string("k", &over) {
        Err(Error::CookieTooLarge { size, limit, .. }) => {
            assert_eq!((size, limit), (MAX_COOKIE_BYTES + 1, MAX_COOKIE_BYTES))
        }
        other => panic!("{other:?}"),
    }
    // the limit applies to the encoded value: 1500 'é' become 9000 bytes
    assert!(matches!(
        o.set_string("k", &"é".repeat(1500)),
        Err(Error::CookieTooLarge { .. })
    ));
}

#[test]
fn path_domain_and_name_cannot_inject_attributes() {
    // issue 10: `domain: "x.com; SameSite=None"` used to be written raw, past the checks.
    for (path, domain) in [
        ("/", "x.com; SameSite=None"),
        ("/", "x.com,y.com"),
        ("/", "x.com evil"),
        ("/", "x.com\r\nSet-Cookie: a=b"),
        ("/; Secure=0", ""),
        ("/a\nb", ""),
    ] {
        let o = opts(path, domain, Some(SameSite::Strict), true, 10);
        assert!(
            matches!(o.validate(), Err(Error::InvalidOption(_))),
            "{path:?} {domain:?}"
        );
        assert!(o.set_string("k", "v").is_err(), "{path:?} {domain:?}");
    }
    let o = CookieOptions::default();
    for name in ["", "a=b", "a;b", "a b", "a,b", "a\tb"] {
        assert!(
            matches!(o.set_string(name, "v"), Err(Error::InvalidOption(_))),
            "{name:?}"
        );
    }
    // What the original writes stays accepted.
    let ok = opts("/app", ".example.com", Some(SameSite::Lax), true, 10);
    assert_eq!(
        ok.set_string("w3a:refresh_token", "r t"),
        Ok("w3a:refresh_token=r%20t; Path=/app; Domain=.example.com; SameSite=Lax; Secure; Max-Age=10".to_owned())
    );
}
