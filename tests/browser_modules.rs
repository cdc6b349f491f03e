//! Guards the browser test harness against a stall of wasm-bindgen-test-runner's server.
//!
//! The runner serves the test page with tiny_http 0.12, whose thread pool counts a worker it has just
//! signalled as still idle: when the page opens two connections at once while one worker is idle, the
//! second waits until a keep-alive connection closes, and the page's scripts do not load for minutes
//! (the runner then reports "Loading scripts..." after chromedriver's 300 s renderer timeout). A page
//! that fetches more JS modules opens more connections at once: binaries whose glue imported five
//! modules stalled often on a loaded machine (twice in a row in one CI run), those with four rarely.
//! So every browser test binary imports two: the library's one inline snippet and `tests/js/helpers.js`.
//! See TESTING.md, "Browser tests".

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `module = "…"` path and the number of `inline_js` snippets in `path` (a file, or the Rust
/// files under a directory).
fn js_imports(path: &Path) -> (BTreeSet<String>, usize) {
    let mut files = Vec::new();
    if path.is_dir() {
        rust_files(path, &mut files);
    } else {
        files.push(path.to_path_buf());
    }
    let (mut modules, mut inline) = (BTreeSet::new(), 0);
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        inline += text.matches("(inline_js = ").count();
        for part in text.split("(module = \"").skip(1) {
            modules.insert(part.split('"').next().unwrap().to_string());
        }
    }
    (modules, inline)
}

#[test]
fn every_browser_test_binary_imports_the_library_snippet_and_one_helper_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (lib_modules, lib_inline) = js_imports(&root.join("src"));
    assert!(
        lib_modules.is_empty(),
        "the library imports JS modules: {lib_modules:?}"
    );
    assert!(
        lib_inline <= 1,
        "the library has {lib_inline} inline_js snippets (at most 1)"
    );

    let mut web = Vec::new();
    for entry in fs::read_dir(root.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("web_") {
            web.push(path);
        }
    }
    assert!(web.len() >= 9, "tests/web_* not found: {web:?}");
    for path in web {
        let (modules, inline) = js_imports(&path);
        assert_eq!(
            inline,
            0,
            "{}: an inline_js snippet is one more module",
            path.display()
        );
        assert!(
            modules.iter().all(|m| m == "/tests/js/helpers.js"),
            "{}: imports {modules:?}; put test helpers in tests/js/helpers.js",
            path.display()
        );
    }
}
