//! Browser tests of the wasm's JSON reader: `core::json::parse` is the browser's `JSON.parse`, its
//! result walked into a `json::Value` (src/web/json_parse.rs). Natively the core's own reader runs
//! (its tests are in src/core/json.rs, and the fuzz target json_differential holds it to
//! serde_json); here the walk is held to what `JSON.parse` itself reads.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use wasm_session_manager::core::json::{is_valid, parse, Value};

wasm_bindgen_test_configure!(run_in_browser);

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn n(text: &str) -> Value {
    Value::Number(text.to_owned())
}

#[wasm_bindgen_test]
fn every_kind_of_value_in_its_order() {
    let v =
        parse(r#" {"a":null,"b":[true,false,1,-2.5,"x"],"c":{"d":{}},"e":[],"f":"" } "#).unwrap();
    assert_eq!(
        v,
        Value::Object(vec![
            ("a".into(), Value::Null),
            (
                "b".into(),
                Value::Array(vec![
                    Value::Bool(true),
                    Value::Bool(false),
                    n("1"),
                    n("-2.5"),
                    s("x")
                ])
            ),
            (
                "c".into(),
                Value::Object(vec![("d".into(), Value::Object(vec![]))])
            ),
            ("e".into(), Value::Array(vec![])),
            ("f".into(), s("")),
        ])
    );
}

#[wasm_bindgen_test]
fn strings_with_escapes_and_any_unicode() {
    let v =
        parse(r#"["a\"b\\c\/d\n\t", "\u00e9\u2713", "\ud83d\ude80", "é ✓ 🚀", "\ud800"]"#).unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            s("a\"b\\c/d\n\t"),
            s("é✓"),
            s("🚀"),
            s("é ✓ 🚀"),
            // A lone surrogate has no Rust char: the replacement character, as TextDecoder gives.
            s("\u{FFFD}")
        ])
    );
    // Odd keys are kept as they are.
    let v = parse(r#"{"":1,"__proto__":2,"a b":3}"#).unwrap();
    assert_eq!(v.get("").and_then(Value::as_f64), Some(1.0));
    assert_eq!(v.get("__proto__").and_then(Value::as_f64), Some(2.0));
    assert_eq!(v.get("a b").and_then(Value::as_f64), Some(3.0));
}

/// The reader takes an ASCII text by its length in bytes and any other char by char: texts of each
/// kind next to each other, as strings and as keys, each read back whole and nothing more.
#[wasm_bindgen_test]
fn ascii_and_other_texts_side_by_side_read_back_whole() {
    let v = parse(r#"["ab","é","aé","éa","a🚀b","xyz",{"k":"é","é":"k","ab":"🚀c","🚀":"ab"}]"#)
        .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            s("ab"),
            s("é"),
            s("aé"),
            s("éa"),
            s("a🚀b"),
            s("xyz"),
            Value::Object(vec![
                ("k".into(), s("é")),
                ("é".into(), s("k")),
                ("ab".into(), s("🚀c")),
                ("🚀".into(), s("ab")),
            ]),
        ])
    );
    // A long ASCII text (a refresh answer's session data) between two that are not.
    let long = "0123456789abcdef".repeat(40);
    let v = parse(&["[\"é\",\"", &long, "\",\"✓\"]"].concat()).unwrap();
    assert_eq!(v, Value::Array(vec![s("é"), s(&long), s("✓")]));
}

#[wasm_bindgen_test]
fn numbers_read_exactly_as_json_parse_reads_them() {
    for (text, want) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("1.0", 1.0),
        ("1e0", 1.0),
        ("340000000000.500000001", 340_000_000_000.5),
        ("1767225600", 1_767_225_600.0),
        ("0.1", 0.1),
        ("5e-324", 5e-324),
        ("1.7976931348623157e308", f64::MAX),
    ] {
        let got = parse(text).unwrap().as_f64().unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{text}");
        let js = js_sys::JSON::parse(text).unwrap().as_f64().unwrap();
        assert_eq!(got.to_bits(), js.to_bits(), "{text} as JSON.parse reads it");
    }
    // Out of range is no number the SDK can use (a JWT `exp` of 1e400 is refused).
    assert_eq!(parse("1e400").unwrap().as_f64(), None);
}

#[wasm_bindgen_test]
fn a_key_given_twice_keeps_its_last_value() {
    let v = parse(r#"{"exp":1,"exp":2}"#).unwrap();
    assert_eq!(v.get("exp").and_then(Value::as_f64), Some(2.0));
}

#[wasm_bindgen_test]
fn what_is_not_json_is_an_error_not_a_panic() {
    for text in [
        "",
        " ",
        "{",
        "[1,]",
        "{\"a\":}",
        "'a'",
        "NaN",
        "undefined",
        "01",
        "1 2",
        "\"\u{1}\"",
        "{\"a\":1}x",
    ] {
        assert!(parse(text).is_err(), "{text:?}");
        assert!(!is_valid(text), "{text:?}");
    }
    assert!(is_valid(r#"{"a":[1,{"b":null}]}"#));
}

#[wasm_bindgen_test]
fn nesting_is_bounded_as_natively() {
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(parse(&deep).is_err(), "deeper than 127 levels");
}

#[wasm_bindgen_test]
fn a_refresh_answer_reads_as_the_core_expects() {
    let v = parse(
        r#"{"access_token":"at.1","refresh_token":"rt.1","session_data":"{\"iv\":\"00\"}","extra":[1]}"#,
    )
    .unwrap();
    assert_eq!(v.get("access_token").and_then(Value::as_str), Some("at.1"));
    assert_eq!(v.get("refresh_token").and_then(Value::as_str), Some("rt.1"));
    assert_eq!(
        v.get("session_data").and_then(Value::as_str),
        Some(r#"{"iv":"00"}"#)
    );
    // Written back, it is what JSON.stringify(JSON.parse(text)) writes.
    assert_eq!(
        v.to_json(),
        js_sys::JSON::stringify(&js_sys::JSON::parse(
            r#"{"access_token":"at.1","refresh_token":"rt.1","session_data":"{\"iv\":\"00\"}","extra":[1]}"#
        )
        .unwrap())
        .unwrap()
        .as_string()
        .unwrap()
    );
}

#[wasm_bindgen_test]
fn strings_that_look_like_the_tape_and_surrogates_at_their_edges() {
    // The result crosses into the wasm as one tape of `<len>:<text>` items (src/web/json_parse.rs):
    // text that looks like tape syntax, lengths in UTF-16 units (a pair is 2, a lone surrogate 1)
    // and lone surrogates next to the tape's own characters must all read back as they were.
    let v = parse(
        r##"{"3:ab":"\"2:x","":["","9","\ud83d\ude80:",{"\ud800":"\udc00"}],"#1:1":"t","{0:":[[]]}"##,
    )
    .unwrap();
    assert_eq!(
        v,
        Value::Object(vec![
            ("3:ab".into(), s("\"2:x")),
            (
                "".into(),
                Value::Array(vec![
                    s(""),
                    s("9"),
                    s("🚀:"),
                    Value::Object(vec![("\u{FFFD}".into(), s("\u{FFFD}"))]),
                ])
            ),
            ("#1:1".into(), s("t")),
            ("{0:".into(), Value::Array(vec![Value::Array(vec![])])),
        ])
    );
}
