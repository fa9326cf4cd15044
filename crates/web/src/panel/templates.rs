//! The panel's templates and stylesheet, embedded in the binary. minijinja
//! escapes every value in `.html` templates unless a template says `|safe`.

use std::sync::Arc;

use minijinja::Environment;

pub const STYLESHEET: &str = include_str!("../../assets/app.css");

const TEMPLATES: [(&str, &str); 12] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("links.html", include_str!("../../templates/links.html")),
    ("link.html", include_str!("../../templates/link.html")),
    (
        "new_link.html",
        include_str!("../../templates/new_link.html"),
    ),
    ("access.html", include_str!("../../templates/access.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    ("users.html", include_str!("../../templates/users.html")),
    (
        "settings.html",
        include_str!("../../templates/settings.html"),
    ),
    ("exports.html", include_str!("../../templates/exports.html")),
    (
        "simulator.html",
        include_str!("../../templates/simulator.html"),
    ),
];

/// Every template, parsed once at start.
pub fn environment() -> Result<Arc<Environment<'static>>, minijinja::Error> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(Arc::new(env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_escapes() {
        let env = environment().unwrap();
        let html = env
            .get_template("login.html")
            .unwrap()
            .render(minijinja::context! { csrf => "<x>", error => "<script>", username => "\"a\"" })
            .unwrap();
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
