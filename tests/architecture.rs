//! The shape of the code, checked from its source: the module import graph has no cycles, and the
//! leaves (`domain`, `config`, `error`) import nothing of the rest of the crate, so that a new door
//! (a page, a console, a widget) can reuse the rules without dragging HTTP in with them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that must stay leaves: they may use each other, nothing else of the crate.
const LEAVES: [&str; 3] = ["domain", "config", "error"];

#[test]
fn the_module_graph_has_no_cycles() {
    let graph = Graph::read();
    if let Some(cycle) = graph.find_cycle() {
        panic!("an import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn domain_config_and_error_import_nothing_of_the_rest() {
    let graph = Graph::read();
    let is_leaf = |module: &str| LEAVES.contains(&module.split("::").next().unwrap_or_default());
    let mut wrong = Vec::new();
    for (module, imports) in &graph.edges {
        if !is_leaf(module) {
            continue;
        }
        for import in imports.iter().filter(|import| !is_leaf(import)) {
            wrong.push(format!("{module} -> {import}"));
        }
    }
    assert!(wrong.is_empty(), "leaves importing the rest: {wrong:#?}");
}

#[test]
fn the_reader_sees_imports_in_every_form() {
    let text = "use crate::{a::b, c::{d, e::f}};\nfn x() { crate::g::h(); super::i::j(); }";
    let mut found: Vec<String> = referenced_paths(text, "k::l");
    found.sort();
    assert_eq!(found, ["a::b", "c::d", "c::e::f", "g::h", "k::i::j"]);
}

struct Graph {
    /// Each module (`scheduling::desk`) and the modules it refers to.
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn read() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files = rust_files(&root);
        let modules: BTreeMap<String, PathBuf> = files
            .into_iter()
            .filter_map(|path| Some((module_name(&root, &path)?, path)))
            .collect();
        let names: BTreeSet<&str> = modules.keys().map(String::as_str).collect();
        let mut edges = BTreeMap::new();
        for (module, path) in &modules {
            let source = std::fs::read_to_string(path).unwrap();
            let targets: BTreeSet<String> = referenced_paths(&production_code(&source), module)
                .iter()
                .filter_map(|path| resolve(&names, path))
                .filter(|target| target != module && !target.is_empty())
                .collect();
            edges.insert(module.clone(), targets);
        }
        Self { edges }
    }

    /// A cycle as the modules along it, when there is one (depth-first search).
    fn find_cycle(&self) -> Option<Vec<String>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Open,
            Done,
        }
        fn visit(
            graph: &Graph,
            module: &str,
            marks: &mut BTreeMap<String, Mark>,
            path: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            match marks.get(module) {
                Some(Mark::Done) => return None,
                Some(Mark::Open) => {
                    let start = path.iter().position(|seen| seen == module).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(module.to_owned());
                    return Some(cycle);
                }
                None => {}
            }
            marks.insert(module.to_owned(), Mark::Open);
            path.push(module.to_owned());
            for next in graph.edges.get(module).into_iter().flatten() {
                if let Some(cycle) = visit(graph, next, marks, path) {
                    return Some(cycle);
                }
            }
            path.pop();
            marks.insert(module.to_owned(), Mark::Done);
            None
        }
        let mut marks = BTreeMap::new();
        self.edges
            .keys()
            .find_map(|module| visit(self, module, &mut marks, &mut Vec::new()))
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// `src/scheduling/desk.rs` → `scheduling::desk`; `src/email/mod.rs` → `email`; the crate root
/// and the binary are left out (they wire everything together by design).
fn module_name(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?.with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    let name = parts.join("::");
    (!name.is_empty() && name != "lib" && name != "main").then_some(name)
}

/// The source without its unit tests and comments: tests may reach anywhere.
fn production_code(source: &str) -> String {
    let code = match source.find("#[cfg(test)]") {
        Some(at) => &source[..at],
        None => source,
    };
    code.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::…` and `super::…` path in `text`, with `use` groups expanded, relative to the
/// crate root (`module` is where `text` lives, for `super`).
fn referenced_paths(text: &str, module: &str) -> Vec<String> {
    let parent: Vec<&str> = module.split("::").collect();
    let parent = parent[..parent.len().saturating_sub(1)].join("::");
    let mut found = Vec::new();
    for (marker, base) in [("crate::", String::new()), ("super::", parent)] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            let preceded_by_ident = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = &rest[at + marker.len()..];
            if !preceded_by_ident {
                expand(rest, &base, &mut found);
            }
        }
    }
    found
}

/// Reads one path (or `{…}` group of paths) at the start of `text`, prefixed by `prefix`.
fn expand(text: &str, prefix: &str, found: &mut Vec<String>) {
    let join = |head: &str, tail: &str| match (head.is_empty(), tail.is_empty()) {
        (true, _) => tail.to_owned(),
        (_, true) => head.to_owned(),
        _ => format!("{head}::{tail}"),
    };
    let ident_end = |text: &str| {
        text.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(text.len())
    };
    let end = ident_end(text);
    let path = text[..end].trim_end_matches(':');
    let after = &text[end..];
    if (end == 0 || text[..end].ends_with("::")) && after.starts_with('{') {
        let group = brace_group(after);
        for item in split_top_level(group) {
            let item = item.trim();
            if !item.is_empty() && item != "self" {
                expand(item, &join(prefix, path), found);
            } else if item == "self" {
                found.push(join(prefix, path));
            }
        }
    } else if !path.is_empty() {
        found.push(join(prefix, path));
    }
}

/// The inside of the `{…}` that `text` starts with.
fn brace_group(text: &str) -> &str {
    let mut depth = 0;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[1..at];
                }
            }
            _ => {}
        }
    }
    &text[1..]
}

fn split_top_level(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
}

/// The longest module that is a prefix of `path` (`scheduling::desk::confirm` → `scheduling::desk`).
fn resolve(modules: &BTreeSet<&str>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|len| parts[..len].join("::"))
        .find(|candidate| modules.contains(candidate.as_str()))
}
