//! `.env.example` and the README's configuration table list exactly the variables
//! the code reads.

use startlink_core::config::ENV_VARS;

fn repo_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn env_example_lists_every_variable_and_nothing_else() {
    let example = repo_file(".env.example");
    let listed: Vec<&str> = example
        .lines()
        .map(|l| l.trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('=').map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();
    let known: Vec<&str> = ENV_VARS.iter().map(|v| v.name).collect();
    for name in &known {
        assert!(listed.contains(name), ".env.example lacks {name}");
    }
    for name in &listed {
        assert!(
            known.contains(name),
            ".env.example lists {name}, which the code does not read"
        );
    }
}

#[test]
fn the_readme_configuration_table_lists_every_variable() {
    let readme = repo_file("README.md");
    for var in ENV_VARS {
        assert!(
            readme.contains(&format!("| `{}` |", var.name)),
            "README's table lacks {}",
            var.name
        );
    }
}
