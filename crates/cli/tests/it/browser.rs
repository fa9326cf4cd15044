//! The panel in a real browser: headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`, which `.ci/run` installs)
//! against `startlink serve --sandbox`. It logs in, creates a link, finds it
//! in the list, opens it, downloads its QR code and decodes it, loads the
//! dashboard with its chart, redeems the link in the chat simulator, and sees
//! the dashboard's count change. Screenshots of each step are kept under
//! `target/browser-screenshots/` for CI to keep.
//!
//! Without Chromium the test says so loudly and skips, except under `CI`,
//! where a missing browser is a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::server::{ADMIN, PASSWORD, Server};

/// WebDriver's key for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long to wait for an element or a download.
const PATIENCE: Duration = Duration::from_secs(15);

fn program(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.exists().then_some(path)
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    base: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    async fn start(downloads: &Path) -> Option<Self> {
        let (Some(chromium), Some(chromedriver)) = (
            program("CHROME_BIN", "/usr/bin/chromium"),
            program("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the browser test: install chromium and chromium-driver"
            );
            eprintln!(
                "\n*** SKIPPED the browser test: /usr/bin/chromium or /usr/bin/chromedriver is missing (apt-get install chromium chromium-driver) ***\n"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--disable-background-networking",
                         "--no-first-run", "--window-size=1280,1000"],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let mut browser = Self {
            driver,
            http,
            session: String::new(),
            base,
        };
        let created = browser.call("POST", "/session", capabilities).await;
        browser.session = created["sessionId"].as_str().unwrap().to_owned();
        Some(browser)
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        let value = answer["value"].clone();
        assert!(
            value.get("error").is_none(),
            "WebDriver {method} {path}: {value}"
        );
        value
    }

    async fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    async fn url(&self) -> String {
        self.call("GET", "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits until `css` matches an element, and returns it.
    async fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let answer: Value = self
                .http
                .post(format!("{}/session/{}/element", self.base, self.session))
                .json(&json!({ "using": "css selector", "value": css }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = answer["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            if started.elapsed() > PATIENCE {
                let source = self.call("GET", "/source", Value::Null).await;
                panic!("no element {css}: {answer}\npage: {source}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call("POST", &format!("/element/{element}/clear"), json!({}))
            .await;
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.call("GET", &format!("/element/{element}/text"), Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn screenshot(&self, name: &str) {
        let data = self.call("GET", "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
    }

    /// The number on the dashboard card labelled `label`.
    async fn card(&self, label: &str) -> i64 {
        let cards = self.text(".cards").await;
        let lines: Vec<&str> = cards.lines().map(str::trim).collect();
        let at = lines
            .iter()
            .position(|line| *line == label)
            .unwrap_or_else(|| panic!("no card {label:?} in {cards:?}"));
        lines[at - 1].parse().unwrap()
    }
}

async fn wait_for_file(dir: &Path, suffix: &str) -> PathBuf {
    let started = Instant::now();
    loop {
        if let Some(found) = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(suffix))
        {
            return found;
        }
        assert!(started.elapsed() < PATIENCE, "no {suffix} downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_newcomer_does_the_whole_flow_in_a_real_browser() {
    let server = Server::start().await;
    let downloads = server.dir().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let Some(browser) = Browser::start(&downloads).await else {
        return;
    };
    let base = &server.base;

    browser.goto(&format!("{base}/")).await;
    assert!(browser.url().await.ends_with("/login"), "sent to log in");
    browser.type_into("input[name=username]", ADMIN).await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.screenshot("01-login").await;
    browser.click("form button").await;
    browser.find(".cards").await;
    assert_eq!(browser.url().await, format!("{base}/"));
    let opens_before = browser.card("opens today").await;
    browser.screenshot("02-dashboard-before").await;

    browser.goto(&format!("{base}/links/new")).await;
    browser
        .type_into("input[name=title]", "Browser order №1")
        .await;
    browser.type_into("input[name=product_id]", "77").await;
    browser.click("form.stack button").await;
    browser.find("section.qr img").await;
    let detail = browser.url().await;
    let key = detail.rsplit('/').next().unwrap().to_owned();
    assert!(detail.contains("/links/"), "{detail}");
    browser.screenshot("03-link-detail").await;

    browser.goto(&format!("{base}/links?search=Browser")).await;
    let list = browser.text("table").await;
    assert!(list.contains("Browser order №1"), "{list}");
    browser.click(&format!("a[href='/links/{key}']")).await;
    browser.find("section.qr img").await;
    assert_eq!(browser.url().await, detail);

    browser
        .click("section.qr a[href$='qr.png?size=1024']")
        .await;
    let png = wait_for_file(&downloads, ".png").await;
    // Chromium writes to a .crdownload file and renames it when complete.
    let decoded = crate::qr::read_png(&png);
    assert_eq!(decoded.len(), 1, "one QR code in the download");
    assert!(
        decoded[0].ends_with(&format!("?start={key}")),
        "{decoded:?}"
    );

    browser.goto(&format!("{base}/?range=7d")).await;
    browser.find(".chart svg").await;
    browser.screenshot("04-dashboard-chart").await;

    browser.goto(&format!("{base}/simulator")).await;
    browser
        .type_into("#new-user input[name=first_name]", "Dilnoza")
        .await;
    browser.click("#new-user button").await;
    browser
        .type_into("#compose input[name=text]", &format!("/start {key}"))
        .await;
    browser.click("#compose button").await;
    let reply = browser.text("#messages li.bot").await;
    assert!(reply.contains("Buyurtmangiz qabul qilindi"), "{reply}");
    assert!(reply.contains("Browser order №1"), "{reply}");
    browser.screenshot("05-simulator").await;

    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.card("opens today").await, opens_before + 1);
    browser.goto(&format!("{base}/links/{key}")).await;
    let heading = browser.text("h1").await;
    assert!(heading.ends_with("used"), "{heading}");
    browser.screenshot("06-dashboard-after").await;

    browser.call("DELETE", "", Value::Null).await;
}
